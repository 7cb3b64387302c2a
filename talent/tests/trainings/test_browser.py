"""The trainings in a real browser: an official publishes a session, an enterprise member takes
its only seat, a talent joins the waiting list, the member cancels, the talent takes the seat,
the official marks attendance and the talent downloads the certificate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.choices import MembershipRole, OrganizationKind
from portal.testing.factories import TEST_PASSWORD, OrganizationFactory, UserFactory, member
from talent.trainings.choices import EnrollmentStatus, SessionStatus
from talent.trainings.models import Enrollment

from .factories import make_session

pytestmark = pytest.mark.browser


def sign_in(page, user, then: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/login/?next={then}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_a_session_is_published_filled_waited_for_freed_taken_attended_and_certified(browser_page):
    page = browser_page
    agency = OrganizationFactory(name="湖北省商务厅", kind=OrganizationKind.AGENCY)
    official = member(agency, can_organise_training=True)
    enterprise = OrganizationFactory(name="湖北楚天国际工程有限公司", kind=OrganizationKind.ENTERPRISE)
    staff = member(enterprise, MembershipRole.MEMBER)
    talent = UserFactory(display_name="李工程师")
    session = make_session(status=SessionStatus.DRAFT, capacity=1, title="境外风险识别专题培训")
    detail = f"/trainings/{session.pk}/"

    # The official publishes it.
    sign_in(page, official, detail)
    page.get_by_test_id("publish").click()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("training-status")).to_have_text("已发布")

    # The enterprise member takes the only seat.
    sign_in(page, staff, detail)
    page.get_by_test_id("enroll").click()
    expect(page.get_by_test_id("my-status")).to_have_text("已报名")

    # The talent finds it full and waits.
    sign_in(page, talent, detail)
    expect(page.get_by_test_id("enroll")).to_have_text("加入候补")
    page.get_by_test_id("enroll").click()
    expect(page.get_by_test_id("my-status")).to_have_text("候补中")

    # The member cancels; the seat is offered to the talent, who takes it.
    sign_in(page, staff, detail)
    page.get_by_test_id("unenroll").click()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("enroll")).to_be_visible()
    sign_in(page, talent, detail)
    expect(page.get_by_test_id("my-status")).to_have_text("候补递补待确认")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("my-status")).to_have_text("已报名")

    # The official marks attendance.
    sign_in(page, official, f"/trainings/{session.pk}/attendance/")
    page.get_by_label(str(talent)).check()
    page.get_by_test_id("save-attendance").click()
    expect(page.get_by_label(str(talent))).to_be_checked()
    assert Enrollment.objects.get(session=session, user=talent).attended
    assert Enrollment.objects.get(session=session, user=staff).status == EnrollmentStatus.CANCELLED

    # The talent downloads the certificate.
    sign_in(page, talent, detail)
    with page.expect_download() as download:
        page.get_by_test_id("certificate").click()
    assert download.value.suggested_filename.startswith("certificate-")
