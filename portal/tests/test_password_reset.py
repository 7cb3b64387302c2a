"""Password reset is limited per e-mail address and per client address, says nothing about which
addresses have accounts, and builds its link from SITE_URL, never from the Host header."""

import time

import pytest
from django.core import mail
from django.urls import reverse

RESET = "portal:password_reset"
NEUTRAL_PAGE = "portal:password_reset_done"
TOO_MANY = "重置密码的请求过于频繁，请稍后再试。"


@pytest.fixture
def limits(settings):
    settings.PASSWORD_RESET_LIMITS = {"PER_ADDRESS": 3, "PER_CLIENT": 10, "WINDOW_SECONDS": 3600}
    return settings.PASSWORD_RESET_LIMITS


def ask(client, email, **extra):
    return client.post(reverse(RESET), {"email": email}, **extra)


def test_six_requests_for_one_address_send_three_emails_and_all_see_the_same_page(
    cast, client, limits, smtp_sink, settings
):
    smtp_sink.django_settings(settings)
    responses = [ask(client, cast.owner.email) for _ in range(6)]
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse(NEUTRAL_PAGE))}
    assert smtp_sink.wait_for(3, timeout=5)
    time.sleep(0.2)  # nothing more arrives
    assert smtp_sink.per_recipient() == {cast.owner.email: 3}


def test_the_address_is_counted_whatever_its_case(cast, client, limits):
    for email in [cast.owner.email, cast.owner.email.upper(), f"  {cast.owner.email.title()}  "]:
        ask(client, email)
    ask(client, cast.owner.email.upper())
    assert len(mail.outbox) == 3


def test_an_address_without_an_account_gets_the_same_answer_and_no_email(cast, client, limits):
    known = ask(client, cast.owner.email)
    unknown = ask(client, "nobody@example.cn")
    assert known["Location"] == unknown["Location"] == reverse(NEUTRAL_PAGE)
    assert [m.to for m in mail.outbox] == [[cast.owner.email]]


def test_one_client_asking_for_many_addresses_is_told_to_wait(cast, client, limits):
    for n in range(limits["PER_CLIENT"]):
        assert ask(client, f"someone{n}@example.cn").status_code == 302
    response = ask(client, cast.owner.email)
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert mail.outbox == []  # the owner's address was never reached


def test_another_client_is_not_held_up_by_the_first(cast, client, limits):
    for n in range(limits["PER_CLIENT"] + 1):
        ask(client, f"someone{n}@example.cn", REMOTE_ADDR="198.51.100.7")
    assert ask(client, cast.owner.email, REMOTE_ADDR="198.51.100.8").status_code == 302
    assert len(mail.outbox) == 1


def test_without_proxies_a_forged_forwarded_for_does_not_escape_the_limit(cast, client, limits):
    for n in range(limits["PER_CLIENT"]):
        ask(client, f"someone{n}@example.cn", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = ask(client, cast.owner.email, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


def test_behind_a_proxy_the_client_is_the_address_the_proxy_appended(cast, client, limits, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(limits["PER_CLIENT"]):
        ask(client, f"someone{n}@example.cn", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert ask(client, "x@example.cn", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    assert ask(client, cast.owner.email, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 302
    assert len(mail.outbox) == 1


def test_the_limit_lifts_when_the_window_has_passed(cast, client, settings):
    settings.PASSWORD_RESET_LIMITS = {"PER_ADDRESS": 1, "PER_CLIENT": 10, "WINDOW_SECONDS": 1}
    ask(client, cast.owner.email)
    ask(client, cast.owner.email)
    assert len(mail.outbox) == 1
    time.sleep(1.5)
    ask(client, cast.owner.email)
    assert len(mail.outbox) == 2


def test_the_link_comes_from_site_url_not_from_the_host_header(cast, client, limits, settings):
    settings.SITE_URL = "https://zcq.commerce.example.gov.cn"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "attacker.example"]
    ask(client, cast.owner.email, HTTP_HOST="attacker.example")
    (message,) = mail.outbox
    assert "https://zcq.commerce.example.gov.cn/password/reset/" in message.body
    assert "attacker.example" not in message.body
