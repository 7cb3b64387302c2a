"""In a real browser: an organisation admin revokes their API token from the account page, and
rotates the webhook signing secret, which is shown once and masked after."""

import re

import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from portal.models import AuditEvent, Organization
from portal.testing.cast import make_cast
from portal.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, user) -> None:
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


def test_an_admin_revokes_the_token_and_rotates_the_webhook_secret(browser_page):
    cast = make_cast()
    Token.objects.create(user=cast.owner)
    page = browser_page
    sign_in(page, cast.owner)

    # The account page, from the user's name in the header: the token and its revocation.
    page.get_by_test_id("account-link").click()
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_test_id("token-status")).to_contain_text("有效期至")
    page.get_by_test_id("token-revoke").click()
    expect(page.locator(".alert--success")).to_contain_text("API 令牌已注销")
    expect(page.get_by_test_id("token-status")).to_have_text("您目前没有 API 令牌。")
    assert not Token.objects.filter(user=cast.owner).exists()

    # The organisation page masks the secret; rotating asks first, then shows the new one once.
    old = cast.enterprise.webhook_secret
    page.locator(".topbar__org").click()
    expect(page.get_by_test_id("webhook-secret")).to_have_text("••••" + old[-4:])
    page.get_by_test_id("webhook-secret-rotate").click()
    expect(page.locator("h1")).to_have_text("更换 Webhook 签名密钥")
    page.get_by_test_id("webhook-secret-rotate-confirm").click()
    expect(page).to_have_url(re.compile(r"/organization/$"))
    new = Organization.objects.get(pk=cast.enterprise.pk).webhook_secret
    assert new != old
    expect(page.get_by_test_id("webhook-secret")).to_have_text(new)
    expect(page.get_by_test_id("webhook-secret-once")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("webhook-secret")).to_have_text("••••" + new[-4:])
    assert AuditEvent.objects.filter(action="organization.webhook_secret_rotate", actor=cast.owner).exists()


def test_an_enterprise_opening_the_review_queue_is_told_why_it_cannot(browser_page, browser_problems):
    cast = make_cast()
    page = browser_page
    sign_in(page, cast.owner)
    response = page.goto("/projects/review/")
    assert response.status == 403
    expect(page.get_by_test_id("forbidden-reason")).to_have_text("审核队列仅对具有审核权限的主管部门人员开放。")
    expect(page.locator(".site-nav")).to_be_visible()  # the portal's own page, in its layout
    # Chromium logs the 403 it was asked to show; that one is the point of the test.
    assert [e for e in browser_problems.console_errors if "403" not in e] == []
    browser_problems.console_errors.clear()
