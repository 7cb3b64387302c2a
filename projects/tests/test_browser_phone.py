"""Every page of the project library and the organisation and account pages on a 390 x 844
phone, as the role that uses it: nothing scrolls sideways (tables scroll in their own box or
become cards), the navigation is a "菜单" that opens, the filter bar is closed until tapped, the
statistics' names are not broken a character a line and their chart labels do not overlap."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Notification
from portal.testing.cast import make_cast
from projects import services
from projects.choices import FilingStatus, Stage

from .factories import ProjectFactory, ProjectReportFactory, SurveyFactory, filed_project
from .test_browser import sign_in, sign_out

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG_NAME = "蒙内铁路内罗毕至马拉巴段（二期）站房及配套设施建设工程总承包项目"

# What overflows the page (for the failure message): elements whose right edge passes the
# window's, outside any box that scrolls on its own.
OVERFLOWING = """() => {
    const width = window.innerWidth;
    const inScroller = (el) => {
        for (let p = el.parentElement; p; p = p.parentElement) {
            const style = getComputedStyle(p);
            if (["auto", "scroll", "hidden"].includes(style.overflowX)) return true;
        }
        return false;
    };
    return [...document.body.querySelectorAll("*")]
        .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !inScroller(el))
        .slice(0, 8)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)}px)`);
}"""


def fits(page, path: str) -> list[str]:
    """Open `path` at phone width; the problems found (none: the page fits and its menu opens)."""
    page.goto(path)
    expect(page.locator("main h1").first).to_be_visible()
    for chart in page.locator("[id=project-map], [id=statistics-chart]").all():
        expect(chart).to_have_attribute("data-ready", "true")
    problems = []
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        problems.append(f"{path}: scrolls sideways ({scroll}px > {inner}px): {page.evaluate(OVERFLOWING)}")
    # The navigation is one tap away, and fits once open.
    nav = page.locator("nav.site-nav")
    link = nav.locator("a[href$='/projects/']")
    if link.is_visible():
        problems.append(f"{path}: the navigation is not collapsed")
    page.get_by_test_id("menu-toggle").click()
    expect(link).to_be_visible()
    expect(nav.get_by_role("searchbox")).to_be_visible()
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        problems.append(f"{path}: scrolls sideways with the menu open ({scroll}px > {inner}px)")
    page.get_by_test_id("menu-toggle").click()
    expect(link).to_be_hidden()
    # The header is compact: the main heading starts within the first 260 px.
    top = page.locator("main").bounding_box()["y"]
    if top > 260:
        problems.append(f"{path}: the header takes {top:.0f}px")
    return problems


@pytest.fixture
def library():
    """Two enterprises' projects in every state a page shows, a report, an open survey."""
    cast = make_cast()
    approved = filed_project(owner=cast.owner, reviewer=cast.reviewer, name=LONG_NAME)
    report = ProjectReportFactory(project=approved)
    ProjectFactory(organization=cast.enterprise, stage=Stage.INTENDED, name="越南北江工业园（意向）", country_id="VN")
    returned = filed_project(owner=cast.owner, reviewer=cast.reviewer, status=FilingStatus.RETURNED)
    submitted = services.project_submit(
        actor=cast.outsider, project=ProjectFactory(organization=cast.outsider_org, name="哈萨克斯坦风电项目")
    )
    for code in ("KZ", "ID", "TZ", "ET", "PK", "SA", "BR", "RS", "MY"):
        ProjectFactory(organization=cast.outsider_org, approved=True, country_id=code, name=f"{code} 项目")
    survey = SurveyFactory(opened_by=cast.reviewer, opens_on=timezone.localdate() - dt.timedelta(days=1))
    Notification.objects.create(
        recipient=cast.owner,
        kind="system",
        title="关于做好2026年上半年对外承包工程项目半年报报送工作的通知（请于7月15日前完成）",
        body="请登录平台，在“本企业项目”中报送各项目上半年的完成营业额、新签合同额和中外方人员情况。",
        dedupe_key="phone-test",
    )
    return cast, approved, report, returned, submitted, survey


def test_every_page_fits_a_phone_and_its_menu_opens(browser_page, library, settings):
    cast, approved, report, returned, submitted, survey = library
    # The footer with everything a government site shows in it.
    settings.PORTAL_SITE_INFO = {
        "HOST_ORGANIZATION": "湖北省商务厅　湖北省住房和城乡建设厅",
        "CONTACT": "027-87235000　湖北省武汉市武昌区中北路",
        "ICP_NUMBER": "鄂ICP备05003302号-1",
        "PUBLIC_SECURITY_NUMBER": "鄂公网安备42010602000123号",
        "SITE_CODE": "4200000021",
        "MAP_APPROVAL_NUMBER": "GS(2024)0650号",
    }
    page = browser_page
    page.set_viewport_size(PHONE)
    problems = []

    for path in ("/", "/projects/", f"/projects/{approved.pk}/", "/projects/map/", "/countries/", "/login/"):
        problems += fits(page, path)
    # English names are longer.
    for path in ("/en/", "/en/projects/", f"/en/projects/{approved.pk}/", "/en/projects/map/"):
        problems += fits(page, path)

    sign_in(page, cast.owner, "/projects/workspace/")
    for path in (
        "/projects/workspace/",
        "/projects/",
        f"/projects/{approved.pk}/",
        "/projects/new/",
        f"/projects/{returned.pk}/edit/",
        f"/projects/{approved.pk}/edit/",
        f"/projects/{approved.pk}/reports/{report.pk}/",
        f"/projects/{returned.pk}/delete/",
        f"/projects/surveys/{survey.pk}/respond/",
        "/projects/map/",
        "/organization/",
        f"/organization/members/{cast.colleague.org_membership.pk}/remove/",
        "/organization/webhook-secret/rotate/",
        "/account/",
        "/account/password/",
        "/inbox/",
        "/inbox/preferences/",
        "/en/projects/workspace/",
        "/en/organization/",
    ):
        problems += fits(page, path)
    sign_out(page)

    sign_in(page, cast.official, "/projects/review/")
    for path in (
        "/projects/review/",
        f"/projects/{submitted.pk}/",
        f"/projects/{approved.pk}/",
        "/projects/statistics/",
        "/projects/statistics/?by=sector",
        "/projects/statistics/?by=business_model",
        "/projects/map/",
        "/projects/surveys/",
        f"/projects/surveys/{survey.pk}/",
        "/projects/",
        "/organization/",
        "/account/",
        "/inbox/",
        "/en/projects/review/",
        "/en/projects/statistics/",
    ):
        problems += fits(page, path)
    assert problems == []


def test_the_filter_bar_is_closed_on_a_phone_and_open_on_a_wide_screen(browser_page, library):
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto("/projects/")
    form = page.get_by_test_id("filter-form")
    expect(form).to_be_hidden()
    # The first result is on the first screen, not under 1,700 px of filters.
    first = page.get_by_test_id("project-row").first.bounding_box()
    assert first["y"] < PHONE["height"]
    page.get_by_test_id("filter-toggle").click()
    expect(form).to_be_visible()
    # A drop-down of checkboxes: tick two stages, no Ctrl-click.
    page.get_by_test_id("dropdown-stage").click()
    page.get_by_label("意向").check()
    page.get_by_label("在建").check()
    form.get_by_role("button", name="查询").click()
    chips = page.get_by_test_id("filter-chip")
    expect(chips).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # A chip removes its one value.
    chips.filter(has_text="意向").click()
    expect(page.get_by_test_id("filter-chip")).to_have_count(1)
    expect(page.get_by_test_id("filter-chip")).to_contain_text("在建")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/projects/")
    expect(page.get_by_test_id("filter-form")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="海外项目库")).to_be_visible()
    expect(page.get_by_test_id("menu-toggle")).to_be_hidden()


def test_statistics_names_stay_whole_and_chart_labels_do_not_overlap_on_a_phone(browser_page, library):
    cast = library[0]
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, cast.official, "/projects/statistics/?by=country")
    expect(page.locator("#statistics-chart")).to_have_attribute("data-ready", "true")
    # Each name's cell holds at least five characters a line (not one).
    widths = page.eval_on_selector_all(
        "[data-testid=statistics-row] td:first-child",
        "cells => cells.map(c => c.clientWidth / parseFloat(getComputedStyle(c).fontSize))",
    )
    assert widths and min(widths) >= 5
    # The category labels are rotated or cut short to the width a bar has, inside the grid.
    label = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById("statistics-chart"));
            const option = chart.getOption();
            return {axis: option.xAxis[0].axisLabel, grid: option.grid[0]};
        }"""
    )
    assert label["grid"]["containLabel"] is True
    assert label["axis"]["rotate"] > 0
    assert label["axis"]["overflow"] == "truncate"
    assert label["axis"]["width"] > 0


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_the_site_search_box_leads_to_the_projects_found(browser_page, library, viewport):
    page = browser_page
    page.set_viewport_size(viewport)
    page.goto("/countries/")
    if viewport is PHONE:
        page.get_by_test_id("menu-toggle").click()
    search = page.get_by_test_id("site-search")
    search.get_by_role("searchbox").fill("铁路")
    search.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/projects/\?search="))
    rows = page.get_by_test_id("project-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(LONG_NAME)
    # The words searched for are the library's search filter, shown as its chip.
    expect(page.get_by_test_id("filter-chip")).to_contain_text("铁路")


def test_the_check_sees_a_page_that_scrolls_sideways(browser_page):
    """The measure itself: a page with something wider than the phone fails it."""
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto("/countries/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.evaluate(
        """() => {
            const wide = document.createElement("p");
            wide.textContent = "x".repeat(40);
            wide.className = "secret";
            wide.classList.add("wide-for-the-test");
            document.querySelector("main").append(wide);
            document.querySelector(".wide-for-the-test").style.width = "600px";
        }"""
    )
    assert not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert any("wide-for-the-test" in item for item in page.evaluate(OVERFLOWING))
