"""The portal in a real browser: sign up, sign out, sign in, and read the welcome notification."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import Membership, Notification, Organization
from portal.testing.factories import valid_credit_code

pytestmark = pytest.mark.browser

USERNAME = "hanjiang-admin"
PASSWORD = "Hanjiang-overseas-2026"


def test_enterprise_signs_up_signs_in_again_and_reads_the_welcome_notification(browser_page):
    page = browser_page

    # Sign up an enterprise with its first admin.
    page.goto("/")
    page.locator(".topbar").get_by_role("link", name="企业注册", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signup/$"))
    page.fill("#id_name", "湖北汉江国际工程有限公司")
    page.fill("#id_name_en", "Hubei Hanjiang International Engineering Co., Ltd.")
    page.check("#id_kind_0")
    page.fill("#id_credit_code", valid_credit_code(20261122))
    page.fill("#id_province", "湖北省")
    page.fill("#id_city", "襄阳市")
    page.fill("#id_contact_email", "office@hanjiang.example.cn")
    page.fill("#id_username", USERNAME)
    page.fill("#id_display_name", "陈经理")
    page.fill("#id_email", "chen@hanjiang.example.cn")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="提交注册").click()

    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(page.locator(".alert--success")).to_contain_text("注册成功")
    org = Organization.objects.get(name="湖北汉江国际工程有限公司")
    assert Membership.objects.get(user__username=USERNAME).organization == org

    # Sign out, then sign in through the login page.
    page.get_by_role("button", name="退出登录").click()
    sign_in = page.locator(".topbar").get_by_role("link", name="登录", exact=True)
    expect(sign_in).to_be_visible()
    sign_in.click()
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    expect(page.locator(".topbar__org")).to_have_text("湖北汉江国际工程有限公司")
    badge = page.get_by_test_id("unread-badge")
    expect(badge).to_have_text("1")

    # The inbox holds the welcome notification, unread.
    page.get_by_test_id("inbox-link").click()
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    welcome = page.get_by_test_id("notification").filter(has_text="欢迎加入走出去企业服务平台")
    expect(welcome).to_have_count(1)
    expect(welcome.get_by_test_id("notification-state")).to_contain_text("未读")

    # Mark it read: the state says so and the unread badge goes away.
    welcome.get_by_role("button", name="标为已读").click()
    expect(page.locator(".alert--success")).to_contain_text("已标记为已读")
    expect(welcome.get_by_test_id("notification-state")).to_have_text("已读")
    expect(welcome.get_by_role("button", name="标为已读")).to_have_count(0)
    expect(page.get_by_test_id("unread-badge")).to_have_count(0)
    assert Notification.objects.get(recipient__username=USERNAME).read_at is not None


def test_the_language_switch_keeps_the_page_both_ways(browser_page):
    page = browser_page
    page.goto("/countries/?region=central_asia")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/countries/\?region=central_asia$"))
    expect(page.locator("h1")).to_have_text("Countries and regions")
    expect(page.locator(".site-nav")).to_contain_text("Preferred Supplier Library")
    page.get_by_role("button", name="中文").click()
    expect(page).to_have_url(re.compile(r"/countries/\?region=central_asia$"))
    expect(page.locator("h1")).to_have_text("国家和地区")
