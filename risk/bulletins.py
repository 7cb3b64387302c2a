"""Risk bulletins (风险通报) and follows: keyword-only services, one transaction each, audited.

Officials with `publish_risk` draft a bulletin, preview its audience (risk/selectors.py) and
publish it through the workflow (risk/workflow.py); after commit a Celery task alerts everyone
exposed, set-based and once per person (the dedupe key is the bulletin's). Severe and extreme
alerts must be acknowledged: after the bulletin's deadline a beat job sends a second notice to
the admins of each organisation none of whose members acknowledged, and the list of those silent
organisations to the publishing official, once each. An update is a new bulletin superseding a
published one; a minor update (a correction) tells no one. Publishing a severe or extreme
bulletin also opens a safety roll-call over its exposed projects (risk/rollcalls.py); cancelling
it closes that roll-call."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.choices import MembershipRole, NotificationKind
from portal.messages_i18n import Localized, Message
from portal.models import Notification, User
from portal.services import Errors, audit_record, notify, notify_audience

from . import rollcalls, selectors
from .choices import ACK_SEVERITIES, BulletinAction, BulletinCategory, BulletinStatus, RiskAuditAction, Severity
from .models import ACK_DEADLINE_HOURS, BulletinHistory, Follow, RiskBulletin, is_publisher
from .workflow import BULLETIN, PUBLISHERS_ONLY

EDITABLE_FIELDS = (
    "title",
    "body",
    "title_en",
    "body_en",
    "category",
    "severity",
    "urgency",
    "certainty",
    "effective_at",
    "expires_at",
    "change_note",
    "minor_update",
    "ack_deadline_hours",
)


def bulletin_url(bulletin: RiskBulletin) -> str:
    return reverse("risk:bulletin", kwargs={"pk": bulletin.pk})


def _require_publisher(actor: User) -> None:
    if not is_publisher(actor):
        raise PermissionError(str(PUBLISHERS_ONLY))


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- Drafts ---------------------------------------------------------------------------------


def bulletin_check(
    *, data: dict[str, Any], bulletin: RiskBulletin | None = None, refused: tuple[str, ...] = ()
) -> None:
    """Every rule of a bulletin's fields at once: at least one country, a known category and
    severity, expiry after effect; an update names a published bulletin still in the lists, and
    only an update may be a minor one."""
    errors = Errors()

    def value(name):
        if name in data:
            return data[name]
        return getattr(bulletin, name) if bulletin is not None else None

    if "countries" not in refused:
        countries = data.get("countries") if "countries" in data or bulletin is None else bulletin.countries.all()
        if not countries:
            errors.add("countries", _("请至少选择一个国家或地区。"))
    if "category" not in refused and value("category") not in BulletinCategory.values:
        errors.add("category", _("请选择通报类别。"))
    if "severity" not in refused and value("severity") not in Severity.values:
        errors.add("severity", _("请选择严重程度。"))
    effective, expires = value("effective_at"), value("expires_at")
    if "expires_at" not in refused and expires is None:
        errors.add("expires_at", _("请填写失效时间。"))
    elif effective is not None and expires is not None and not errors.has("effective_at") and expires <= effective:
        errors.add("expires_at", _("失效时间须晚于生效时间。"))
    supersedes = value("supersedes")
    if supersedes is not None and "supersedes" not in refused:
        if supersedes.status != BulletinStatus.PUBLISHED or supersedes.superseded_at is not None:
            errors.add("supersedes", _("只能更新已发布且尚未被取代的通报。"))
        elif bulletin is not None and supersedes.pk == bulletin.pk:
            errors.add("supersedes", _("通报不能更新自身。"))
    if value("minor_update") and supersedes is None and "minor_update" not in refused:
        errors.add("minor_update", _("只有更新通报可以标为更正。"))
    errors.raise_if_any()


@transaction.atomic
def bulletin_create(*, actor: User, data: dict[str, Any]) -> RiskBulletin:
    """A draft. Its acknowledgement deadline is 24 hours, 2 for an extreme bulletin, unless given."""
    _require_publisher(actor)
    bulletin_check(data=data)
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS and v is not None}
    if "ack_deadline_hours" not in values and data.get("severity") in ACK_DEADLINE_HOURS:
        values["ack_deadline_hours"] = ACK_DEADLINE_HOURS[data["severity"]]
    bulletin = RiskBulletin(created_by=actor, supersedes=data.get("supersedes"), **values)
    errors = Errors()
    with errors.collect():
        bulletin.full_clean(exclude=["countries", "negative_cases", "created_by", "supersedes"])
    errors.raise_if_any()
    bulletin.save()
    bulletin.countries.set(data["countries"])
    if data.get("negative_cases"):
        bulletin.negative_cases.set(data["negative_cases"])
    audit_record(actor=actor, action=RiskAuditAction.BULLETIN_CREATE, target=bulletin, organization=actor.organization)
    return bulletin


@transaction.atomic
def bulletin_update(*, actor: User, bulletin: RiskBulletin, data: dict[str, Any]) -> RiskBulletin:
    """Change a draft (a published bulletin is changed by an update that supersedes it)."""
    BULLETIN.authorise("edit", obj=bulletin, actor=actor)
    bulletin = BULLETIN.lock(bulletin)
    BULLETIN.check("edit", obj=bulletin, actor=actor)
    bulletin_check(data=data, bulletin=bulletin)
    changed = []
    for name in (*EDITABLE_FIELDS, "supersedes"):
        if name in data and getattr(bulletin, name) != data[name]:
            setattr(bulletin, name, data[name])
            changed.append(name)
    errors = Errors()
    with errors.collect():
        bulletin.full_clean(exclude=["countries", "negative_cases", "created_by", "supersedes"])
    errors.raise_if_any()
    if changed:
        bulletin.save(update_fields=[*changed, "updated_at"])
    if "countries" in data:
        bulletin.countries.set(data["countries"])
    if "negative_cases" in data:
        bulletin.negative_cases.set(data["negative_cases"] or [])
    audit_record(
        actor=actor,
        action=RiskAuditAction.BULLETIN_UPDATE,
        target=bulletin,
        organization=actor.organization,
        fields=changed,
    )
    return bulletin


def update_initial(bulletin: RiskBulletin) -> dict[str, Any]:
    """The values of a new update of `bulletin`: its own, to be changed."""
    initial = {name: getattr(bulletin, name) for name in EDITABLE_FIELDS}
    initial.update(
        countries=list(bulletin.countries.all()),
        negative_cases=list(bulletin.negative_cases.all()),
        supersedes=bulletin,
        change_note="",
        minor_update=False,
        effective_at=timezone.now(),
    )
    return initial


# --- Publishing and cancelling --------------------------------------------------------------


@transaction.atomic
def bulletin_publish(*, actor: User, bulletin: RiskBulletin) -> RiskBulletin:
    """Publish a draft: an update supersedes the bulletin it names; the alert goes out after
    commit unless this is a minor update. Publishing again is refused and sends nothing."""
    now = timezone.now()

    def validate(obj: RiskBulletin) -> None:
        bulletin_check(data={}, bulletin=obj)
        if obj.expires_at <= now:
            raise ValidationError({"expires_at": _("该通报已过失效时间，不能发布。")})
        if obj.supersedes_id is not None:
            old = RiskBulletin.objects.select_for_update().get(pk=obj.supersedes_id)
            if old.status != BulletinStatus.PUBLISHED or old.superseded_at is not None:
                raise ValidationError({"supersedes": _("只能更新已发布且尚未被取代的通报。")})
            old.superseded_at = now
            old.save(update_fields=["superseded_at", "updated_at"])
            BulletinHistory.objects.create(
                bulletin=old, action=BulletinAction.SUPERSEDED, actor=actor, comment=obj.change_note[:2000]
            )
        obj.published_by = actor

    def alert(obj: RiskBulletin, _history) -> None:
        if not obj.minor_update:
            transaction.on_commit(lambda: _enqueue("alert", obj.pk), robust=True)
        rollcalls.rollcall_open_for_bulletin(bulletin=obj, actor=actor)  # severe and extreme ones

    bulletin, _history = BULLETIN.transition(
        "publish",
        obj=bulletin,
        actor=actor,
        validate=validate,
        update_fields=["published_by"],
        notify=alert,
        audit_data={"minor_update": bulletin.minor_update},
    )
    return bulletin


@transaction.atomic
def bulletin_cancel(*, actor: User, bulletin: RiskBulletin, reason: str = "") -> RiskBulletin:
    """Withdraw a published bulletin: it leaves the lists; its CAP document becomes a Cancel;
    those it alerted are told after commit."""

    def tell(obj: RiskBulletin, _history) -> None:
        transaction.on_commit(lambda: _enqueue("cancelled", obj.pk), robust=True)
        rollcalls.rollcalls_close_for_bulletin(bulletin=obj, actor=actor)

    bulletin, _history = BULLETIN.transition(
        "cancel", obj=bulletin, actor=actor, comment=(reason or "")[:2000], notify=tell
    )
    return bulletin


def _enqueue(what: str, *args) -> None:
    from . import tasks

    {"alert": tasks.bulletin_alert, "cancelled": tasks.bulletin_cancelled, "count": tasks.bulletin_count_audience}[
        what
    ].delay(*args)


def bulletin_cancelled_notify(*, bulletin_id: int) -> int:
    """Tell everyone the bulletin alerted that it was withdrawn (once: the dedupe key)."""
    bulletin = RiskBulletin.objects.filter(pk=bulletin_id, status=BulletinStatus.CANCELLED).first()
    if bulletin is None:
        return 0
    alerted = Notification.objects.filter(dedupe_key=bulletin.alert_key).values("recipient_id")
    reason = bulletin.history.filter(action=BulletinAction.CANCELLED).values_list("comment", flat=True).last()
    return notify_audience(
        recipients=User.objects.filter(pk__in=alerted),
        kind=NotificationKind.RISK_ALERT,
        title=Message(gettext_noop("风险预警已撤销：%(title)s"), title=_title(bulletin)),
        body=Message(gettext_noop("撤销原因：%(reason)s"), reason=reason or "—"),
        url=bulletin_url(bulletin),
        dedupe_key=f"risk-bulletin:{bulletin.pk}:cancelled",
    )


def _title(bulletin: RiskBulletin) -> Localized:
    return Localized(bulletin.title, bulletin.title_en)


@transaction.atomic
def bulletin_alert(*, bulletin_id: int) -> int:
    """Alert the audience of a published bulletin (idempotent: the dedupe key is the bulletin's,
    so a second run tells nobody). A minor update alerts no one. Once the alert is committed a
    task counts its audience by reason and keeps it on the bulletin (`bulletin_audience_count`),
    so that the dispatch view, refreshed every 10 seconds, need not recount it; the alert itself
    does not wait for the counting. Returns the notifications made."""
    bulletin = RiskBulletin.objects.filter(pk=bulletin_id, status=BulletinStatus.PUBLISHED).first()
    if bulletin is None or bulletin.minor_update:
        return 0
    severity = Localized(str(Severity(bulletin.severity).label), _english(Severity(bulletin.severity).label))
    if bulletin.supersedes_id:
        title = Message(gettext_noop("风险预警（更新）：%(title)s"), title=_title(bulletin))
    else:
        title = Message(gettext_noop("风险预警：%(title)s"), title=_title(bulletin))
    body = Message(
        gettext_noop("严重程度：%(severity)s；有效期至 %(expires)s。%(ack)s"),
        severity=severity,
        expires=_when(bulletin.expires_at),
        ack=Message(gettext_noop("请在 %(hours)s 小时内确认收到。"), hours=bulletin.ack_deadline_hours)
        if bulletin.requires_ack
        else "",
    )
    created = notify_audience(
        recipients=selectors.audience(bulletin),
        kind=NotificationKind.RISK_ALERT,
        title=title,
        body=body,
        url=bulletin_url(bulletin),
        requires_ack=bulletin.requires_ack,
        dedupe_key=bulletin.alert_key,
    )
    if bulletin.audience_counts is None:
        transaction.on_commit(lambda: _enqueue("count", bulletin.pk), robust=True)
    return created


def bulletin_audience_count(*, bulletin_id: int) -> bool:
    """After the alert: the audience by reason (a person may count under several) and the
    distinct total, everyone told (read off the dedupe key's index rather than resolving the
    audience again), kept on the bulletin once; later runs keep the first figures."""
    bulletin = RiskBulletin.objects.filter(
        pk=bulletin_id, status=BulletinStatus.PUBLISHED, audience_counts__isnull=True
    ).first()
    if bulletin is None:
        return False
    by_reason = selectors.audience_figures(bulletin, total=0)["by_reason"]
    total = Notification.objects.filter(dedupe_key=bulletin.alert_key).count()
    return bool(
        RiskBulletin.objects.filter(pk=bulletin.pk, audience_counts__isnull=True).update(
            audience_counts={"by_reason": by_reason, "total": total}
        )
    )


def _english(label) -> str:
    with translation.override("en"):
        return str(label)


# --- Acknowledgement escalation -------------------------------------------------------------


def bulletins_escalate(*, now=None) -> int:
    """Every 15 minutes (beat): for each severe or extreme bulletin past its acknowledgement
    deadline and not yet escalated, a second notice to the admins of every silent organisation
    and the list of them to the publishing official; once per bulletin. Returns notices sent."""
    now = now or timezone.now()
    sent = 0
    due = RiskBulletin.objects.filter(
        status=BulletinStatus.PUBLISHED, severity__in=ACK_SEVERITIES, escalated_at__isnull=True
    ).exclude(published_at__isnull=True)
    for bulletin in due:
        if bulletin.ack_deadline <= now:
            sent += bulletin_escalate(bulletin=bulletin, now=now)
    return sent


@transaction.atomic
def bulletin_escalate(*, bulletin: RiskBulletin, now=None) -> int:
    now = now or timezone.now()
    bulletin = RiskBulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.escalated_at is not None:
        return 0
    silent = selectors.silent_organizations(bulletin)
    sent = 0
    if silent:
        admins = User.objects.filter(
            is_active=True,
            membership__organization_id__in=[row["organization_id"] for row in silent],
            membership__role=MembershipRole.ADMIN,
        )
        sent += notify_audience(
            recipients=admins,
            kind=NotificationKind.RISK_ALERT,
            title=Message(gettext_noop("风险预警尚未确认：%(title)s"), title=_title(bulletin)),
            body=Message(
                gettext_noop("贵单位尚无人确认收到该风险预警（时限 %(hours)s 小时），请尽快查看并确认。"),
                hours=bulletin.ack_deadline_hours,
            ),
            url=bulletin_url(bulletin),
            dedupe_key=f"risk-bulletin:{bulletin.pk}:escalation",
        )
        if bulletin.published_by_id:
            sent += notify(
                recipients=[bulletin.published_by_id],
                kind=NotificationKind.SYSTEM,
                title=Message(
                    gettext_noop("%(count)s 家单位未确认风险预警：%(title)s"),
                    count=len(silent),
                    title=_title(bulletin),
                ),
                body="、".join(row["organization_name"] for row in silent),
                url=reverse("risk:dispatch", kwargs={"pk": bulletin.pk}),
                dedupe_key=f"risk-bulletin:{bulletin.pk}:silent",
            )
    bulletin.escalated_at = now
    bulletin.save(update_fields=["escalated_at"])
    return sent


# --- Follows --------------------------------------------------------------------------------


def follow_check(*, user: User, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    errors = Errors()
    country, category = data.get("country"), data.get("category") or ""
    if country is None and not category and not refused:
        errors.add(None, _("请选择要关注的国家或类别。"))
    elif user.is_authenticated and Follow.objects.filter(user=user, country=country, category=category).exists():
        errors.add(None, _("您已关注过该项。"))
    errors.raise_if_any()


@transaction.atomic
def follow_create(*, actor: User, country=None, category: str = "") -> Follow:
    """Follow a country, a category, or a category in one country."""
    if not actor.is_authenticated:
        raise PermissionError
    follow_check(user=actor, data={"country": country, "category": category})
    try:
        with transaction.atomic():
            follow = Follow.objects.create(user=actor, country=country, category=category or "")
    except IntegrityError:
        raise ValidationError(_("您已关注过该项。")) from None
    audit_record(actor=actor, action=RiskAuditAction.FOLLOW_CREATE, target=follow)
    return follow


@transaction.atomic
def follow_delete(*, actor: User, follow: Follow) -> None:
    if follow.user_id != actor.pk:
        raise PermissionError
    audit_record(actor=actor, action=RiskAuditAction.FOLLOW_DELETE, target=follow)
    follow.delete()
