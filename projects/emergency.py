"""Emergency plans and drills of overseas projects (应急预案与演练).

Every project not completed may carry an emergency plan (a private file and the essentials:
contacts, evacuation routes, the nearest embassy and hospitals) and its drills. Projects in a
country at level 3 (谨慎前往) or 4 (暂勿前往) must have a plan reviewed and a drill held within
the last 12 months. When a country's level rises to 3 or 4, every exposed project gets an
obligation due in 30 days (`obligations_open`, called by risk.services.country_risk_set); the
daily job reminds the enterprise 14, 7 and 1 days before and tells the officials who publish
risk of the overdue ones (`obligations_remind`); saving the plan closes the obligation.

Writes are `<entity>_<verb>(*, actor, ...)`: every rule at once, one transaction, audited. The
enterprise's members keep their projects' plans and drills; officials read them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.choices import AgencyPermission, NotificationKind
from portal.files import private_storage, validate_private_file
from portal.messages_i18n import Localized, Message
from portal.models import Membership, User
from portal.services import Errors, Notice, audit_record, notify_each

from .choices import FilingStatus, ProjectAuditAction, Stage
from .models import EmergencyDrill, EmergencyPlan, PlanObligation, Project

#: Levels at which a plan and a drill are required (谨慎前往, 暂勿前往).
REQUIRED_FROM_LEVEL = 3
#: How recent the plan's review and the last drill must be.
VALID_FOR = dt.timedelta(days=365)
#: How long an enterprise has to update a plan after its country's level rises.
OBLIGATION_DAYS = 30
#: Days before an obligation is due on which the enterprise is reminded, largest first.
REMIND_DAYS = (14, 7, 1)
PLAN_FIELDS = ("contacts", "evacuation_routes", "embassy", "hospitals")
LIMITS = {"contacts": 2000, "evacuation_routes": 2000, "embassy": 1000, "hospitals": 1000, "findings": 2000}


def exposed_projects(countries=None) -> QuerySet[Project]:
    """Projects abroad that people work on: filed (any status but draft) and not completed;
    in `countries` (one ISO code, or a list or queryset of them) when given. The one rule for
    who is exposed: the plan obligations here and the bulletins' audience (risk/selectors.py)."""
    queryset = Project.objects.exclude(filing_status=FilingStatus.DRAFT).exclude(stage=Stage.COMPLETED)
    if countries is None:
        return queryset
    if isinstance(countries, str):
        return queryset.filter(country_id=countries)
    return queryset.filter(country_id__in=countries)


def _require_member(actor: User, project: Project) -> None:
    membership = actor.org_membership if actor.is_authenticated else None
    if membership is None or actor.is_official or membership.organization_id != project.organization_id:
        raise PermissionError(_("只有项目所属企业的成员可以维护应急预案和演练。"))


def _require_open(project: Project, errors: Errors) -> None:
    if project.stage == Stage.COMPLETED:
        errors.add(None, _("已竣工的项目无需应急预案。"))


def emergency_url(project: Project | int) -> str:
    pk = project if isinstance(project, int) else project.pk
    return reverse("projects:emergency", kwargs={"pk": pk})


# --- The plan ---------------------------------------------------------------------------------


def plan_check(*, data: dict[str, Any], plan: EmergencyPlan | None = None, refused: tuple[str, ...] = ()) -> None:
    """Every rule of a plan at once: each essential filled in and within its length, and a file
    (a new plan needs one; an update may keep the old)."""
    errors = Errors()
    messages = {
        "contacts": _("请填写应急联系人及电话。"),
        "evacuation_routes": _("请填写撤离路线。"),
        "embassy": _("请填写最近的使（领）馆及联系方式。"),
        "hospitals": _("请填写就近医院。"),
    }
    for field in PLAN_FIELDS:
        if field in refused:
            continue
        value = (data.get(field) or "").strip()
        if not value:
            errors.add(field, messages[field])
        elif len(value) > LIMITS[field]:
            errors.add(field, _("不能超过 %(limit)d 个字符。") % {"limit": LIMITS[field]})
    if "file" not in refused and not data.get("file") and (plan is None or not plan.file):
        errors.add("file", _("请上传应急预案文件，支持 PDF、JPEG 或 PNG 格式。"))
    errors.raise_if_any()


