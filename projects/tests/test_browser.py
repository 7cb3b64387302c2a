"""The project library in a real browser: an enterprise registers and submits a project, an
official returns it with a comment, the enterprise corrects and resubmits, the official
approves, and the overseas map colours the country and links to its projects."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.choices import MembershipRole, OrganizationKind
from portal.testing.factories import TEST_PASSWORD, OrganizationFactory, member
from projects.choices import FilingStatus, ReviewAction
from projects.models import Project

pytestmark = pytest.mark.browser

# Kenya's interior, and a country with no project (Brazil), as longitude and latitude.
KENYA = (37.9, 0.2)
BRAZIL = (-51.0, -10.0)


def sign_in(page, user, then: str) -> None:
    """Sign in through the login page, which then opens `then`."""
    page.goto(f"/login/?next={then}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


def sign_out(page) -> None:
    """End the session (the portal's own sign-out is tested in portal/tests/test_browser.py)."""
    page.context.clear_cookies()


def open_from_review_queue(page, name: str) -> None:
    page.goto("/projects/review/")
    page.get_by_test_id("review-queue").get_by_role("link", name=name).click()
    expect(page.locator("h1")).to_have_text(name)


def map_pixel(page, lng_lat) -> dict:
    """Where a point falls on the map (CSS pixels from the container) and the colour drawn there."""
    return page.evaluate(
        """([lng, lat]) => {
            const el = document.getElementById("project-map");
            const chart = echarts.getInstanceByDom(el);
            const [x, y] = chart.convertToPixel({seriesIndex: 0}, [lng, lat]);
            const canvas = el.querySelector("canvas");
            const ratio = canvas.width / canvas.clientWidth;
            const rgba = canvas.getContext("2d").getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data;
            return {x, y, rgb: [rgba[0], rgba[1], rgba[2]]};
        }""",
        list(lng_lat),
    )


def test_a_project_is_filed_returned_corrected_approved_and_shown_on_the_map(browser_page):
    page = browser_page
    enterprise = OrganizationFactory(name="湖北荆楚路桥国际有限公司", kind=OrganizationKind.ENTERPRISE)
    admin = member(enterprise, MembershipRole.ADMIN)
    agency = OrganizationFactory(name="湖北省商务厅", kind=OrganizationKind.AGENCY)
    reviewer = member(agency, can_review=True)
    name = "蒙巴萨—内罗毕公路改扩建工程"

    # The enterprise registers the project from its workspace and submits it.
    sign_in(page, admin, "/projects/workspace/")
    page.locator(".page-head").get_by_role("link", name="登记项目").click()
    expect(page).to_have_url(re.compile(r"/projects/new/$"))
    page.fill("#id_name", name)
    page.fill("#id_name_en", "Mombasa-Nairobi Highway Upgrade")
    page.select_option("#id_country", "KE")
    page.fill("#id_location", "蒙巴萨至内罗毕")
    page.select_option("#id_sector", "transport")
    page.select_option("#id_business_model", "epc")
    page.select_option("#id_stage", "signed")
    page.fill("#id_contract_value", "180000000")
    page.select_option("#id_currency", "USD")
    page.fill("#id_start_date", "2025-03-01")
    page.fill("#id_planned_completion", "2024-12-31")
    page.get_by_role("button", name="保存").click()
    # Bad input comes back on its field, and nothing is saved.
    expect(page.locator(".field--error")).to_have_count(1)
    expect(page.locator(".field--error")).to_contain_text("计划竣工日期不能早于开工日期")
    assert not Project.objects.exists()
    page.fill("#id_planned_completion", "2027-06-30")
    page.fill("#id_chinese_staff", "85")
    page.fill("#id_local_staff", "640")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+/$"))
    expect(page.locator(".alert--success")).to_contain_text("项目已保存为草稿")
    page.get_by_role("button", name="提交备案").click()
    expect(page.locator(".alert--success")).to_contain_text("已提交备案")
    expect(page.locator(".status")).to_have_text("待审核")
    project = Project.objects.get(name=name)
    assert project.filing_status == FilingStatus.SUBMITTED
    sign_out(page)

    # The official opens it from the review queue and returns it; a comment is required.
    sign_in(page, reviewer, "/projects/review/")
    open_from_review_queue(page, name)
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator(".field__error")).to_contain_text("退回时必须填写意见")
    page.fill("#id_comment", "请补充项目所在郡县，并核对计划竣工日期。")
    page.get_by_role("button", name="退回修改").click()
    expect(page).to_have_url(re.compile(r"/projects/review/$"))
    expect(page.locator(".alert--success")).to_contain_text("退回企业修改")
    expect(page.get_by_test_id("review-queue")).to_have_count(0)
    sign_out(page)

    # The enterprise reads the comment, corrects the project and submits it again.
    sign_in(page, admin, "/projects/workspace/")
    page.get_by_test_id("workspace-row").get_by_role("link", name=name).click()
    expect(page.get_by_test_id("return-comment")).to_contain_text("请补充项目所在郡县")
    page.get_by_role("link", name="修改", exact=True).click()
    page.fill("#id_location", "肯尼亚蒙巴萨郡至内罗毕郡")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert--success")).to_contain_text("项目信息已保存")
    page.get_by_role("button", name="提交备案").click()
    expect(page.locator(".status")).to_have_text("待审核")
    sign_out(page)

    # The official approves it.
    sign_in(page, reviewer, "/projects/review/")
    open_from_review_queue(page, name)
    expect(page.get_by_test_id("review-history")).to_contain_text("请补充项目所在郡县")
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".alert--success")).to_contain_text("已通过")
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.APPROVED
    assert [r.action for r in project.reviews.all()] == [
        ReviewAction.SUBMITTED,
        ReviewAction.RETURNED,
        ReviewAction.SUBMITTED,
        ReviewAction.APPROVED,
    ]

    # The map colours Kenya (and not Brazil), and Kenya links to its list.
    page.goto("/projects/map/")
    chart = page.locator("#project-map")
    expect(chart).to_have_attribute("data-ready", "true")
    chart.scroll_into_view_if_needed()
    kenya, brazil = map_pixel(page, KENYA), map_pixel(page, BRAZIL)
    red, _green, blue = kenya["rgb"]
    assert blue - red > 40, kenya  # a shade of the map's blue
    assert max(brazil["rgb"]) - min(brazil["rgb"]) < 20, brazil  # the grey of a country without projects
    box = chart.bounding_box()
    page.mouse.click(box["x"] + kenya["x"], box["y"] + kenya["y"])
    expect(page).to_have_url(re.compile(r"/projects/\?country=KE&filing_status=approved$"))
    expect(page.get_by_test_id("project-row")).to_have_count(1)
    expect(page.get_by_test_id("project-row")).to_contain_text(name)


