"""Safety roll-calls (平安报备): after a severe or extreme alert, is everybody safe?

Publishing a `severe` or `extreme` bulletin (risk/bulletins.py) opens a roll-call over every
exposed project in its countries (`projects.emergency.exposed_projects`: filed, not completed);
an official with `publish_risk` may also start one by hand for countries and a time window. For
each of its projects the organisation reports `safe`, `affected` (with the injured, missing and
evacuated, and a note) or `unreachable`, and reports again as things change: the row keeps the
latest, every report is kept with who and when.

Organisations with a project still unreported are asked when the roll-call opens and reminded
every `remind_every_hours` (2 for extreme, 12 for severe, unless the official chose otherwise)
in-app, by e-mail and webhook, until they report or the roll-call closes: the reminder's key is
the interval's number, so the job may run as often as it likes and each goes once. Closing (by
an official, or when the window ends) freezes the figures in `final_figures`.

Reads: `figures()` (projects and staff by status, two queries), `board()` (one row per
organisation, the silent ones first). Writes are `rollcall_<verb>(*, actor, ...)`: every rule at
once, one transaction, audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.choices import NotificationKind
from portal.messages_i18n import Localized, Message
from portal.models import Membership, User
from portal.permissions import is_official
from portal.services import Errors, Notice, audit_record, notify_each
from projects.emergency import exposed_projects

from .choices import REPORTED_STATUSES, RiskAuditAction, RollCallStatus, SafetyStatus, Severity
from .models import REMIND_EVERY_HOURS, RiskBulletin, RollCall, RollCallEntry, RollCallReport, is_publisher
from .workflow import PUBLISHERS_ONLY

#: Severities that open a roll-call (and that an official may choose for one started by hand).
ROLLCALL_SEVERITIES = (Severity.SEVERE, Severity.EXTREME)
NOTE_MAX = 2000
COUNTS = ("injured", "missing", "evacuated")
#: The largest number of people a report may give (a project's staff is far below it).
COUNT_MAX = 100_000
#: Database keys are 64-bit: a larger project number names nothing.
_KEY_MAX = 2**63 - 1


def rollcall_url(rollcall: RollCall | int) -> str:
    pk = rollcall if isinstance(rollcall, int) else rollcall.pk
    return reverse("risk:rollcall", kwargs={"pk": pk})


def _require_publisher(actor: User) -> None:
    if not is_publisher(actor):
        raise PermissionError(str(PUBLISHERS_ONLY))


def _title(rollcall: RollCall) -> Localized:
    bulletin = rollcall.bulletin
    if bulletin is not None:
        return Localized(rollcall.title, bulletin.title_en or rollcall.title)
    return Localized(rollcall.title, rollcall.title)


# --- Opening --------------------------------------------------------------------------------


def _fill(rollcall: RollCall, countries) -> int:
    """One INSERT ... SELECT of a row per exposed project in `countries`, with its organisation
    and staff as they are now: set-based, however many projects. How many rows."""
    projects = exposed_projects(countries).values_list("pk", "organization_id", "chinese_staff", "local_staff")
    select, params = projects.query.sql_with_params()
    table = RollCallEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (rollcall_id, project_id, organization_id, chinese_staff, local_staff, status, "  # noqa: S608 - names are ours
            "injured, missing, evacuated, note) "
            f"SELECT %s, s.*, %s, 0, 0, 0, '' FROM ({select}) s",
            [rollcall.pk, str(SafetyStatus.PENDING), *params],
        )
        return cursor.rowcount


def _open(*, actor: User | None, countries, data: dict[str, Any], bulletin: RiskBulletin | None = None) -> RollCall:
    rollcall = RollCall.objects.create(
        bulletin=bulletin,
        title=data["title"],
        severity=data["severity"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        remind_every_hours=data.get("remind_every_hours") or REMIND_EVERY_HOURS[data["severity"]],
        opened_by=actor,
    )
    rollcall.countries.set(countries)
    projects = _fill(rollcall, [c.pk if hasattr(c, "pk") else c for c in countries])
    audit_record(
        actor=actor,
        action=RiskAuditAction.ROLLCALL_OPEN,
        target=rollcall,
        bulletin=bulletin.pk if bulletin else None,
        projects=projects,
    )
    transaction.on_commit(lambda: _enqueue(rollcall.pk), robust=True)
    return rollcall


def _enqueue(rollcall_id: int) -> None:
    from . import tasks

    tasks.rollcall_remind.delay(rollcall_id)


def rollcall_open_for_bulletin(*, bulletin: RiskBulletin, actor: User | None) -> RollCall | None:
    """Called in the transaction that publishes `bulletin`: a severe or extreme bulletin (not a
    correction) opens a roll-call over its exposed projects, open until the bulletin expires.
    None when the bulletin does not call for one, when nobody is exposed, or when it updates a
    bulletin whose roll-call is still open (that one goes on)."""
    if bulletin.severity not in ROLLCALL_SEVERITIES or bulletin.minor_update:
        return None
    if (
        bulletin.supersedes_id
        and RollCall.objects.filter(bulletin_id=bulletin.supersedes_id, status=RollCallStatus.OPEN).exists()
    ):
        return None
    countries = list(bulletin.countries.all())
    if not exposed_projects([c.pk for c in countries]).exists():
        return None
    now = timezone.now()
    return _open(
        actor=actor,
        countries=countries,
        bulletin=bulletin,
        data={"title": bulletin.title, "severity": bulletin.severity, "starts_at": now, "ends_at": bulletin.expires_at},
    )


def rollcall_check(*, data: dict[str, Any], refused: tuple[str, ...] = (), now=None) -> None:
    """Every rule of a roll-call started by hand, at once: a title, countries with exposed
    projects, severe or extreme, a window that ends after it starts and in the future, and a
    reminder interval of 1 to 72 hours."""
    now = now or timezone.now()
    errors = Errors()
    title = (data.get("title") or "").strip()
    if "title" not in refused:
        if not title:
            errors.add("title", _("请填写标题。"))
        elif len(title) > 200:
            errors.add("title", _("不能超过 %(limit)d 个字符。") % {"limit": 200})
    countries = data.get("countries")
    if "countries" not in refused:
        if not countries:
            errors.add("countries", _("请至少选择一个国家或地区。"))
        elif not exposed_projects([getattr(c, "pk", c) for c in countries]).exists():
            errors.add("countries", _("所选国家和地区暂无在建项目，无需发起平安报备。"))
    if "severity" not in refused and data.get("severity") not in ROLLCALL_SEVERITIES:
        errors.add("severity", _("平安报备的严重程度须为“严重”或“极端”。"))
    starts, ends = data.get("starts_at") or now, data.get("ends_at")
    if "ends_at" not in refused:
        if ends is None:
            errors.add("ends_at", _("请填写截止时间。"))
        elif ends <= starts:
            errors.add("ends_at", _("截止时间须晚于开始时间。"))
        elif ends <= now:
            errors.add("ends_at", _("截止时间须晚于现在。"))
    hours = data.get("remind_every_hours")
    if "remind_every_hours" not in refused and hours is not None and not (isinstance(hours, int) and 1 <= hours <= 72):
        errors.add("remind_every_hours", _("提醒间隔须为 1 至 72 小时。"))
    errors.raise_if_any()


@transaction.atomic
def rollcall_start(*, actor: User, data: dict[str, Any]) -> RollCall:
    """An official starts a roll-call by hand for `countries` and a window (`starts_at`, now
    unless given; `ends_at`), `severity` severe or extreme; reminders every
    `remind_every_hours` (by severity unless given)."""
    _require_publisher(actor)
    now = timezone.now()
    rollcall_check(data=data, now=now)
    return _open(
        actor=actor,
        countries=list(data["countries"]),
        data={
            "title": data["title"].strip(),
            "severity": data["severity"],
            "starts_at": data.get("starts_at") or now,
            "ends_at": data["ends_at"],
            "remind_every_hours": data.get("remind_every_hours"),
        },
    )


# --- Reporting ------------------------------------------------------------------------------


def report_check(*, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    """Every rule of a report's fields at once: a status the organisation may report, counts
    that are whole numbers of zero or more, and for `affected` a note saying what happened."""
    errors = Errors()
    status = data.get("status")
    if "status" not in refused and status not in REPORTED_STATUSES:
        errors.add("status", _("请选择报备状态：平安、受影响或失联。"))
    for name in COUNTS:
        value = data.get(name)
        if name in refused or value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.add(name, _("人数须为不小于 0 的整数。"))
        elif value > COUNT_MAX:
            errors.add(name, _("人数不能超过 %(limit)d。") % {"limit": COUNT_MAX})
    note = (data.get("note") or "").strip()
    if "note" not in refused:
        if len(note) > NOTE_MAX:
            errors.add("note", _("不能超过 %(limit)d 个字符。") % {"limit": NOTE_MAX})
        elif status == SafetyStatus.AFFECTED and not note:
            errors.add("note", _("请说明受影响的情况。"))
    errors.raise_if_any()


def _member_organization(actor: User) -> int:
    membership = actor.org_membership if actor.is_authenticated else None
    if membership is None or actor.is_official:
        raise PermissionError(_("只有项目所属单位的成员可以报送平安报备。"))
    return membership.organization_id


@transaction.atomic
def rollcall_report(*, actor: User, rollcall: RollCall, project_id: int, data: dict[str, Any]) -> RollCallEntry:
    """The actor's organisation reports on one of its projects in the roll-call: the row takes
    the report, which is kept as well. Refused once the roll-call is closed; a project that is
    not the organisation's (or not in the roll-call) is a field error, as if it did not exist."""
    organization_id = _member_organization(actor)
    rollcall = RollCall.objects.select_for_update().get(pk=rollcall.pk)
    errors = Errors()
    if not rollcall.is_open:
        errors.add(None, _("平安报备已结束，不能再报送。"))
        errors.raise_if_any()
    entry = None
    if isinstance(project_id, int) and 0 < project_id <= _KEY_MAX:
        entry = (
            RollCallEntry.objects.select_for_update()
            .filter(rollcall=rollcall, project_id=project_id, organization_id=organization_id)
            .first()
        )
    if entry is None:
        errors.add("project", _("项目不存在。"))
    with errors.collect():
        report_check(data=data)
    errors.raise_if_any()
    now = timezone.now()
    values = {name: data.get(name) or 0 for name in COUNTS}
    values.update(status=data["status"], note=(data.get("note") or "").strip())
    for name, value in values.items():
        setattr(entry, name, value)
    entry.reported_by, entry.reported_at = actor, now
    entry.save(update_fields=[*values, "reported_by", "reported_at"])
    RollCallReport.objects.create(entry=entry, reported_by=actor, reported_at=now, **values)
    audit_record(
        actor=actor,
        action=RiskAuditAction.ROLLCALL_REPORT,
        target=entry,
        organization=actor.organization,
        rollcall=rollcall.pk,
        project=project_id,
        status=values["status"],
    )
    return entry


