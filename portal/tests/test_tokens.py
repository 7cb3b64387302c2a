"""API tokens expire, are revoked when the password changes or is reset, and their owner can
revoke them: from the API (DELETE /api/v1/auth/token/) and from the account page."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.api.authentication import TokenAuthentication
from portal.models import AuditEvent
from portal.testing.factories import TEST_PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/auth/me/"
NEW_PASSWORD = "Brand-new-pass-2026"


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def issue(user) -> str:
    response = APIClient().post(TOKEN_URL, {"username": user.username, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_token_is_issued_with_its_expiry_and_opens_the_api(cast, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    response = APIClient().post(TOKEN_URL, {"username": cast.owner.username, "password": TEST_PASSWORD})
    body = response.json()
    expires_at = timezone.datetime.fromisoformat(body["expires_at"])
    assert abs(expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert token_client(body["token"]).get(ME_URL).json()["username"] == cast.owner.username


def test_an_expired_token_is_refused_in_chinese_and_a_new_one_can_be_fetched(cast, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    key = issue(cast.owner)
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=30, seconds=1))
    response = token_client(key).get(ME_URL)
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌已过期，请重新获取令牌。"
    fresh = issue(cast.owner)
    assert fresh != key
    assert token_client(fresh).get(ME_URL).status_code == 200


def test_tokens_never_expire_when_the_lifetime_is_forever(cast, settings):
    settings.API_TOKEN_TTL_DAYS = None
    key = issue(cast.owner)
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=3650))
    assert token_client(key).get(ME_URL).status_code == 200
    assert APIClient().post(TOKEN_URL, {"username": cast.owner.username, "password": TEST_PASSWORD}).json() == {
        "token": key,
        "expires_at": None,
    }


def test_checking_a_token_with_its_expiry_is_still_one_query(cast, django_assert_num_queries):
    key = issue(cast.reviewer)
    with django_assert_num_queries(1):  # token, user, membership and organisation, joined
        user, token = TokenAuthentication().authenticate_credentials(key)
        assert user.org_membership.organization == cast.agency
    assert token.key == key


def test_the_owner_revokes_a_token_through_the_api(cast):
    key = issue(cast.owner)
    client = token_client(key)
    assert client.delete(TOKEN_URL).status_code == 204
    assert client.get(ME_URL).status_code == 401
    assert not Token.objects.filter(user=cast.owner).exists()
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert (event.actor, event.target_id, event.data) == (
        cast.owner,
        str(cast.owner.pk),
        {"reason": "revoked_by_owner"},
    )


def test_revoking_needs_a_signed_in_caller(cast):
    key = issue(cast.owner)
    assert APIClient().delete(TOKEN_URL).status_code == 401
    assert token_client("not-a-token").delete(TOKEN_URL).status_code == 401
    assert token_client(key).get(ME_URL).status_code == 200  # nobody else's token went


def test_changing_the_password_on_the_page_revokes_the_token(cast, client):
    key = issue(cast.owner)
    client.force_login(cast.owner)
    response = client.post(
        reverse("portal:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("portal:account")
    assert token_client(key).get(ME_URL).status_code == 401
    page = client.get(reverse("portal:account")).content.decode()  # still signed in
    assert "密码已修改。您的 API 令牌已随之注销，请重新获取。" in page
    assert "您目前没有 API 令牌。" in page


def test_a_wrong_current_password_changes_nothing(cast, client):
    key = issue(cast.owner)
    client.force_login(cast.owner)
    response = client.post(
        reverse("portal:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert token_client(key).get(ME_URL).status_code == 200
    cast.owner.refresh_from_db()
    assert cast.owner.check_password(TEST_PASSWORD)


def test_resetting_the_password_revokes_the_token(cast, client, settings):
    key = issue(cast.owner)
    client.post(reverse("portal:password_reset"), {"email": cast.owner.email})
    link = re.search(re.escape(settings.SITE_URL) + r"(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert token_client(key).get(ME_URL).status_code == 401


def test_setting_a_password_anywhere_revokes_the_token(cast):
    key = issue(cast.colleague)
    cast.colleague.set_password(NEW_PASSWORD)  # as the admin's "change password" form does
    cast.colleague.save()
    assert token_client(key).get(ME_URL).status_code == 401
    assert AuditEvent.objects.get(action="api_token.revoke").data == {"reason": "password_changed"}


def test_saving_a_user_without_a_new_password_keeps_the_token(cast):
    key = issue(cast.colleague)
    cast.colleague.display_name = "王工"
    cast.colleague.save()
    assert token_client(key).get(ME_URL).status_code == 200


@pytest.mark.parametrize("ttl", [30, None])
def test_the_account_page_shows_the_token_and_revokes_it(cast, client, settings, ttl):
    settings.API_TOKEN_TTL_DAYS = ttl
    key = issue(cast.owner)
    client.force_login(cast.owner)
    page = client.get(reverse("portal:account")).content.decode()
    assert "签发时间" in page
    assert ("长期有效" in page) is (ttl is None)
    assert f'action="{reverse("portal:token_revoke")}"' in page
    assert key not in page  # the page never shows the token itself
    response = client.post(reverse("portal:token_revoke"), follow=True)
    assert "API 令牌已注销，使用它的程序需要重新获取令牌。" in response.content.decode()
    assert token_client(key).get(ME_URL).status_code == 401


def test_revoking_from_the_page_is_post_only_and_for_the_signed_in(cast, client):
    issue(cast.owner)
    assert client.post(reverse("portal:token_revoke"))["Location"].startswith(reverse("portal:login"))
    client.force_login(cast.owner)
    assert client.get(reverse("portal:token_revoke")).status_code == 405
    assert Token.objects.filter(user=cast.owner).exists()


def test_the_account_page_is_linked_from_the_header(cast, client):
    client.force_login(cast.owner)
    page = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:account")}"' in page


@pytest.mark.parametrize("method", ["get", "put", "patch", "trace"])
def test_a_method_the_token_endpoint_lacks_is_a_405_even_when_signed_out(api, db, method):
    response = api.generic(method.upper(), reverse("api:auth-token"))
    assert response.status_code == 405
    assert set(response.json()) == {"detail"}


def test_revoking_without_a_token_is_a_401(api, db):
    assert api.delete(reverse("api:auth-token")).status_code == 401
