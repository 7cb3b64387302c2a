"""Matchmaking events (对接会) with firms in key countries: officials with `review` create and
publish them; Celery invites every approved supplier serving the country in the event's
categories and every enterprise with projects there; organisations register (capacity counts
attendees); registrants are reminded the day before and told of changes and cancellation.

Keyword-only services, one transaction each, audited; every notice under a dedupe key so it is
sent once however often a job runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal.choices import AgencyPermission, NotificationKind, OrganizationKind
from portal.messages_i18n import Message
from portal.models import Membership, User
from portal.services import Errors, audit_record, notify, notify_audience
from projects.choices import FilingStatus, Sector

from .choices import EventStatus, RegistrationStatus, SupplierAuditAction, SupplierStatus
from .models import EventRegistration, MatchmakingEvent, Supplier

EDITABLE_FIELDS = (
    "title",
    "country",
    "city",
    "venue",
    "description",
    "starts_at",
    "ends_at",
    "registration_deadline",
    "sectors",
    "capacity",
)
# A change to one of these after publishing is told to the registered.
NOTICE_FIELDS = ("starts_at", "ends_at", "city", "venue", "country")
REMIND_HOURS = 24
REGISTER_REFUSED = gettext_lazy("只有企业和已入库的供应商可以报名对接会。")


def event_url(event: MatchmakingEvent) -> str:
    return reverse("suppliers:event", kwargs={"pk": event.pk})


def _require_reviewer(actor: User) -> None:
    if not actor.is_authenticated or not actor.has_agency_permission(AgencyPermission.REVIEW):
        raise PermissionDenied


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- Events ---------------------------------------------------------------------------------


def _check(event: MatchmakingEvent) -> None:
    errors = Errors()
    with errors.collect():
        event.full_clean(exclude=["created_by", "sequence", "status", "categories"])
    sectors = event.sectors
    if not isinstance(sectors, list) or any(s not in Sector.values for s in sectors):
        errors.add("sectors", _("行业无效。"))
    if event.starts_at and event.ends_at and not errors.has("ends_at") and event.ends_at <= event.starts_at:
        errors.add("ends_at", _("结束时间须晚于开始时间。"))
    if (
        event.registration_deadline
        and event.starts_at
        and not errors.has("registration_deadline")
        and event.registration_deadline > event.starts_at
    ):
        errors.add("registration_deadline", _("报名截止时间不能晚于开始时间。"))
    errors.raise_if_any()


@transaction.atomic
def event_create(*, actor: User, categories=(), **data) -> MatchmakingEvent:
    _require_reviewer(actor)
    event = MatchmakingEvent(created_by=actor, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    _check(event)
    event.save()
    if categories:
        event.categories.set(categories)
    audit_record(actor=actor, action=SupplierAuditAction.EVENT_CREATE, target=event, organization=actor.organization)
    return event


@transaction.atomic
def event_update(*, actor: User, event: MatchmakingEvent, categories=None, **data) -> MatchmakingEvent:
    """Change an event. After publishing each change bumps the calendar SEQUENCE, and a change of
    time or place is told to the registered (once per version)."""
    _require_reviewer(actor)
    event = MatchmakingEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("已取消的对接会不能修改。"))
    before = {f: getattr(event, f) for f in EDITABLE_FIELDS}
    for field, value in data.items():
        if field in EDITABLE_FIELDS:
            setattr(event, field, value)
    _check(event)
    changed = [f for f in EDITABLE_FIELDS if getattr(event, f) != before[f]]
    if event.is_published and "capacity" in changed and event.capacity < attendees_registered(event):
        raise ValidationError({"capacity": _("名额不能少于已报名人数。")})
    if categories is not None:
        event.categories.set(categories)
    if not changed and categories is None:
        return event
    fields = [*changed, "updated_at"]
    if event.is_published:
        event.sequence += 1
        fields.append("sequence")
    event.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=SupplierAuditAction.EVENT_UPDATE,
        target=event,
        organization=actor.organization,
        fields=changed,
    )
    if event.is_published and set(changed) & set(NOTICE_FIELDS):
        transaction.on_commit(lambda: _enqueue("notify_change", event.pk, event.sequence), robust=True)
    return event


@transaction.atomic
def event_publish(*, actor: User, event: MatchmakingEvent) -> MatchmakingEvent:
    """Publish a draft; the invitations go out after commit (a bulk job)."""
    _require_reviewer(actor)
    event = MatchmakingEvent.objects.select_for_update().get(pk=event.pk)
    if event.status != EventStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的对接会可以发布。"))
    _check(event)
    if event.registration_deadline <= timezone.now():
        raise ValidationError({"registration_deadline": _("报名截止时间已过，不能发布。")})
    event.status = EventStatus.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action=SupplierAuditAction.EVENT_PUBLISH, target=event, organization=actor.organization)
    transaction.on_commit(lambda: _enqueue("invite", event.pk), robust=True)
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: MatchmakingEvent, reason: str = "") -> MatchmakingEvent:
    _require_reviewer(actor)
    event = MatchmakingEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("该对接会已取消。"))
    was_published = event.is_published
    event.status = EventStatus.CANCELLED
    event.cancelled_at = timezone.now()
    event.cancel_reason = (reason or "")[:2000]
    fields = ["status", "cancelled_at", "cancel_reason", "updated_at"]
    if was_published:
        event.sequence += 1
        fields.append("sequence")
    event.save(update_fields=fields)
    audit_record(actor=actor, action=SupplierAuditAction.EVENT_CANCEL, target=event, organization=actor.organization)
    if was_published:
        transaction.on_commit(lambda: _enqueue("notify_change", event.pk, event.sequence), robust=True)
    return event


def _enqueue(what: str, *args) -> None:
    from . import tasks

    {"invite": tasks.matchmaking_invite, "notify_change": tasks.matchmaking_notify_change}[what].delay(*args)


# --- Who is invited -------------------------------------------------------------------------


def invited_suppliers(event: MatchmakingEvent):
    """Approved suppliers serving the event's country, in one of its categories (any category
    when the event names none)."""
    suppliers = Supplier.objects.filter(status=SupplierStatus.APPROVED, countries_served=event.country_id)
    category_ids = list(event.categories.values_list("pk", flat=True))
    if category_ids:
        suppliers = suppliers.filter(categories__in=category_ids)
    return suppliers


def invited_enterprise_ids(event: MatchmakingEvent):
    """Enterprises with a project in the event's country (a withdrawn filing does not count)."""
    from projects.models import Project

    return (
        Project.objects.filter(country_id=event.country_id, organization__kind=OrganizationKind.ENTERPRISE)
        .exclude(filing_status=FilingStatus.WITHDRAWN)
        .values("organization_id")
    )


