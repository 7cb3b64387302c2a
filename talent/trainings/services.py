"""Writes and workflow of the trainings: sessions (create, edit, publish, cancel), the
announcement, reminders and notices, enrolment with capacity and a waiting list, freed seats
offered in turn, attendance and the twice-yearly rule. Keyword-only; one transaction each;
audited; every notice through the notification centre under a dedupe key, so each is sent once
however often a job runs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.choices import AgencyPermission, NotificationKind, OrganizationKind
from portal.messages_i18n import Message
from portal.models import Membership, User
from portal.services import Errors, audit_record, notify, notify_audience

from .choices import EnrollmentStatus, SessionStatus, TrainingAuditAction, TrainingTopic
from .models import Enrollment, TrainingNoticeOptIn, TrainingSession

EDITABLE_FIELDS = (
    "title",
    "topics",
    "description",
    "year",
    "half",
    "starts_at",
    "ends_at",
    "venue",
    "online_url",
    "capacity",
    "registration_deadline",
)
# A change to one of these after publishing is told to the enrolled.
NOTICE_FIELDS = ("starts_at", "ends_at", "venue", "online_url")


def session_url(session: TrainingSession) -> str:
    return reverse("trainings:detail", kwargs={"pk": session.pk})


def _require_organiser(actor: User) -> None:
    if not actor.has_agency_permission(AgencyPermission.ORGANISE_TRAINING):
        raise PermissionDenied


def half_of(day: date) -> tuple[int, int]:
    return day.year, 1 if day.month <= 6 else 2


# --- Sessions ---------------------------------------------------------------------------------


def _check(session: TrainingSession) -> None:
    errors = Errors()
    with errors.collect():
        session.full_clean(exclude=["countries", "created_by", "sequence", "status"])
    topics = session.topics
    if not isinstance(topics, list) or not topics:
        errors.add("topics", _("请至少选择一个专题。"))
    elif any(t not in TrainingTopic.values for t in topics):
        errors.add("topics", _("专题无效。"))
    if session.starts_at and session.ends_at and not errors.has("ends_at") and session.ends_at <= session.starts_at:
        errors.add("ends_at", _("结束时间须晚于开始时间。"))
    if (
        session.registration_deadline
        and session.starts_at
        and not errors.has("registration_deadline")
        and session.registration_deadline > session.starts_at
    ):
        errors.add("registration_deadline", _("报名截止时间不能晚于开始时间。"))
    if session.starts_at and session.year and session.half and not errors.has("starts_at", "year", "half"):
        local = timezone.localtime(session.starts_at).date()
        if half_of(local) != (session.year, session.half):
            errors.add("half", _("开始时间不在所选年度和半年内。"))
    if not session.venue and not session.online_url and not errors.has("venue", "online_url"):
        errors.add("venue", _("请填写地点或线上参会链接。"))
    errors.raise_if_any()


@transaction.atomic
def session_create(*, actor: User, countries=(), **data) -> TrainingSession:
    _require_organiser(actor)
    session = TrainingSession(created_by=actor, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    _check(session)
    session.save()
    if countries:
        session.countries.set(countries)
    audit_record(
        actor=actor, action=TrainingAuditAction.SESSION_CREATE, target=session, organization=actor.organization
    )
    return session


@transaction.atomic
def session_update(*, actor: User, session: TrainingSession, countries=None, **data) -> TrainingSession:
    """Change a session. After publishing, each change bumps the calendar SEQUENCE; a change of
    time or place is told to everyone holding a seat or waiting (once per version)."""
    _require_organiser(actor)
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("已取消的培训不能修改。"))
    before = {f: getattr(session, f) for f in EDITABLE_FIELDS}
    for field, value in data.items():
        if field in EDITABLE_FIELDS:
            setattr(session, field, value)
    _check(session)
    changed = [f for f in EDITABLE_FIELDS if getattr(session, f) != before[f]]
    if session.is_published and session.capacity < session.enrollments.holding_seat().count():
        raise ValidationError({"capacity": _("名额不能少于已报名人数。")})
    if countries is not None:
        session.countries.set(countries)
    if not changed and countries is None:
        return session
    fields = [*changed, "updated_at"]
    if session.is_published:
        session.sequence += 1
        fields.append("sequence")
    session.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=TrainingAuditAction.SESSION_UPDATE,
        target=session,
        organization=actor.organization,
        fields=changed,
    )
    if session.is_published and set(changed) & set(NOTICE_FIELDS):
        transaction.on_commit(
            lambda: _enqueue("talent.trainings_notify_change", session.pk, session.sequence), robust=True
        )
    if session.is_published and "capacity" in changed:
        _fill_freed_seats(session)
    return session


@transaction.atomic
def session_publish(*, actor: User, session: TrainingSession) -> TrainingSession:
    """Publish a draft; the announcement goes out after commit (a bulk job)."""
    _require_organiser(actor)
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的培训可以发布。"))
    _check(session)
    if session.registration_deadline <= timezone.now():
        raise ValidationError({"registration_deadline": _("报名截止时间已过，不能发布。")})
    session.status = SessionStatus.PUBLISHED
    session.published_at = timezone.now()
    session.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor, action=TrainingAuditAction.SESSION_PUBLISH, target=session, organization=actor.organization
    )
    transaction.on_commit(lambda: _enqueue("talent.trainings_announce", session.pk), robust=True)
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: TrainingSession, reason: str = "") -> TrainingSession:
    _require_organiser(actor)
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("该培训已取消。"))
    was_published = session.is_published
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = timezone.now()
    session.cancel_reason = reason[:2000]
    fields = ["status", "cancelled_at", "cancel_reason", "updated_at"]
    if was_published:
        session.sequence += 1
        fields.append("sequence")
    session.save(update_fields=fields)
    audit_record(
        actor=actor, action=TrainingAuditAction.SESSION_CANCEL, target=session, organization=actor.organization
    )
    if was_published:
        transaction.on_commit(
            lambda: _enqueue("talent.trainings_notify_change", session.pk, session.sequence), robust=True
        )
    return session


def _enqueue(task_name: str, *args) -> None:
    from . import tasks

    {
        "talent.trainings_announce": tasks.trainings_announce,
        "talent.trainings_notify_change": tasks.trainings_notify_change,
    }[task_name].delay(*args)


# --- Audiences and notices ------------------------------------------------------------------


def announcement_audience():
    """Every active member of every enterprise and supplier organisation, and everyone who
    opted in, as a queryset of users (the database builds the set)."""
    members = Membership.objects.filter(
        organization__kind__in=[OrganizationKind.ENTERPRISE, OrganizationKind.SUPPLIER]
    ).values("user_id")
    opted = TrainingNoticeOptIn.objects.values("user_id")
    return User.objects.filter(Q(pk__in=members) | Q(pk__in=opted), is_active=True)


def session_announce(*, session_id: int) -> int:
    """Tell the audience of a published session (idempotent: the dedupe key)."""
    session = TrainingSession.objects.filter(pk=session_id, status=SessionStatus.PUBLISHED).first()
    if session is None:
        return 0
    start = timezone.localtime(session.starts_at)
    return notify_audience(
        recipients=announcement_audience(),
        kind=NotificationKind.TRAINING,
        title=Message(gettext_noop("新培训开放报名：%(title)s"), title=session.title),
        body=Message(
            gettext_noop("培训时间：%(start)s；报名截止：%(deadline)s。名额有限，欢迎报名。"),
            start=start.strftime("%Y-%m-%d %H:%M"),
            deadline=timezone.localtime(session.registration_deadline).strftime("%Y-%m-%d %H:%M"),
        ),
        url=session_url(session),
        dedupe_key=f"training:{session.pk}:announce",
    )


def _participants(session: TrainingSession):
    return User.objects.filter(
        pk__in=session.enrollments.exclude(status=EnrollmentStatus.CANCELLED).values("user_id"), is_active=True
    )


def session_notify_change(*, session_id: int, sequence: int) -> int:
    """Tell those enrolled or waiting that the session changed or was cancelled (once per version)."""
    session = TrainingSession.objects.filter(pk=session_id).first()
    if session is None:
        return 0
    if session.status == SessionStatus.CANCELLED:
        title = Message(gettext_noop("培训已取消：%(title)s"), title=session.title)
        body = Message(gettext_noop("原因：%(reason)s"), reason=session.cancel_reason or "—")
        key = f"training:{session.pk}:cancelled"
    else:
        title = Message(gettext_noop("培训安排有变更：%(title)s"), title=session.title)
        body = Message(
            gettext_noop("新的时间：%(start)s；地点：%(venue)s。"),
            start=timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
            venue=session.venue or session.online_url,
        )
        key = f"training:{session.pk}:changed:{sequence}"
    return notify(
        recipients=_participants(session),
        kind=NotificationKind.TRAINING,
        title=title,
        body=body,
        url=session_url(session),
        dedupe_key=key,
    )


def trainings_remind(*, now: datetime | None = None) -> dict[str, int]:
    """Hourly (beat): reminders N days before (TRAININGS["REMIND_DAYS"]) to the enrolled, and the
    registration-closed notice to the enrolled and waiting. Each once per person and session."""
    now = now or timezone.now()
    counts = {"reminders": 0, "closed": 0}
    published = TrainingSession.objects.published()
    for days in settings.TRAININGS["REMIND_DAYS"]:
        window = published.filter(starts_at__gt=now, starts_at__lte=now + timedelta(days=days))
        for session in window:
            counts["reminders"] += notify(
                recipients=User.objects.filter(
                    pk__in=session.enrollments.filter(status=EnrollmentStatus.ENROLLED).values("user_id"),
                    is_active=True,
                ),
                kind=NotificationKind.TRAINING,
                title=Message(
                    gettext_noop("培训提醒：%(title)s 将于 %(start)s 开始"),
                    title=session.title,
                    start=timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
                ),
                body=Message(gettext_noop("地点：%(venue)s"), venue=session.venue or session.online_url),
                url=session_url(session),
                dedupe_key=f"training:{session.pk}:remind:{days}d",
            )
    for session in published.filter(registration_deadline__lte=now, starts_at__gt=now):
        counts["closed"] += notify(
            recipients=_participants(session),
            kind=NotificationKind.TRAINING,
            title=Message(gettext_noop("培训报名已截止：%(title)s"), title=session.title),
            url=session_url(session),
            dedupe_key=f"training:{session.pk}:closed",
        )
    return counts


def warn_date(year: int, half: int) -> date:
    cfg = settings.TRAININGS
    return date(year, (half - 1) * 6 + cfg["WARN_MONTH_OF_HALF"], cfg["WARN_DAY"])


def trainings_warn_half(*, today: date | None = None) -> int:
    """Weekly (beat): if no session of the current half is published by the officials' date,
    warn every organiser; once a week (the key names the ISO week) until one is."""
    today = today or timezone.localdate()
    year, half = half_of(today)
    if today < warn_date(year, half):
        return 0
    if TrainingSession.objects.filter(year=year, half=half, status=SessionStatus.PUBLISHED).exists():
        return 0
    organisers = Membership.objects.officials_with(AgencyPermission.ORGANISE_TRAINING)
    iso_year, week, _day = today.isocalendar()
    return notify(
        recipients=organisers,
        kind=NotificationKind.TRAINING,
        title=Message(gettext_noop("%(year)s年%(half)s尚未发布“走出去”专题培训"), year=year, half=_half_label(half)),
        body=Message(gettext_noop("每半年应至少举办一次“走出去”专题培训，请尽快安排并发布。")),
        url=reverse("trainings:calendar"),
        dedupe_key=f"training:warn:{year}H{half}:{iso_year}W{week}",
    )


def _half_label(half: int) -> Message:
    return Message(gettext_noop("上半年")) if half == 1 else Message(gettext_noop("下半年"))


# --- Enrolment --------------------------------------------------------------------------------


def _seats_taken(session: TrainingSession) -> int:
    return session.enrollments.holding_seat().count()


@transaction.atomic
def enroll(*, actor: User, session: TrainingSession) -> Enrollment:
    """Take a seat, or join the waiting list when the session is full. The session row is locked
    so that two people asking for the last seat get one seat and one place in the queue."""
    if not actor.is_authenticated:
        raise PermissionDenied
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if not session.is_published:
        raise ValidationError(_("该培训未开放报名。"))
    now = timezone.now()
    if now >= session.registration_deadline:
        raise ValidationError(_("报名已截止。"))
    existing = Enrollment.objects.filter(session=session, user=actor).first()
    if existing and existing.status != EnrollmentStatus.CANCELLED:
        raise ValidationError(_("您已报名该培训。"))
    full = (
        _seats_taken(session) >= session.capacity
        or session.enrollments.filter(status=EnrollmentStatus.WAITING).exists()
    )
    status = EnrollmentStatus.WAITING if full else EnrollmentStatus.ENROLLED
    membership = actor.org_membership
    enrollment = existing or Enrollment(session=session, user=actor)
    enrollment.organization_id = membership.organization_id if membership else None
    enrollment.status = status
    enrollment.waiting_since = now if full else None
    enrollment.offer_expires_at = None
    enrollment.cancelled_at = None
    enrollment.created_at = now
    enrollment.save()
    audit_record(
        actor=actor,
        action=TrainingAuditAction.ENROLL,
        target=enrollment,
        organization=actor.organization,
        status=status,
    )
    return enrollment


@transaction.atomic
def enrollment_cancel(*, actor: User, enrollment: Enrollment) -> Enrollment:
    """Give up one's seat or place; a freed seat is offered to the first waiting."""
    session = TrainingSession.objects.select_for_update().get(pk=enrollment.session_id)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.user_id != actor.pk and not actor.has_agency_permission(AgencyPermission.ORGANISE_TRAINING):
        raise PermissionDenied
    if enrollment.status == EnrollmentStatus.CANCELLED:
        raise ValidationError(_("该报名已取消。"))
    if timezone.now() >= session.starts_at:
        raise ValidationError(_("培训已开始，不能取消报名。"))
    enrollment.status = EnrollmentStatus.CANCELLED
    enrollment.cancelled_at = timezone.now()
    enrollment.offer_expires_at = None
    enrollment.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
    audit_record(
        actor=actor, action=TrainingAuditAction.ENROLLMENT_CANCEL, target=enrollment, organization=actor.organization
    )
    _fill_freed_seats(session)
    return enrollment


