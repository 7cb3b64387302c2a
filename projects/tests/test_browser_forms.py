"""The project form in a real browser: one submission of a bad form shows every error at once
(the form's own, the rules across fields and the missing exchange rate), in an error summary
that takes the focus and links to each field; every kind of field is marked in red; nothing
typed is lost."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.choices import MembershipRole, OrganizationKind
from portal.testing.factories import OrganizationFactory, member
from projects.models import Project

from .test_browser import sign_in

pytestmark = pytest.mark.browser

RED = "rgb(200, 16, 46)"  # --red in portal.css


def active_element(page) -> dict:
    return page.evaluate("() => ({id: document.activeElement.id, testid: document.activeElement.dataset.testid})")


def border_colour(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).borderTopColor")


def test_one_submission_of_a_bad_project_form_shows_every_error_with_a_focused_summary(browser_page):
    page = browser_page
    enterprise = OrganizationFactory(name="湖北荆楚路桥国际有限公司", kind=OrganizationKind.ENTERPRISE)
    admin = member(enterprise, MembershipRole.ADMIN)
    sign_in(page, admin, "/projects/new/")

    # Wrong in every way at once: a missing name, a negative staff number (the form's checks),
    # completion before the start and a registration without its date (rules across fields),
    # and a currency the officials have no rate for (known only when converting).
    page.fill("#id_name_en", "Mombasa Port Expansion")
    page.select_option("#id_country", "KE")
    page.fill("#id_location", "蒙巴萨")
    page.select_option("#id_sector", "transport")
    page.select_option("#id_business_model", "epc")
    page.select_option("#id_stage", "signed")
    page.fill("#id_contract_value", "1200000")
    page.select_option("#id_currency", "CHF")
    page.fill("#id_start_date", "2025-03-01")
    page.fill("#id_planned_completion", "2024-12-31")
    page.fill("#id_chinese_staff", "-3")
    page.check("#id_embassy_registered")
    page.fill("#id_description", "港口泊位扩建。")
    page.get_by_role("button", name="保存").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("提交的信息有误")
    expected = {
        "id_name": "项目名称",
        "id_chinese_staff": "中方人员",
        "id_planned_completion": "计划竣工日期不能早于开工日期",
        "id_embassy_registered_on": "请填写报到登记日期",
        "id_currency": "尚无 CHF 对美元的汇率",
    }
    for field_id, text in expected.items():
        link = summary.locator(f'a[href="#{field_id}"]')
        expect(link).to_have_count(1)
        expect(link).to_contain_text(text)
        # The field itself is marked for the eye and for a screen reader.
        field = page.locator(f"#{field_id}")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}_error\b"))
        expect(page.locator(f"#{field_id}_error")).to_be_visible()
    expect(page.locator(".field--error")).to_have_count(len(expected))
    assert not Project.objects.exists()

    # The summary has the focus, so the keyboard and a screen reader start there.
    assert active_element(page)["testid"] == "error-summary"

    # Red borders on a text input, a number input, a date input and a select alike.
    for selector in ("#id_name", "#id_chinese_staff", "#id_planned_completion", "#id_currency"):
        assert border_colour(page, selector) == RED, selector

    # Nothing typed is lost.
    expect(page.locator("#id_name_en")).to_have_value("Mombasa Port Expansion")
    expect(page.locator("#id_country")).to_have_value("KE")
    expect(page.locator("#id_location")).to_have_value("蒙巴萨")
    expect(page.locator("#id_contract_value")).to_have_value("1200000")
    expect(page.locator("#id_currency")).to_have_value("CHF")
    expect(page.locator("#id_start_date")).to_have_value("2025-03-01")
    expect(page.locator("#id_planned_completion")).to_have_value("2024-12-31")
    expect(page.locator("#id_chinese_staff")).to_have_value("-3")
    expect(page.locator("#id_embassy_registered")).to_be_checked()
    expect(page.locator("#id_description")).to_have_value("港口泊位扩建。")

    # A link of the summary takes the focus to its field.
    summary.locator('a[href="#id_planned_completion"]').click()
    assert active_element(page)["id"] == "id_planned_completion"

    # Corrected in one go, the project is saved.
    page.fill("#id_name", "蒙巴萨港扩建工程")
    page.fill("#id_chinese_staff", "40")
    page.fill("#id_planned_completion", "2027-06-30")
    page.fill("#id_embassy_registered_on", "2025-03-10")
    page.select_option("#id_currency", "USD")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+/$"))
    assert Project.objects.filter(name="蒙巴萨港扩建工程").count() == 1