def invitation_audience(event: MatchmakingEvent):
    """Every active member of the invited organisations, as a queryset of users."""
    members = Membership.objects.filter(
        Q(organization_id__in=invited_suppliers(event).values("organization_id"))
        | Q(organization_id__in=invited_enterprise_ids(event))
    ).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True)


def audience_counts(event: MatchmakingEvent) -> dict[str, int]:
    """For the publish confirmation: how many organisations of each kind, and people in all."""
    return {
        "suppliers": invited_suppliers(event).values("organization_id").distinct().count(),
        "enterprises": invited_enterprise_ids(event).distinct().count(),
        "people": invitation_audience(event).count(),
    }


def event_invite(*, event_id: int) -> int:
    """Invite the audience of a published event (idempotent: the dedupe key)."""
    event = MatchmakingEvent.objects.select_related("country").filter(pk=event_id, status=EventStatus.PUBLISHED).first()
    if event is None:
        return 0
    return notify_audience(
        recipients=invitation_audience(event),
        kind=NotificationKind.MATCHMAKING,
        title=Message(gettext_noop("对接会邀请：%(title)s"), title=event.title),
        body=Message(
            gettext_noop("%(city)s，%(start)s 开始；报名截止：%(deadline)s。欢迎报名参加。"),
            city=event.city,
            start=_when(event.starts_at),
            deadline=_when(event.registration_deadline),
        ),
        url=event_url(event),
        dedupe_key=f"matchmaking:{event.pk}:invite",
    )


def _registrants(event: MatchmakingEvent):
    """Those who registered their organisation (still registered)."""
    return User.objects.filter(pk__in=event.registrations.active().values("registered_by_id"), is_active=True)


def event_notify_change(*, event_id: int, sequence: int) -> int:
    """Tell the registered that the event changed or was cancelled (once per version)."""
    event = MatchmakingEvent.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    if event.status == EventStatus.CANCELLED:
        title = Message(gettext_noop("对接会已取消：%(title)s"), title=event.title)
        body = Message(gettext_noop("原因：%(reason)s"), reason=event.cancel_reason or "—")
        key = f"matchmaking:{event.pk}:cancelled"
    else:
        title = Message(gettext_noop("对接会安排有变更：%(title)s"), title=event.title)
        body = Message(
            gettext_noop("新的时间：%(start)s；地点：%(city)s %(venue)s。"),
            start=_when(event.starts_at),
            city=event.city,
            venue=event.venue,
        )
        key = f"matchmaking:{event.pk}:changed:{sequence}"
    return notify(
        recipients=_registrants(event),
        kind=NotificationKind.MATCHMAKING,
        title=title,
        body=body,
        url=event_url(event),
        dedupe_key=key,
    )