def _fill_freed_seats(session: TrainingSession, now: datetime | None = None) -> int:
    """Offer each free seat to the next on the waiting list (session row locked by the caller)."""
    now = now or timezone.now()
    if not session.is_published or now >= session.starts_at:
        return 0
    free = session.capacity - _seats_taken(session)
    offered = 0
    if free <= 0:
        return 0
    hours = settings.TRAININGS["OFFER_HOURS"]
    expires = min(now + timedelta(hours=hours), session.starts_at)
    queue = session.enrollments.filter(status=EnrollmentStatus.WAITING).order_by("waiting_since", "id")[:free]
    for waiting in queue:
        waiting.status = EnrollmentStatus.OFFERED
        waiting.offer_expires_at = expires
        waiting.save(update_fields=["status", "offer_expires_at"])
        offered += 1
        stamp = int(now.timestamp())
        transaction.on_commit(
            lambda w=waiting, s=stamp: notify(
                recipients=[w.user_id],
                kind=NotificationKind.TRAINING,
                title=Message(gettext_noop("候补名额已为您保留：%(title)s"), title=session.title),
                body=Message(
                    gettext_noop("请在 %(expires)s 前确认参加，逾期名额将递补给下一位。"),
                    expires=timezone.localtime(w.offer_expires_at).strftime("%Y-%m-%d %H:%M"),
                ),
                url=session_url(session),
                dedupe_key=f"training:{session.pk}:offer:{w.pk}:{s}",
            )
        )
    return offered