# --- Closing --------------------------------------------------------------------------------


def _close(rollcall: RollCall, *, actor: User | None, now) -> RollCall:
    rollcall.final_figures = figures(rollcall)
    rollcall.status = RollCallStatus.CLOSED
    rollcall.closed_by, rollcall.closed_at = actor, now
    rollcall.save(update_fields=["final_figures", "status", "closed_by", "closed_at"])
    audit_record(actor=actor, action=RiskAuditAction.ROLLCALL_CLOSE, target=rollcall, figures=rollcall.final_figures)
    return rollcall


@transaction.atomic
def rollcall_close(*, actor: User, rollcall: RollCall) -> RollCall:
    """An official closes the roll-call: no more reports or reminders; the figures as they
    stand are recorded as the final ones."""
    _require_publisher(actor)
    rollcall = RollCall.objects.select_for_update().get(pk=rollcall.pk)
    if not rollcall.is_open:
        errors = Errors()
        errors.add(None, _("该平安报备已结束。"))
        errors.raise_if_any()
    return _close(rollcall, actor=actor, now=timezone.now())


def rollcalls_close_for_bulletin(*, bulletin: RiskBulletin, actor: User | None) -> int:
    """A cancelled bulletin closes its open roll-calls (in the cancelling transaction)."""
    now = timezone.now()
    closed = 0
    for rollcall in RollCall.objects.select_for_update().filter(bulletin=bulletin, status=RollCallStatus.OPEN):
        _close(rollcall, actor=actor, now=now)
        closed += 1
    return closed


