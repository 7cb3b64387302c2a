"""The trainings' rules: publishing and its announcement, each notice once, the waiting list,
offers passing on, attendance and the twice-yearly warning."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.models import Notification
from portal.testing.factories import UserFactory
from talent.trainings import services, tasks
from talent.trainings.choices import EnrollmentStatus, SessionStatus
from talent.trainings.models import Enrollment, TrainingNoticeOptIn

from .factories import make_session

pytestmark = pytest.mark.django_db


def _keys(user):
    return list(Notification.objects.filter(recipient=user).values_list("dedupe_key", flat=True))


def test_an_official_without_the_training_permission_cannot_create_a_session(cast):
    with pytest.raises(PermissionDenied):
        services.session_create(actor=cast.reviewer, title="x")


def test_creating_a_session_reports_every_error_at_once(cast):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.session_create(
            actor=cast.trainer,
            title="",
            topics=[],
            year=now.year,
            half=1,
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=2),
            capacity=10,
            registration_deadline=now + timedelta(days=1),
        )
    fields = set(error.value.message_dict)
    assert {"title", "topics", "ends_at", "venue"} <= fields


def test_publishing_announces_to_enterprise_and_supplier_members_and_the_opted_in_once(
    cast, tasks_run_here, django_capture_on_commit_callbacks
):
    TrainingNoticeOptIn.objects.create(user=cast.talent)
    session = make_session(status=SessionStatus.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_publish(actor=cast.trainer, session=session)
    key = f"training:{session.pk}:announce"
    told = set(Notification.objects.filter(dedupe_key=key).values_list("recipient_id", flat=True))
    assert {cast.owner.pk, cast.colleague.pk, cast.outsider.pk, cast.supplier.pk, cast.talent.pk} == told
    assert tasks.trainings_announce(session.pk) == 0  # a second run tells no one again
    assert Notification.objects.filter(dedupe_key=key).count() == len(told)


def test_a_draft_cannot_be_enrolled_in(cast):
    session = make_session(status=SessionStatus.DRAFT)
    with pytest.raises(ValidationError):
        services.enroll(actor=cast.owner, session=session)


def test_a_full_session_puts_the_next_person_on_the_waiting_list(cast):
    session = make_session(capacity=1)
    first = services.enroll(actor=cast.owner, session=session)
    second = services.enroll(actor=cast.talent, session=session)
    assert (first.status, second.status) == (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING)
    with pytest.raises(ValidationError):
        services.enroll(actor=cast.owner, session=session)


def test_cancelling_offers_the_seat_to_the_first_waiting_who_may_take_it(cast):
    session = make_session(capacity=1)
    seat = services.enroll(actor=cast.owner, session=session)
    waiting = services.enroll(actor=cast.talent, session=session)
    services.enrollment_cancel(actor=cast.owner, enrollment=seat)
    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.OFFERED
    assert waiting.offer_expires_at == pytest.approx(timezone.now() + timedelta(hours=48), abs=timedelta(minutes=1))
    services.offer_accept(actor=cast.talent, enrollment=waiting)
    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.ENROLLED


def test_an_offer_not_taken_in_time_passes_to_the_next_waiting(cast, settings):
    settings.TRAININGS = {**settings.TRAININGS, "OFFER_HOURS": 48}
    session = make_session(capacity=1)
    seat = services.enroll(actor=cast.owner, session=session)
    second = services.enroll(actor=cast.talent, session=session)
    third = services.enroll(actor=cast.colleague, session=session)
    services.enrollment_cancel(actor=cast.owner, enrollment=seat)
    later = timezone.now() + timedelta(hours=49)
    assert services.offers_expire(now=timezone.now() + timedelta(hours=47)) == 0
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert services.offers_expire() == 1
        assert services.offers_expire() == 0  # the job running twice expires nothing more
        with pytest.raises(ValidationError):
            services.offer_accept(actor=cast.talent, enrollment=second)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == EnrollmentStatus.CANCELLED
    assert third.status == EnrollmentStatus.OFFERED


def test_reminders_and_the_closed_notice_are_sent_once_however_often_the_job_runs(cast):
    session = make_session(capacity=5, days_ahead=10)
    services.enroll(actor=cast.owner, session=session)
    in_four_days = session.starts_at - timedelta(days=6)
    for _run in range(2):
        services.trainings_remind(now=in_four_days)
    assert _keys(cast.owner).count(f"training:{session.pk}:remind:7d") == 1
    the_eve = session.starts_at - timedelta(hours=20)
    for _run in range(2):
        services.trainings_remind(now=the_eve)
    keys = _keys(cast.owner)
    assert keys.count(f"training:{session.pk}:remind:1d") == 1
    assert keys.count(f"training:{session.pk}:closed") == 1
    assert keys.count(f"training:{session.pk}:remind:7d") == 1


def test_a_change_after_publishing_bumps_the_sequence_and_tells_the_enrolled_once(
    cast, tasks_run_here, django_capture_on_commit_callbacks
):
    session = make_session(capacity=5)
    services.enroll(actor=cast.owner, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(actor=cast.trainer, session=session, venue="线上")
    session.refresh_from_db()
    assert session.sequence == 1
    tasks.trainings_notify_change(session.pk, 1)  # the job running again tells no one twice
    assert _keys(cast.owner).count(f"training:{session.pk}:changed:1") == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=cast.trainer, session=session, reason="场地调整")
    session.refresh_from_db()
    assert session.sequence == 2
    assert f"training:{session.pk}:cancelled" in _keys(cast.owner)


def test_the_twice_yearly_warning_runs_weekly_from_the_officials_date_until_a_session_is_published(cast, settings):
    settings.TRAININGS = {**settings.TRAININGS, "WARN_MONTH_OF_HALF": 2, "WARN_DAY": 1}
    assert services.trainings_warn_half(today=date(2027, 1, 25)) == 0  # before 1 February
    told = services.trainings_warn_half(today=date(2027, 2, 1))
    assert told == 2  # trainer and official
    assert services.trainings_warn_half(today=date(2027, 2, 2)) == 0  # same week: once
    assert services.trainings_warn_half(today=date(2027, 2, 8)) == 2  # next week again
    assert cast.reviewer.notifications.count() == 0
    make_session(
        starts_at=timezone.make_aware(timezone.datetime(2027, 3, 10, 9)),
        published_at=timezone.now(),
    )
    assert services.trainings_warn_half(today=date(2027, 2, 15)) == 0


def test_attendance_by_list_and_by_check_in_code(cast):
    session = make_session(capacity=5)
    a = services.enroll(actor=cast.owner, session=session)
    b = services.enroll(actor=cast.colleague, session=session)
    assert services.attendance_mark(actor=cast.trainer, session=session, attended_ids=[a.pk]) == 1
    with pytest.raises(PermissionDenied):
        services.attendance_mark(actor=cast.owner, session=session, attended_ids=[b.pk])
    with mock.patch("django.utils.timezone.now", return_value=session.starts_at):
        with pytest.raises(ValidationError):
            services.check_in(actor=cast.colleague, session=session, code="000000x")
        services.check_in(actor=cast.colleague, session=session, code=b.check_in_code)
    assert set(Enrollment.objects.filter(attended=True).values_list("pk", flat=True)) == {a.pk, b.pk}


def test_announcing_skips_inactive_users(cast, tasks_run_here):
    gone = UserFactory(is_active=False)
    TrainingNoticeOptIn.objects.create(user=gone)
    session = make_session()
    services.session_announce(session_id=session.pk)
    assert not gone.notifications.exists()
