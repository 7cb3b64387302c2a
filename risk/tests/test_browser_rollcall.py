"""A safety roll-call in a real browser: an official publishes a severe bulletin, which opens a
roll-call; the exposed enterprise reports one project safe and one affected; the official's
board shows them, the organisation that has not reported first."""

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
from risk.models import RollCall

pytestmark = pytest.mark.browser


def sign_in(page, user, then: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/login/?next={then}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_a_severe_bulletin_opens_a_roll_call_the_enterprise_reports_and_the_board_shows_it(
    browser_page, tasks_run_here
):
    page = browser_page
    agency = OrganizationFactory(name="湖北省商务厅", kind=OrganizationKind.AGENCY)
    official = member(agency, can_publish_risk=True)
    enterprise = OrganizationFactory(name="湖北楚天国际工程有限公司", kind=OrganizationKind.ENTERPRISE)
    manager = member(enterprise, MembershipRole.ADMIN)
    port = ProjectFactory(
        organization=enterprise, country_id="KE", filing_status=FilingStatus.APPROVED, name="蒙巴萨港"
    )
    road = ProjectFactory(
        organization=enterprise, country_id="KE", filing_status=FilingStatus.APPROVED, name="内罗毕公路"
    )
    silent = OrganizationFactory(name="长沙湘江海外建设集团有限公司", kind=OrganizationKind.ENTERPRISE)
    member(silent, MembershipRole.ADMIN)
    ProjectFactory(organization=silent, country_id="KE", filing_status=FilingStatus.APPROVED)
    now = timezone.localtime()

    sign_in(page, official, "/risk/bulletins/new/")
    page.select_option("#id_countries", ["KE"])
    page.fill("#id_title", "肯尼亚骚乱安全预警")
    page.fill("#id_body", "多地发生骚乱，请立即加强营地安保并报备人员安全情况。")
    page.select_option("#id_category", "civil_unrest")
    page.select_option("#id_severity", "severe")
    page.fill("#id_effective_at", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_expires_at", (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("save").click()
    page.get_by_test_id("bulletin-publish").click()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("recipients")).to_have_text("2")
    rollcall = RollCall.objects.get()
    url = f"/risk/rollcalls/{rollcall.pk}/"

    sign_in(page, manager, "/risk/rollcalls/")
    page.get_by_role("link", name="肯尼亚骚乱安全预警").click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    page.select_option(f"#p{port.pk}_status", "safe")
    page.get_by_test_id(f"report-{port.pk}").click()
    expect(page.locator(f'[data-project="{port.pk}"]')).to_have_attribute("data-status", "safe")
    page.select_option(f"#p{road.pk}_status", "affected")
    page.fill(f"#p{road.pk}_injured", "2")
    page.fill(f"#p{road.pk}_evacuated", "15")
    page.fill(f"#p{road.pk}_note", "工地遭冲击，两人轻伤，已撤往营地")
    page.get_by_test_id(f"report-{road.pk}").click()
    expect(page.locator(f'[data-project="{road.pk}"]')).to_have_attribute("data-status", "affected")
    expect(page.get_by_test_id("history")).to_contain_text("两人轻伤")

    sign_in(page, official, url)
    rows = page.get_by_test_id("board-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("长沙湘江海外建设集团有限公司")
    expect(rows.nth(0)).to_contain_text("未报送")
    expect(rows.nth(1)).to_contain_text("湖北楚天国际工程有限公司")
    expect(page.get_by_test_id("figure-safe")).to_contain_text("1")
    expect(page.get_by_test_id("figure-affected")).to_contain_text("1")
    expect(page.get_by_test_id("figure-pending")).to_contain_text("1")
