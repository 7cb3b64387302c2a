"""The portal shell's pages: who may open them, the home page and header, countries, errors and
the English site. Sign-up and sign-in are in test_views_accounts.py, the inbox and preferences
in test_views_inbox.py, the organisation page in test_views_organization.py."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.module_loading import import_string

from portal import urls as portal_urls
from portal.choices import NotificationKind
from portal.testing.cast import Cast
from portal.testing.factories import NotificationFactory

from .helpers import messages_of, signup_data

SIGNED_IN_ROLES = [role for role in Cast.ROLES if role != "anonymous"]
PUBLIC_PAGES = [
    "portal:home",
    "portal:countries",
    "projects:list",
    "portal:suppliers",
    "portal:talent",
    "portal:risk",
]
PRIVATE_PAGES = ["portal:inbox", "portal:preferences", "portal:organization"]


# --- Who may open which page ----------------------------------------------------------------


@pytest.mark.parametrize("page", PUBLIC_PAGES)
@pytest.mark.parametrize("role", Cast.ROLES)
def test_public_pages_answer_everyone(cast, as_user, role, page):
    response = as_user(cast.user(role)).get(reverse(page))
    assert response.status_code == 200
    assert "走出去企业服务平台" in response.content.decode()


@pytest.mark.parametrize("page", PRIVATE_PAGES)
@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_private_pages_answer_every_signed_in_role(cast, as_user, role, page):
    assert as_user(cast.user(role)).get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", [*PRIVATE_PAGES, "portal:member_add"])
def test_private_pages_send_anonymous_users_to_login(client, db, page):
    url = reverse(page)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={url}"


@pytest.mark.parametrize("page", ["portal:login", "portal:signup", "portal:password_reset"])
def test_account_pages_answer_anonymous_users(client, db, page):
    assert client.get(reverse(page)).status_code == 200


def test_placeholder_pages_say_what_the_part_will_hold_and_that_it_is_being_built(client, db):
    body = client.get(reverse("portal:risk")).content.decode()
    assert "典型负面案例清单" in body
    assert "建设中" in body


def test_the_talent_placeholder_links_the_trainings_that_are_already_open(client, db):
    body = client.get(reverse("portal:talent")).content.decode()
    assert f'href="{reverse("trainings:calendar")}"' in body
    assert "已开放" in body
    # The risk part's open pages: the country levels, bulletins, negative cases and follows.
    risk = client.get(reverse("portal:risk")).content.decode()
    assert "已开放" in risk
    for name in ("risk:countries", "risk:bulletins", "risk:cases", "risk:follows"):
        assert f'href="{reverse(name)}"' in risk, name
    assert "已开放" not in client.get(reverse("portal:suppliers")).content.decode()


def test_home_page_names_what_the_portal_offers(client, db):
    body = client.get(reverse("portal:home")).content.decode()
    for word in ["政策", "市场", "金融", "项目", "人才", "风控", "税务", "法务"]:
        assert word in body
    for page in ["projects:list", "portal:suppliers", "portal:talent", "portal:risk"]:
        assert f'href="{reverse(page)}"' in body


def test_home_page_shows_a_signed_in_user_their_unread_and_pending_alerts(cast, as_user):
    NotificationFactory(recipient=cast.owner)
    NotificationFactory(recipient=cast.owner, kind=NotificationKind.RISK_ALERT, requires_ack=True)
    NotificationFactory(recipient=cast.colleague)
    response = as_user(cast.owner).get(reverse("portal:home"))
    assert response.context["counts"] == {"unread": 2, "pending_ack": 1}
    assert cast.enterprise.name in response.content.decode()


def test_header_shows_the_unread_badge_only_when_something_is_unread(cast, as_user):
    client = as_user(cast.owner)
    assert 'data-testid="unread-badge"' not in client.get(reverse("portal:home")).content.decode()
    NotificationFactory(recipient=cast.owner)
    assert 'data-testid="unread-badge"' in client.get(reverse("portal:home")).content.decode()


def test_logout_is_a_post_that_signs_the_user_out(cast, as_user):
    client = as_user(cast.owner)
    assert client.get(reverse("portal:logout")).status_code == 405
    assert client.post(reverse("portal:logout")).status_code == 302
    assert client.get(reverse("portal:inbox")).status_code == 302


# --- Countries ------------------------------------------------------------------------------


def test_country_list_pages_all_249_countries(client, db, django_assert_num_queries):
    # 1 count for the paginator, 2 the page of countries (anonymous: no session, no user).
    with django_assert_num_queries(2):
        response = client.get(reverse("portal:countries"))
    assert response.context["paginator"].count == 249
    assert len(response.context["countries"]) == 50
    assert len(client.get(reverse("portal:countries") + "?page=5").context["countries"]) == 49


def test_country_list_filters_by_region(client, db):
    response = client.get(reverse("portal:countries") + "?region=central_asia")
    assert {c.code for c in response.context["countries"]} == {"KZ", "KG", "TJ", "TM", "UZ"}


@pytest.mark.parametrize("query", ["肯尼亚", "kenya", " Kenya "])
def test_country_list_searches_chinese_and_english_names(client, db, query):
    response = client.get(reverse("portal:countries"), {"q": query})
    assert [c.code for c in response.context["countries"]] == ["KE"]


def test_country_list_search_finds_a_country_by_its_code(client, db):
    response = client.get(reverse("portal:countries"), {"q": "uz"})
    assert "UZ" in {c.code for c in response.context["countries"]}


def test_country_list_keeps_the_filter_when_paging(client, db):
    body = client.get(reverse("portal:countries") + "?region=africa").content.decode()
    assert "?region=africa&amp;page=2" in body


# --- Errors ---------------------------------------------------------------------------------


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_server_error_page_is_html_for_pages_and_json_for_the_api(db):
    # The root URLconf's handler500: the API's JSON under /api/, the portal's page elsewhere.
    handler = import_string(portal_urls.handler500)
    page = handler(RequestFactory().get("/inbox/"))
    assert page.status_code == 500
    assert "服务暂时不可用" in page.content.decode()
    api = handler(RequestFactory().get("/api/v1/countries/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"


# --- English --------------------------------------------------------------------------------


def test_english_site_renders_english(client, db):
    body = client.get("/en/").content.decode()
    assert '<html lang="en">' in body
    assert "Overseas Expansion Enterprise Service Portal" in body
    assert "Preferred Supplier Library" in body
    assert "走出去企业服务平台" not in body


def test_english_inbox_and_its_messages_are_english(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner)
    client = as_user(cast.owner)
    body = client.get("/en/inbox/").content.decode()
    assert "Inbox" in body
    assert "消息中心" not in body
    response = client.post(f"/en/inbox/{notification.pk}/read/", {"next": "/en/inbox/"}, follow=True)
    assert "Marked as read." in messages_of(response)


def test_english_signup_errors_are_english(client, db):
    response = client.post("/en/signup/", signup_data(password2="Something-else-2026"))
    assert "The two passwords do not match." in response.content.decode()


def test_language_switch_goes_to_the_same_page_in_the_other_language(cast, as_user):
    client = as_user(cast.owner)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/inbox/?kind=system"})
    assert response.status_code == 302
    assert response["Location"] == "/en/inbox/?kind=system"
    assert client.get(response["Location"]).status_code == 200
    english = client.get("/en/countries/?region=africa").content.decode()
    back = re.search(r'name="next" value="([^"]*)"', english).group(1)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": back.replace("&amp;", "&")})
    assert response["Location"] == "/countries/?region=africa"
    assert '<html lang="zh-Hans">' in client.get(response["Location"]).content.decode()


def test_every_page_offers_the_language_switch(client, db):
    body = client.get(reverse("portal:home")).content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert 'name="language" value="en"' in body


def test_signup_page_uses_no_inline_styles_or_scripts(client, db):
    body = client.get(reverse("portal:signup")).content.decode()
    assert "style=" not in body
    assert "<style" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)


def test_a_form_posted_without_its_csrf_token_gets_a_friendly_page(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.owner)
    response = client.post(reverse("portal:notifications_read_all"))
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


# --- Security headers -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/en/", "/projects/", "/login/"])
def test_pages_carry_the_security_headers(client, db, path):
    from csp.utils import build_policy

    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == build_policy()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_view_that_widens_its_policy_still_gets_its_own(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_policy_header_follows_the_settings(client, db, settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["Content-Security-Policy-Report-Only"] == "default-src 'self'"


def test_a_page_that_asks_for_a_nonce_gets_it_in_its_policy(rf, settings):
    from csp.constants import NONCE, SELF
    from django.http import HttpResponse

    from portal.middleware import CSPMiddleware

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    middleware = CSPMiddleware(view)
    first, second = rf.get("/"), rf.get("/")
    for request in (first, second):
        policy = middleware(request).headers["Content-Security-Policy"]
        assert f"script-src 'self' 'nonce-{request._csp_nonce}'" in policy.split("; ")
    assert first._csp_nonce != second._csp_nonce