def events_remind(*, now: datetime | None = None) -> int:
    """Hourly (beat): registrants are reminded the day before (within 24 hours of the start);
    once per event and person."""
    now = now or timezone.now()
    sent = 0
    upcoming = MatchmakingEvent.objects.filter(
        status=EventStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=now + timedelta(hours=REMIND_HOURS)
    )
    for event in upcoming:
        sent += notify(
            recipients=_registrants(event),
            kind=NotificationKind.MATCHMAKING,
            title=Message(
                gettext_noop("对接会提醒：%(title)s 将于 %(start)s 开始"),
                title=event.title,
                start=_when(event.starts_at),
            ),
            body=Message(gettext_noop("地点：%(city)s %(venue)s"), city=event.city, venue=event.venue),
            url=event_url(event),
            dedupe_key=f"matchmaking:{event.pk}:remind",
        )
    return sent


# --- Registration ---------------------------------------------------------------------------


def attendees_registered(event: MatchmakingEvent) -> int:
    return event.registrations.active().aggregate(n=Sum("attendees"))["n"] or 0


def may_register(user) -> bool:
    """Enterprises, and suppliers whose entry is approved, register their organisation."""
    membership = user.org_membership if user.is_authenticated else None
    if membership is None:
        return False
    kind = membership.organization.kind
    if kind == OrganizationKind.ENTERPRISE:
        return True
    return (
        kind == OrganizationKind.SUPPLIER
        and Supplier.objects.filter(organization_id=membership.organization_id, status=SupplierStatus.APPROVED).exists()
    )


@transaction.atomic
def register(
    *, actor: User, event: MatchmakingEvent, attendees: int, contact_name: str, contact_phone: str, note: str = ""
) -> EventRegistration:
    """Register the actor's organisation. The event row is locked so that two organisations
    asking for the last places cannot both be given them."""
    if not may_register(actor):
        raise PermissionDenied(REGISTER_REFUSED)
    event = MatchmakingEvent.objects.select_for_update().get(pk=event.pk)
    if not event.is_published:
        raise ValidationError(_("该对接会未开放报名。"))
    if timezone.now() >= event.registration_deadline:
        raise ValidationError(_("报名已截止。"))
    organization_id = actor.org_membership.organization_id
    existing = EventRegistration.objects.filter(event=event, organization_id=organization_id).first()
    if existing and existing.status == RegistrationStatus.REGISTERED:
        raise ValidationError(_("本单位已报名该对接会。"))
    registration = existing or EventRegistration(event=event, organization_id=organization_id)
    registration.registered_by = actor
    registration.attendees = attendees
    registration.contact_name = (contact_name or "").strip()
    registration.contact_phone = (contact_phone or "").strip()
    registration.note = (note or "").strip()
    registration.status = RegistrationStatus.REGISTERED
    registration.created_at = timezone.now()
    registration.cancelled_at = None
    errors = Errors()
    with errors.collect():
        registration.full_clean(exclude=["event", "organization", "registered_by"], validate_unique=False)
    left = event.capacity - attendees_registered(event)
    if not errors.has("attendees") and registration.attendees > left:
        errors.add("attendees", _("名额不足，剩余 %(left)s 个名额。") % {"left": max(left, 0)})
    errors.raise_if_any()
    registration.save()
    audit_record(
        actor=actor,
        action=SupplierAuditAction.EVENT_REGISTER,
        target=registration,
        organization=actor.organization,
        attendees=registration.attendees,
    )
    return registration


@transaction.atomic
def registration_cancel(*, actor: User, registration: EventRegistration) -> EventRegistration:
    event = MatchmakingEvent.objects.select_for_update().get(pk=registration.event_id)
    registration = EventRegistration.objects.select_for_update().get(pk=registration.pk)
    if not EventRegistration.objects.editable_by(actor).filter(pk=registration.pk).exists():
        raise PermissionDenied
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("该报名已取消。"))
    if timezone.now() >= event.starts_at:
        raise ValidationError(_("对接会已开始，不能取消报名。"))
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    audit_record(
        actor=actor, action=SupplierAuditAction.EVENT_UNREGISTER, target=registration, organization=actor.organization
    )
    return registration


def events_with_counts(queryset):
    """Events with the attendees registered and the organisations, in the same query."""
    active = Q(registrations__status=RegistrationStatus.REGISTERED)

    return queryset.select_related("country").annotate(
        attendees_registered=Sum("registrations__attendees", filter=active, default=0),
        organizations_registered=Count("registrations", filter=active),
    )