@transaction.atomic
def offer_accept(*, actor: User, enrollment: Enrollment) -> Enrollment:
    TrainingSession.objects.select_for_update().get(pk=enrollment.session_id)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.user_id != actor.pk:
        raise PermissionDenied
    if enrollment.status != EnrollmentStatus.OFFERED or (
        enrollment.offer_expires_at and enrollment.offer_expires_at <= timezone.now()
    ):
        raise ValidationError(_("没有待确认的候补名额，或已逾期。"))
    enrollment.status = EnrollmentStatus.ENROLLED
    enrollment.offer_expires_at = None
    enrollment.save(update_fields=["status", "offer_expires_at"])
    audit_record(
        actor=actor, action=TrainingAuditAction.OFFER_ACCEPT, target=enrollment, organization=actor.organization
    )
    return enrollment


def offers_expire(*, now: datetime | None = None) -> int:
    """Beat: an offer not taken in time lapses (that place is cancelled) and the seat passes to
    the next waiting. Idempotent: a lapsed offer is no longer `offered`."""
    now = now or timezone.now()
    expired = 0
    session_ids = set(
        Enrollment.objects.filter(status=EnrollmentStatus.OFFERED, offer_expires_at__lte=now).values_list(
            "session_id", flat=True
        )
    )
    for session_id in sorted(session_ids):
        with transaction.atomic():
            session = TrainingSession.objects.select_for_update().get(pk=session_id)
            lapsed = list(
                session.enrollments.select_for_update().filter(
                    status=EnrollmentStatus.OFFERED, offer_expires_at__lte=now
                )
            )
            for enrollment in lapsed:
                enrollment.status = EnrollmentStatus.CANCELLED
                enrollment.cancelled_at = now
                enrollment.save(update_fields=["status", "cancelled_at"])
                expired += 1
            _fill_freed_seats(session, now=now)
    return expired