@transaction.atomic
def plan_set(*, actor: User, project: Project, data: dict[str, Any]) -> EmergencyPlan:
    """Write the project's plan (a first one or a revision); it counts as reviewed today and
    closes the project's open obligation. A new file replaces the old one, which is deleted
    from storage once the transaction commits."""
    _require_member(actor, project)
    errors = Errors()
    _require_open(project, errors)
    errors.raise_if_any()
    plan = EmergencyPlan.objects.select_for_update().filter(project=project).first()
    plan_check(data=data, plan=plan)
    upload = data.get("file")
    if upload:
        validate_private_file(upload)
    created = plan is None
    if created:
        plan = EmergencyPlan(project=project)
    old_file = plan.file.name if plan.file and upload else ""
    for field in PLAN_FIELDS:
        setattr(plan, field, data[field].strip())
    if upload:
        plan.file = upload
    plan.reviewed_on = timezone.localdate()
    plan.updated_by = actor
    plan.save()
    if old_file:
        transaction.on_commit(lambda: private_storage().delete(old_file))
    closed = PlanObligation.objects.filter(project=project, closed_at__isnull=True).update(closed_at=timezone.now())
    audit_record(
        actor=actor,
        action=ProjectAuditAction.PLAN_SET,
        target=plan,
        project=project.pk,
        created=created,
        obligations_closed=closed,
    )
    return plan


# --- Drills -----------------------------------------------------------------------------------


