"""The trainings' pages: the calendar (public, by half, filters, empty state, pinned queries),
the organisers' pages' role matrix, the .ics feeds, attendance export and the certificate with
its public verification link."""

from datetime import timedelta
from unittest import mock

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from portal.testing.cast import roles
from portal.testing.pages import PageMatrix
from talent.trainings import services
from talent.trainings.choices import SessionStatus
from talent.trainings.models import Enrollment

from .factories import make_session

pytestmark = pytest.mark.django_db

ORGANISERS = {"trainer": 200, "official": 200}


class TestADraftSessionsPages(PageMatrix):
    url_name = "trainings:detail"
    expect = {
        "get": roles(404, ORGANISERS),
        "get:edit": roles(404, ORGANISERS, anonymous="login"),
        "get:publish": roles(404, ORGANISERS, anonymous="login"),
        "get:attendance": roles(404, ORGANISERS, anonymous="login"),
    }

    def make_record(self, cast):
        return make_session(status=SessionStatus.DRAFT)


class TestAPublishedSessionsPages(PageMatrix):
    url_name = "trainings:detail"
    expect = {
        "get": roles(200),
        "get:edit": roles(403, ORGANISERS, anonymous="login"),
        "get:cancel": roles(403, ORGANISERS, anonymous="login"),
        "get:attendance": roles(403, ORGANISERS, anonymous="login"),
        "post:enroll": roles("done", anonymous="login"),
    }
    effects = {"post:enroll": lambda s: s.enrollments.count() == 1}

    def make_record(self, cast):
        return make_session(capacity=5)


def test_the_calendar_lists_published_sessions_by_half_for_anyone(client, django_assert_num_queries):
    make_session(title="上半年培训", starts_at=timezone.make_aware(timezone.datetime(2027, 3, 10, 9)))
    make_session(title="下半年培训", starts_at=timezone.make_aware(timezone.datetime(2027, 9, 10, 9)))
    make_session(title="草稿培训", status=SessionStatus.DRAFT)
    # the session (for the page's user), the count, the page with seat counts
    with django_assert_num_queries(2):
        response = client.get(reverse("trainings:calendar"))
    text = response.content.decode()
    assert "上半年培训" in text and "下半年培训" in text and "草稿培训" not in text
    assert "2027年上半年" in text and "2027年下半年" in text
    filtered = client.get(reverse("trainings:calendar"), {"half": "1", "year": "2027"}).content.decode()
    assert "上半年培训" in filtered and "下半年培训" not in filtered
    empty = client.get(reverse("trainings:calendar"), {"year": "2030"}).content.decode()
    assert 'data-testid="trainings-empty"' in empty
    assert "没有符合条件的培训" in empty and "清除筛选" in empty  # filtered empty, not "no trainings"


def test_the_calendar_feed_and_one_sessions_feed_parse_and_carry_the_sequence(cast, client):
    session = make_session(capacity=5)
    services.session_update(actor=cast.trainer, session=session, venue="线上直播")
    make_session(status=SessionStatus.DRAFT, title="草稿")
    feed = icalendar.Calendar.from_ical(client.get(reverse("trainings:calendar_ics")).content)
    events = feed.walk("VEVENT")
    assert len(events) == 1
    assert events[0]["SEQUENCE"] == 1
    assert str(events[0]["LOCATION"]) == "线上直播"
    one = client.get(reverse("trainings:session_ics", kwargs={"pk": session.pk}))
    assert one["Content-Type"].startswith("text/calendar")
    services.session_cancel(actor=cast.trainer, session=session)
    cancelled = icalendar.Calendar.from_ical(
        client.get(reverse("trainings:session_ics", kwargs={"pk": session.pk})).content
    )
    event = cancelled.walk("VEVENT")[0]
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 2)


def test_the_attendance_list_exports_as_xlsx_and_csv(cast, client):
    session = make_session(capacity=5)
    services.enroll(actor=cast.owner, session=session)
    client.force_login(cast.trainer)
    url = reverse("trainings:attendance", kwargs={"pk": session.pk})
    xlsx = client.get(url, {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert str(cast.owner) in csv


def test_a_certificate_downloads_once_attended_and_its_link_verifies_for_anyone(cast, client):
    session = make_session(capacity=5, starts_at=timezone.now() + timedelta(days=3))
    enrollment = services.enroll(actor=cast.talent, session=session)
    client.force_login(cast.talent)
    url = reverse("trainings:certificate", kwargs={"pk": session.pk})
    assert client.get(url).status_code == 404  # not yet attended
    with mock.patch("django.utils.timezone.now", return_value=session.starts_at):
        services.check_in(actor=cast.talent, session=session, code=enrollment.check_in_code)
    pdf = client.get(url)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.logout()
    code = Enrollment.objects.get(pk=enrollment.pk).certificate_code
    page = client.get(reverse("trainings:certificate_verify", kwargs={"code": code}))
    assert page.status_code == 200 and 'data-testid="certificate-valid"' in page.content.decode()
    fake = client.get(reverse("trainings:certificate_verify", kwargs={"code": "00000000-0000-0000-0000-000000000000"}))
    assert fake.status_code == 404


def test_my_trainings_and_the_enterprise_record_show_attendance(cast, client):
    session = make_session(capacity=5)
    mine = services.enroll(actor=cast.colleague, session=session)
    services.attendance_mark(actor=cast.trainer, session=session, attended_ids=[mine.pk])
    client.force_login(cast.colleague)
    assert "已出勤" in client.get(reverse("trainings:mine")).content.decode()
    client.force_login(cast.owner)
    record = client.get(reverse("trainings:record")).content.decode()
    assert str(cast.colleague) in record and "已出勤" in record
    client.force_login(cast.outsider)
    assert str(cast.colleague) not in client.get(reverse("trainings:record")).content.decode()


def test_my_trainings_the_record_and_the_attendance_sheet_pin_their_queries(cast, client, django_assert_num_queries):
    sessions = [make_session(capacity=5) for _n in range(3)]
    for session in sessions:
        services.enroll(actor=cast.owner, session=session)
        services.enroll(actor=cast.colleague, session=session)
    client.force_login(cast.owner)
    client.get(reverse("trainings:mine"))  # warm the session
    # session, user, count, opt-in, membership, the unread badge, page of enrolments with sessions
    with django_assert_num_queries(7):
        client.get(reverse("trainings:mine"))
    # session, user, membership, count, the unread badge, page of enrolments with sessions and people
    with django_assert_num_queries(6):
        client.get(reverse("trainings:record"))
    client.force_login(cast.trainer)
    url = reverse("trainings:attendance", kwargs={"pk": sessions[0].pk})
    # session, user, membership, the session, the unread badge, the sheet with people and organisations
    with django_assert_num_queries(6):
        client.get(url)