# --- Attendance -------------------------------------------------------------------------------


@transaction.atomic
def attendance_mark(*, actor: User, session: TrainingSession, attended_ids, absent_ids=()) -> int:
    """Officials mark attendance by list (enrolment ids). Returns how many changed."""
    _require_organiser(actor)
    now = timezone.now()
    seats = session.enrollments.filter(status=EnrollmentStatus.ENROLLED)
    changed = seats.filter(pk__in=list(attended_ids), attended=False).update(attended=True, attended_at=now)
    changed += seats.filter(pk__in=list(absent_ids), attended=True).update(attended=False, attended_at=None)
    audit_record(
        actor=actor,
        action=TrainingAuditAction.ATTENDANCE_MARK,
        target=session,
        organization=actor.organization,
        changed=changed,
    )
    return changed


@transaction.atomic
def check_in(*, actor: User, session: TrainingSession, code: str) -> Enrollment:
    """The attendee enters the check-in code given at the venue (their own enrolment's)."""
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(session=session, user=actor, status=EnrollmentStatus.ENROLLED)
        .first()
    )
    if enrollment is None:
        raise ValidationError({"code": _("您未报名该培训。")})
    now = timezone.now()
    if not (session.starts_at - timedelta(hours=2) <= now <= session.ends_at + timedelta(hours=2)):
        raise ValidationError({"code": _("不在签到时间内。")})
    if (code or "").strip() != enrollment.check_in_code:
        raise ValidationError({"code": _("签到码不正确。")})
    if not enrollment.attended:
        enrollment.attended = True
        enrollment.attended_at = now
        enrollment.save(update_fields=["attended", "attended_at"])
        audit_record(
            actor=actor, action=TrainingAuditAction.CHECK_IN, target=enrollment, organization=actor.organization
        )
    return enrollment


@transaction.atomic
def opt_in_set(*, actor: User, opted_in: bool) -> bool:
    if opted_in:
        TrainingNoticeOptIn.objects.get_or_create(user=actor)
    else:
        TrainingNoticeOptIn.objects.filter(user=actor).delete()
    return opted_in
