"""Sign-up in a real browser: one submission shows every error (the form's own beside the
service's rules: the username taken, the password too weak), in an error summary that takes
the focus and links to each field; nothing typed is lost, the passwords included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.choices import MembershipRole, OrganizationKind
from portal.models import Organization
from portal.testing.factories import OrganizationFactory, member

pytestmark = pytest.mark.browser


def test_one_submission_of_a_bad_sign_up_shows_every_error_and_keeps_what_was_typed(browser_page):
    page = browser_page
    existing = member(OrganizationFactory(kind=OrganizationKind.ENTERPRISE), MembershipRole.ADMIN)
    page.goto("/signup/")

    # A mistyped credit code and e-mail (the form's checks), a username already taken and a
    # password that is all digits (the service's rules).
    page.fill("#id_name", "湖北汉江国际工程有限公司")
    page.fill("#id_credit_code", "91420100")
    page.fill("#id_province", "湖北省")
    page.fill("#id_city", "襄阳市")
    page.fill("#id_contact_email", "office@hanjiang")
    page.fill("#id_username", existing.username)
    page.fill("#id_display_name", "陈经理")
    page.fill("#id_email", "chen@hanjiang.example.cn")
    page.fill("#id_password1", "20261122334455")
    page.fill("#id_password2", "20261122334455")
    page.get_by_role("button", name="提交注册").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("提交的信息有误")
    for field_id in ("id_credit_code", "id_contact_email", "id_username", "id_password1"):
        expect(summary.locator(f'a[href="#{field_id}"]')).to_have_count(1)
    expect(summary.locator('a[href="#id_username"]')).to_contain_text("该用户名已被使用")
    expect(page.locator("#id_username")).to_have_attribute("aria-invalid", "true")
    assert page.eval_on_selector("#id_credit_code", "el => getComputedStyle(el).borderTopColor") == "rgb(200, 16, 46)"
    assert page.evaluate("() => document.activeElement.dataset.testid") == "error-summary"
    assert not Organization.objects.filter(name="湖北汉江国际工程有限公司").exists()

    # Nothing typed is lost, the passwords included.
    for field_id, value in {
        "id_name": "湖北汉江国际工程有限公司",
        "id_credit_code": "91420100",
        "id_city": "襄阳市",
        "id_contact_email": "office@hanjiang",
        "id_username": existing.username,
        "id_display_name": "陈经理",
        "id_password1": "20261122334455",
        "id_password2": "20261122334455",
    }.items():
        expect(page.locator(f"#{field_id}")).to_have_value(value)

    # A link of the summary takes the focus to its field.
    summary.locator('a[href="#id_username"]').click()
    assert page.evaluate("() => document.activeElement.id") == "id_username"
