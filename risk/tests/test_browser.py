"""A risk alert in a real browser: an official drafts a severe bulletin, previews who it reaches,
publishes it and watches the dispatch page; an exposed enterprise sees the alert on the bulletin
and acknowledges it; the dispatch page counts it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.choices import MembershipRole, OrganizationKind
from portal.testing.factories import TEST_PASSWORD, OrganizationFactory, member
from projects.choices import FilingStatus
from projects.tests.factories import ProjectFactory
from risk.models import RiskBulletin

pytestmark = pytest.mark.browser


def sign_in(page, user, then: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/login/?next={then}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_an_official_publishes_a_severe_alert_and_an_exposed_enterprise_acknowledges_it(browser_page, tasks_run_here):
    page = browser_page
    agency = OrganizationFactory(name="湖北省商务厅", kind=OrganizationKind.AGENCY)
    official = member(agency, can_publish_risk=True)
    enterprise = OrganizationFactory(name="湖北楚天国际工程有限公司", kind=OrganizationKind.ENTERPRISE)
    manager = member(enterprise, MembershipRole.ADMIN)
    ProjectFactory(organization=enterprise, country_id="KE", filing_status=FilingStatus.APPROVED)
    now = timezone.localtime()

    sign_in(page, official, "/risk/bulletins/new/")
    page.select_option("#id_countries", ["KE"])
    page.fill("#id_title", "肯尼亚内罗毕抗议活动安全提醒")
    page.fill("#id_body", "请避免前往抗议集会区域，加强营地安保。")
    page.select_option("#id_category", "civil_unrest")
    page.select_option("#id_severity", "severe")
    page.fill("#id_effective_at", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_expires_at", (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("save").click()
    page.get_by_test_id("bulletin-publish").click()
    expect(page.get_by_test_id("audience-total")).to_have_text("1")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("recipients")).to_have_text("1")
    expect(page.get_by_test_id("acknowledged")).to_have_text("0")
    bulletin = RiskBulletin.objects.get()

    sign_in(page, manager, f"/risk/bulletins/{bulletin.pk}/")
    page.get_by_test_id("acknowledge-button").click()
    expect(page.get_by_test_id("acknowledge")).to_contain_text("确认收到此预警")

    sign_in(page, official, f"/risk/bulletins/{bulletin.pk}/dispatch/")
    expect(page.get_by_test_id("acknowledged")).to_have_text("1")
