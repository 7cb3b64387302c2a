"""The talent pool, openings and the safety roll-call on a 390 x 844 phone, as the roles that
use them: nothing scrolls sideways (tables scroll in their own box or become cards), the
navigation is a "菜单" that opens, the header stays compact. The same check as the project and
supplier libraries' phone journeys (projects/tests/test_browser_phone.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.testing.cast import make_cast
from projects.tests.factories import ProjectFactory
from projects.tests.test_browser_phone import PHONE, fits
from risk import rollcalls
from suppliers.tests.test_browser import sign_in
from talent import openings

from .factories import make_profile
from .test_openings import post_opening

pytestmark = pytest.mark.browser

LONG_EMPLOYER = "中国建筑第三工程局有限公司海外事业部东非区域总部（肯尼亚蒙巴萨）"


@pytest.fixture
def pool():
    """A talent's profile with a long employer and many entries, an enterprise's staff profile,
    an opening with the talent's application, and an open roll-call with one report."""
    cast = make_cast()
    mine = make_profile(
        cast.talent,
        current_employer=LONG_EMPLOYER,
        languages=(("en", "C1"), ("fr", "B2"), ("ar", "A2")),
        certificates=(("pmp", None), ("fidic", None), ("nebosh", None)),
        experiences=(("KE", "项目经理"), ("ET", "总工程师"), ("NG", "安全总监")),
        desired=("KE", "TZ", "ET", "UG"),
    )
    staff = make_profile(cast.owner, full_name="王技术员", current_employer=cast.enterprise.name)
    project = ProjectFactory(
        organization=cast.enterprise, approved=True, country_id="KE", name="蒙巴萨港二期集装箱码头工程"
    )
    opening = post_opening(cast)
    application = openings.application_create(actor=cast.talent, opening=opening, note="五年东非港口经验。")
    rollcall = rollcalls.rollcall_start(
        actor=cast.publisher,
        data={
            "title": "肯尼亚大选期间平安报备",
            "countries": ["KE"],
            "severity": "severe",
            "ends_at": timezone.now() + dt.timedelta(days=2),
        },
    )
    ProjectFactory(organization=cast.outsider_org, approved=True, country_id="KE")
    rollcalls.rollcall_report(
        actor=cast.owner,
        rollcall=rollcall,
        project_id=project.pk,
        data={"status": "affected", "injured": 1, "evacuated": 12, "note": "营地周边发生冲突，已撤离至港区"},
    )
    return cast, mine, staff, opening, application, rollcall


def test_every_talent_and_roll_call_page_fits_a_phone_and_its_menu_opens(browser_page, pool):
    cast, mine, staff, opening, _application, rollcall = pool
    page = browser_page
    page.set_viewport_size(PHONE)
    problems = []

    sign_in(page, cast.talent, "/talent/mine/")
    for path in (
        "/talent/mine/",
        f"/talent/profiles/{mine.pk}/",
        f"/talent/profiles/{mine.pk}/edit/",
        f"/talent/profiles/{mine.pk}/withdraw/",
        "/talent/openings/",
        f"/talent/openings/{opening.pk}/",
        "/talent/applications/",
        f"/en/talent/profiles/{mine.pk}/",
    ):
        problems += fits(page, path)

    sign_in(page, cast.owner, "/talent/search/")
    for path in (
        "/talent/search/",
        "/talent/search/?country=KE&language=en&level=B2&certificate=pmp",
        f"/talent/profiles/{mine.pk}/",
        f"/talent/profiles/{staff.pk}/",
        "/talent/new/",
        "/talent/import/",
        "/talent/openings/new/",
        f"/talent/openings/{opening.pk}/applications/",
        f"/talent/openings/{opening.pk}/close/",
        "/risk/rollcalls/",
        f"/risk/rollcalls/{rollcall.pk}/",
        f"/en/risk/rollcalls/{rollcall.pk}/",
    ):
        problems += fits(page, path)

    sign_in(page, cast.official, "/risk/rollcalls/")
    for path in (
        "/risk/rollcalls/",
        "/risk/rollcalls/new/",
        f"/risk/rollcalls/{rollcall.pk}/",
        f"/risk/rollcalls/{rollcall.pk}/close/",
        f"/en/risk/rollcalls/{rollcall.pk}/",
        "/talent/search/?country=KE",
    ):
        problems += fits(page, path)
    assert problems == []