# --- Reminders ------------------------------------------------------------------------------


def _interval(rollcall: RollCall, now) -> int | None:
    """Which reminder interval `now` falls in (0: the first ask), None before the window."""
    if now < rollcall.starts_at:
        return None
    return int((now - rollcall.starts_at) / dt.timedelta(hours=rollcall.remind_every_hours))


def rollcall_remind(*, rollcall: RollCall, now=None) -> int:
    """Ask every organisation with a project still unreported, once per interval: the first
    time when the roll-call opens, then every `remind_every_hours`. Set-based: the pending
    organisations with their counts in one query, their members in another, the notices by
    notify_each(). How many notifications were made."""
    now = now or timezone.now()
    interval = _interval(rollcall, now)
    if not rollcall.is_open or interval is None or now >= rollcall.ends_at:
        return 0
    pending = dict(
        RollCallEntry.objects.filter(rollcall=rollcall, status=SafetyStatus.PENDING)
        .values_list("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    if not pending:
        return 0
    members: dict[int, list[int]] = {}
    for organization_id, user_id in Membership.objects.filter(
        organization_id__in=list(pending), user__is_active=True
    ).values_list("organization_id", "user_id"):
        members.setdefault(organization_id, []).append(user_id)
    title = _title(rollcall)
    url = rollcall_url(rollcall)
    deadline = timezone.localtime(rollcall.ends_at).strftime("%Y-%m-%d %H:%M")
    if interval == 0:
        heading = Message(gettext_noop("请报送平安报备：%(title)s"), title=title)
    else:
        heading = Message(gettext_noop("平安报备提醒：%(title)s"), title=title)
    notices = [
        Notice(
            recipients=members.get(organization_id, []),
            title=heading,
            body=Message(
                gettext_noop(
                    "贵单位有 %(count)s 个项目尚未报备人员安全情况，请逐一报送平安、受影响或失联（截止 %(deadline)s）。"
                ),
                count=count,
                deadline=deadline,
            ),
            url=url,
            dedupe_key=f"rollcall:{rollcall.pk}:{organization_id}:{interval}",
        )
        for organization_id, count in sorted(pending.items())
    ]
    return notify_each(kind=NotificationKind.RISK_ALERT, notices=notices)


def rollcalls_remind(*, now=None) -> dict[str, int]:
    """The job (beat, every 15 minutes): close the open roll-calls whose window has ended,
    freezing their figures, and remind the silent organisations of the others."""
    now = now or timezone.now()
    closed = 0
    for rollcall in RollCall.objects.filter(status=RollCallStatus.OPEN, ends_at__lte=now):
        with transaction.atomic():
            locked = RollCall.objects.select_for_update().get(pk=rollcall.pk)
            if locked.is_open:
                _close(locked, actor=None, now=now)
                closed += 1
    reminded = 0
    for rollcall in RollCall.objects.filter(status=RollCallStatus.OPEN, starts_at__lte=now).select_related("bulletin"):
        reminded += rollcall_remind(rollcall=rollcall, now=now)
    return {"closed": closed, "reminded": reminded}


# --- Reads ----------------------------------------------------------------------------------


def organization_scope(user) -> int | None:
    """Whose rows the user reads in a roll-call they may see: None for officials (every
    organisation's), else their organisation's id."""
    if is_official(user):
        return None
    membership = user.org_membership
    return membership.organization_id if membership else -1


def figures(rollcall: RollCall, *, organization_id: int | None = None) -> dict[str, Any]:
    """Projects, Chinese and local staff by status, the injured, missing and evacuated, and the
    organisations (how many have not reported at all): of the whole roll-call, or of one
    organisation. A closed roll-call answers with the figures frozen when it closed (the
    whole's; one organisation's are its rows, which no longer change). Two queries."""
    if organization_id is None and not rollcall.is_open and rollcall.final_figures:
        return rollcall.final_figures
    entries = RollCallEntry.objects.filter(rollcall=rollcall)
    if organization_id is not None:
        entries = entries.filter(organization_id=organization_id)
    by_status = {
        row["status"]: row
        for row in entries.values("status")
        .annotate(
            projects=Count("id"),
            chinese_staff=Sum("chinese_staff"),
            local_staff=Sum("local_staff"),
            injured=Sum("injured"),
            missing=Sum("missing"),
            evacuated=Sum("evacuated"),
        )
        .order_by()
    }
    result: dict[str, Any] = {"statuses": {}}
    totals = dict.fromkeys(("projects", "chinese_staff", "local_staff", *COUNTS), 0)
    for status in SafetyStatus.values:
        row = by_status.get(status, {})
        counts = {name: row.get(name) or 0 for name in ("projects", "chinese_staff", "local_staff")}
        result["statuses"][status] = counts
        for name in totals:
            totals[name] += row.get(name) or 0
    result.update(totals)
    organizations = entries.aggregate(
        all=Count("organization_id", distinct=True),
        reported=Count("organization_id", filter=Q(reported_at__isnull=False), distinct=True),
    )
    result["organizations"] = organizations["all"]
    result["silent_organizations"] = organizations["all"] - organizations["reported"]
    return result


def board(rollcall: RollCall, *, organization_id: int | None = None) -> QuerySet:
    """One row per organisation: its projects and staff, how many of its projects are in each
    status, when it last reported; the silent organisations (nothing reported) first, then
    those with projects still pending, then the rest, by name. One grouped query (paged by the
    caller)."""
    entries = RollCallEntry.objects.filter(rollcall=rollcall)
    if organization_id is not None:
        entries = entries.filter(organization_id=organization_id)
    counts = {status: Count("id", filter=Q(status=status)) for status in SafetyStatus.values}
    return (
        entries.values("organization_id", "organization__name")
        .annotate(
            projects=Count("id"),
            chinese_staff=Sum("chinese_staff"),
            local_staff=Sum("local_staff"),
            injured=Sum("injured"),
            missing=Sum("missing"),
            **counts,
            last_reported_at=Max("reported_at"),
        )
        .annotate(
            rank=Case(
                When(last_reported_at__isnull=True, then=Value(0)),
                When(pending__gt=0, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "organization__name", "organization_id")
    )


def entries_for(rollcall: RollCall, user) -> QuerySet[RollCallEntry]:
    """The roll-call's projects the user may see (an organisation's members: theirs), the
    unreported first."""
    rank = Case(When(status=SafetyStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        RollCallEntry.objects.visible_to(user)
        .filter(rollcall=rollcall)
        .select_related("project__country", "organization", "reported_by")
        .annotate(rank=rank)
        .order_by("rank", "organization__name", "project__name", "pk")
    )