def drill_check(*, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    errors = Errors()
    held_on = data.get("held_on")
    if "held_on" not in refused:
        if not isinstance(held_on, dt.date):
            errors.add("held_on", _("请填写演练日期。"))
        elif held_on > timezone.localdate():
            errors.add("held_on", _("演练日期不能晚于今天。"))
    participants = data.get("participants")
    if "participants" not in refused and (not isinstance(participants, int) or participants < 1):
        errors.add("participants", _("参与人数至少为 1 人。"))
    if "findings" not in refused and len(data.get("findings") or "") > LIMITS["findings"]:
        errors.add("findings", _("不能超过 %(limit)d 个字符。") % {"limit": LIMITS["findings"]})
    errors.raise_if_any()


@transaction.atomic
def drill_add(*, actor: User, project: Project, data: dict[str, Any]) -> EmergencyDrill:
    _require_member(actor, project)
    errors = Errors()
    _require_open(project, errors)
    errors.raise_if_any()
    drill_check(data=data)
    drill = EmergencyDrill.objects.create(
        project=project,
        held_on=data["held_on"],
        participants=data["participants"],
        findings=(data.get("findings") or "").strip(),
        created_by=actor,
    )
    audit_record(actor=actor, action=ProjectAuditAction.DRILL_ADD, target=drill, project=project.pk)
    return drill


# --- Obligations ------------------------------------------------------------------------------


def obligations_open(*, country_id: str, old_level: int | None, new_level: int, today: dt.date | None = None) -> int:
    """When a country's level rises to 3 or 4 (from below 3, or first set there), give every
    exposed project there that has no open obligation one, due in 30 days. How many."""
    if new_level < REQUIRED_FROM_LEVEL or (old_level or 0) >= REQUIRED_FROM_LEVEL:
        return 0
    today = today or timezone.localdate()
    projects = exposed_projects(country_id).exclude(
        Exists(PlanObligation.objects.filter(project_id=OuterRef("pk"), closed_at__isnull=True))
    )
    rows = [
        PlanObligation(project_id=pk, level=new_level, due_on=today + dt.timedelta(days=OBLIGATION_DAYS))
        for pk in projects.values_list("pk", flat=True)
    ]
    PlanObligation.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def obligations_remind(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job: remind each enterprise of its open obligations 14, 7 and 1 days before
    they are due (the nearest threshold crossed, once each), and tell the officials who publish
    risk of each overdue one, once. Set-based: a few statements however many are due."""
    today = today or timezone.localdate()
    open_ = list(
        PlanObligation.objects.filter(closed_at__isnull=True, due_on__lte=today + dt.timedelta(days=REMIND_DAYS[0]))
        .select_related("project__country", "project__organization")
        .order_by("due_on", "id")
    )
    members: dict[int, list[int]] = {}
    for organization_id, user_id in Membership.objects.filter(
        organization_id__in={o.project.organization_id for o in open_}, user__is_active=True
    ).values_list("organization_id", "user_id"):
        members.setdefault(organization_id, []).append(user_id)
    officials = Membership.objects.officials_with(AgencyPermission.PUBLISH_RISK)
    reminders, overdue = [], []
    for obligation in open_:
        project = obligation.project
        name = Localized(project.name, project.name_en)
        left = (obligation.due_on - today).days
        if left < 0:
            overdue.append(
                Notice(
                    recipients=officials,
                    title=Message(
                        gettext_noop("应急预案逾期未更新：%(project)s（%(organization)s）"),
                        project=name,
                        organization=Localized(project.organization.name, project.organization.name_en),
                    ),
                    body=Message(
                        gettext_noop("项目所在国%(country)s风险等级升高，预案应于 %(date)s 前更新。"),
                        country=Localized(project.country.name_zh, project.country.name_en),
                        date=obligation.due_on.isoformat(),
                    ),
                    url=emergency_url(project),
                    dedupe_key=f"plan-obligation-overdue:{obligation.pk}",
                )
            )
            continue
        threshold = min(days for days in REMIND_DAYS if left <= days)
        reminders.append(
            Notice(
                recipients=members.get(project.organization_id, []),
                title=Message(
                    gettext_noop("请于 %(date)s 前更新应急预案：%(project)s"),
                    date=obligation.due_on.isoformat(),
                    project=name,
                ),
                body=Message(
                    gettext_noop("项目所在国%(country)s风险等级已升至“谨慎前往”或“暂勿前往”，还有 %(days)s 天。"),
                    country=Localized(project.country.name_zh, project.country.name_en),
                    days=left,
                ),
                url=emergency_url(project),
                dedupe_key=f"plan-obligation:{obligation.pk}:{threshold}",
            )
        )
    return {
        "reminded": notify_each(kind=NotificationKind.RISK_ALERT, notices=reminders),
        "overdue": notify_each(kind=NotificationKind.RISK_ALERT, notices=overdue),
    }


# --- Compliance -------------------------------------------------------------------------------


def with_compliance(queryset: QuerySet[Project], *, today: dt.date | None = None) -> QuerySet[Project]:
    """Annotate each project with its country's level, its plan's review date, its last drill
    and its open obligation's due date, in the page's query."""
    from risk.models import CountryRisk  # risk builds on projects, not the other way round

    level = CountryRisk.objects.filter(country_id=OuterRef("country_id")).values("level")[:1]
    due = PlanObligation.objects.filter(project_id=OuterRef("pk"), closed_at__isnull=True).values("due_on")[:1]
    return queryset.annotate(
        risk_level=level,
        plan_reviewed_on=Max("emergency_plan__reviewed_on"),
        last_drill_on=Max("drills__held_on"),
        obligation_due_on=due,
    )


def compliance_of(project, *, today: dt.date | None = None) -> dict[str, Any]:
    """From `with_compliance`'s annotations: required, plan_current, drill_current, due_on, overdue."""
    today = today or timezone.localdate()
    since = today - VALID_FOR
    required = (project.risk_level or 0) >= REQUIRED_FROM_LEVEL
    plan_current = project.plan_reviewed_on is not None and project.plan_reviewed_on >= since
    drill_current = project.last_drill_on is not None and project.last_drill_on >= since
    due = project.obligation_due_on
    return {
        "required": required,
        "plan_current": plan_current,
        "drill_current": drill_current,
        "compliant": not required or (plan_current and drill_current),
        "due_on": due,
        "overdue": due is not None and due < today,
    }


def todo_for(user, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The enterprise's to-do list: its exposed projects that have an open obligation or are
    required a plan and a drill and lack a current one, the most urgent first."""
    membership = user.org_membership if user.is_authenticated else None
    if membership is None or user.is_official:
        return []
    rows = []
    projects = with_compliance(
        exposed_projects().filter(organization_id=membership.organization_id).select_related("country"), today=today
    )
    for project in projects.order_by("id"):
        state = compliance_of(project, today=today)
        if state["due_on"] is not None or not state["compliant"]:
            rows.append({"project": project, **state})
    far = dt.date.max
    return sorted(rows, key=lambda r: (not r["overdue"], r["due_on"] or far, r["project"].pk))


def compliance_by_country(*, today: dt.date | None = None) -> list[dict[str, Any]]:
    """For officials: each country at level 3 or 4 with its exposed projects, how many have a
    current plan and a current drill, and how many obligations are open and overdue."""
    from risk.models import CountryRisk

    today = today or timezone.localdate()
    since = today - VALID_FOR
    high = CountryRisk.objects.filter(level__gte=REQUIRED_FROM_LEVEL).select_related("country")
    levels = {r.country_id: r for r in high}
    if not levels:
        return []
    counts = (
        exposed_projects()
        .filter(country_id__in=levels)
        .values("country_id")
        .annotate(
            projects=Count("id", distinct=True),
            plans=Count("id", filter=Q(emergency_plan__reviewed_on__gte=since), distinct=True),
            drills=Count("id", filter=Q(drills__held_on__gte=since), distinct=True),
            open_obligations=Count(
                "plan_obligations", filter=Q(plan_obligations__closed_at__isnull=True), distinct=True
            ),
            overdue=Count(
                "plan_obligations",
                filter=Q(plan_obligations__closed_at__isnull=True, plan_obligations__due_on__lt=today),
                distinct=True,
            ),
        )
        .order_by()
    )
    by_country = {row["country_id"]: row for row in counts}
    rows = []
    for code, risk in levels.items():
        row = by_country.get(code, {"projects": 0, "plans": 0, "drills": 0, "open_obligations": 0, "overdue": 0})
        rows.append({"risk": risk, **{k: v for k, v in row.items() if k != "country_id"}})
    return sorted(rows, key=lambda r: (-r["overdue"], -r["risk"].level, r["risk"].country_id))


def compliance_by_organization(*, today: dt.date | None = None) -> list[dict[str, Any]]:
    """For officials: each enterprise with exposed projects in countries at level 3 or 4, the
    projects lacking a current plan or drill, and the overdue obligations; worst first."""
    from risk.models import CountryRisk

    today = today or timezone.localdate()
    since = today - VALID_FOR
    high = list(CountryRisk.objects.filter(level__gte=REQUIRED_FROM_LEVEL).values_list("country_id", flat=True))
    if not high:
        return []
    rows = (
        exposed_projects()
        .filter(country_id__in=high)
        .values("organization_id", "organization__name")
        .annotate(
            projects=Count("id", distinct=True),
            plans=Count("id", filter=Q(emergency_plan__reviewed_on__gte=since), distinct=True),
            drills=Count("id", filter=Q(drills__held_on__gte=since), distinct=True),
            overdue=Count(
                "plan_obligations",
                filter=Q(plan_obligations__closed_at__isnull=True, plan_obligations__due_on__lt=today),
                distinct=True,
            ),
        )
        .order_by()
    )
    result = [
        {
            "organization_id": row["organization_id"],
            "name": row["organization__name"],
            "projects": row["projects"],
            "without_plan": row["projects"] - row["plans"],
            "without_drill": row["projects"] - row["drills"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]
    return sorted(result, key=lambda r: (-r["overdue"], -(r["without_plan"] + r["without_drill"]), r["name"]))
