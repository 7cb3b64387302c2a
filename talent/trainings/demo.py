"""Demo trainings for `manage.py seed_demo` (idempotent: get_or_create on each session's title
and each enrolment's person). Called by talent/demo.py.

One published session of the current half, full, with enrolments from the demo enterprises and
a waiting list (the demo talent waits); one past session of the previous half with attendance
marked (the demo enterprise's admin attended, so a certificate is ready to download)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .choices import EnrollmentStatus, SessionStatus
from .models import AgendaItem, Enrollment, TrainingSession
from .services import half_of


def _session(title: str, starts, *, capacity: int, status=SessionStatus.PUBLISHED, **extra) -> TrainingSession:
    year, half = half_of(timezone.localtime(starts).date())
    session, _created = TrainingSession.objects.get_or_create(
        title=title,
        defaults={
            "topics": extra.pop("topics"),
            "description": extra.pop("description", ""),
            "year": year,
            "half": half,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=6),
            "venue": "湖北省商务厅三楼报告厅",
            "capacity": capacity,
            "registration_deadline": starts - timedelta(days=3),
            "status": status,
            "published_at": timezone.now(),
            **extra,
        },
    )
    return session


def _enrol(session, user, status, *, attended=False, minutes=0) -> None:
    membership = user.org_membership
    Enrollment.objects.get_or_create(
        session=session,
        user=user,
        defaults={
            "organization_id": membership.organization_id if membership else None,
            "status": status,
            "waiting_since": timezone.now() + timedelta(minutes=minutes)
            if status == EnrollmentStatus.WAITING
            else None,
            "attended": attended,
            "attended_at": session.starts_at + timedelta(minutes=10) if attended else None,
        },
    )


def seed(*, accounts, stdout) -> None:
    users = accounts.users
    now = timezone.now()
    # The current half: a session three weeks from now, or at the half's end if that is sooner.
    year, half = half_of(timezone.localdate())
    half_end = timezone.make_aware(timezone.datetime(year, 6 if half == 1 else 12, 28, 9))
    upcoming = min(now + timedelta(days=21), half_end)
    if upcoming - now < timedelta(days=4):
        upcoming = now + timedelta(days=4)
    current = _session(
        "“走出去”企业境外风险识别与合规经营专题培训",
        upcoming.replace(minute=0, second=0, microsecond=0),
        capacity=2,
        topics=["risk_identification", "compliance", "hot_countries"],
        description="围绕境外安全风险识别、国别合规要求和典型负面案例，邀请主管部门和专家授课。",
    )
    for position, (title, speaker) in enumerate(
        [("境外项目安全风险识别与应对", "省商务厅对外合作处"), ("东南亚国别合规要点", "律师事务所合伙人")]
    ):
        AgendaItem.objects.get_or_create(
            session=current, position=position, defaults={"title": title, "speaker": speaker}
        )
    _enrol(current, users["enterprise"], EnrollmentStatus.ENROLLED)
    _enrol(current, users["enterprise2"], EnrollmentStatus.ENROLLED)
    _enrol(current, users["talent"], EnrollmentStatus.WAITING)
    _enrol(current, users["supplier"], EnrollmentStatus.WAITING, minutes=1)

    past = _session(
        "“走出去”企业融资担保与争议仲裁专题培训",
        (now - timedelta(days=150)).replace(minute=0, second=0, microsecond=0),
        capacity=60,
        topics=["financing_guarantees", "dispute_arbitration"],
        description="介绍出口信用保险、境外融资担保工具和国际仲裁实务。",
    )
    _enrol(past, users["enterprise"], EnrollmentStatus.ENROLLED, attended=True)
    _enrol(past, users["enterprise2"], EnrollmentStatus.ENROLLED, attended=False)
    _enrol(past, users["talent"], EnrollmentStatus.ENROLLED, attended=True)
    stdout.write(f"Trainings: {TrainingSession.objects.count()} sessions, {Enrollment.objects.count()} enrolments.")