def test_the_statistics_page_draws_its_chart_for_an_official(browser_page):
    page = browser_page
    enterprise = OrganizationFactory(kind=OrganizationKind.ENTERPRISE)
    official = member(OrganizationFactory(kind=OrganizationKind.AGENCY), can_review=True)
    for country, value in (("KE", 180_000_000), ("KZ", 45_000_000), ("KE", 12_000_000)):
        Project.objects.create(
            organization=enterprise,
            name=f"{country} 项目 {value}",
            country_id=country,
            sector="transport",
            business_model="epc",
            stage="under_construction",
            contract_value=value,
            currency="USD",
            contract_value_usd=value,
            filing_status=FilingStatus.APPROVED,
        )
    sign_in(page, official, "/projects/statistics/")
    expect(page.locator("#statistics-chart")).to_have_attribute("data-ready", "true")
    expect(page.get_by_test_id("statistics-row").first).to_contain_text("肯尼亚")
    page.get_by_role("link", name="行业", exact=True).click()
    expect(page).to_have_url(re.compile(r"by=sector"))
    expect(page.locator("#statistics-chart")).to_have_attribute("data-ready", "true")
    expect(page.get_by_test_id("statistics-row")).to_have_count(1)
    # The map offers officials the contract value as the colouring.
    page.goto("/projects/map/?metric=value")
    expect(page.locator("#project-map")).to_have_attribute("data-ready", "true")
    expect(page.get_by_test_id("map-table")).to_contain_text("192,000,000")
