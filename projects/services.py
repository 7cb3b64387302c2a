"""Writes and workflow of the project library: filing, review, stages, reports, exchange
rates and the annual survey. Keyword-only; one transaction each; audited; notifications and
tasks after commit."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal.choices import AgencyPermission, NotificationKind, OrganizationKind
from portal.messages_i18n import Localized, Message, localized_name
from portal.models import Membership, User
from portal.services import Errors, audit_record, notify

from .choices import FilingStatus, ProjectAuditAction, ReviewAction
from .models import (
    ExchangeRate,
    IntendedProjectSurvey,
    Project,
    ProjectReport,
    ProjectReportRevision,
    ProjectReview,
    ProjectStageChange,
)
from .search import search_text
from .workflow import FILING, OWNER_ONLY, REVIEWERS_ONLY, is_reviewer

DATA = Path(__file__).resolve().parent / "data"

# Fields an enterprise sets on a project; the rest are the workflow's.
EDITABLE_FIELDS = (
    "name",
    "name_en",
    "country",
    "location",
    "sector",
    "business_model",
    "stage",
    "contract_value",
    "currency",
    "start_date",
    "planned_completion",
    "chinese_staff",
    "local_staff",
    "embassy_registered",
    "embassy_registered_on",
    "description",
)


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes (projects/data/currencies.json)."""
    rows = json.loads((DATA / "currencies.json").read_text(encoding="utf-8"))
    return frozenset(row["code"] for row in rows)


def to_usd(value: Decimal | None, currency: str) -> Decimal | None:
    """`value` in US dollars at the officials' rate; a missing rate is a validation error."""
    if value is None:
        return None
    if currency not in currency_codes():
        raise unknown_currency(currency)
    rate = ExchangeRate.objects.filter(currency=currency).values_list("usd_per_unit", flat=True).first()
    if rate is None:
        raise ValidationError(
            {"currency": _("尚无 %(code)s 对美元的汇率，请联系主管部门维护汇率。") % {"code": currency}}
        )
    return (Decimal(value) * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def unknown_currency(code: str) -> ValidationError:
    """The one message for a currency that is not ISO 4217."""
    return ValidationError({"currency": _("未知币种 %(code)s。") % {"code": code}})


def _validate(project: Project, exclude: tuple[str, ...] = ()) -> Decimal | None:
    """Rules across fields, with a message on the field to fix: every rule, all at once (one
    ValidationError names each problem), skipping the fields in `exclude` (refused already).
    Returns the contract value in US dollars."""
    errors: dict[str, str] = {}
    if project.contract_value is not None and not project.currency:
        errors["currency"] = _("填写合同金额时必须选择币种。")
    if project.currency and project.currency not in currency_codes():
        errors.update(unknown_currency(project.currency).message_dict)
    if project.start_date and project.planned_completion and project.planned_completion < project.start_date:
        errors["planned_completion"] = _("计划竣工日期不能早于开工日期。")
    if project.embassy_registered and not project.embassy_registered_on:
        errors["embassy_registered_on"] = _("请填写报到登记日期。")
    if project.embassy_registered_on and project.embassy_registered_on > timezone.localdate():
        errors["embassy_registered_on"] = _("报到登记日期不能晚于今天。")
    collected = Errors()
    for field, message in errors.items():
        if field not in exclude:
            collected.add(field, message)
    with collected.collect():
        project.full_clean(exclude=["organization", "created_by", "search_text", *exclude, *errors])
    usd = None
    if not collected.has("currency", "contract_value") and not {"currency", "contract_value"} & set(exclude):
        with collected.collect():  # a currency without a rate is told with the other problems
            usd = to_usd(project.contract_value, project.currency)
    collected.raise_if_any()
    return usd


def _normalise(project: Project) -> None:
    project.currency = (project.currency or "").upper()
    if project.contract_value is None:
        project.currency = project.currency or ""


def _prepare(project: Project) -> None:
    _normalise(project)
    project.contract_value_usd = _validate(project)
    project.search_text = search_text(project.name, project.name_en, project.location)


def project_check(*, data: dict[str, Any], project: Project | None = None, refused: tuple[str, ...] = ()) -> None:
    """Every rule a save of `data` would meet, as one ValidationError, without saving: the
    page calls it when its form is invalid, with the fields that passed (the others named in
    `refused`, which are not checked again), so that one submission shows every problem."""
    candidate = copy.copy(project) if project is not None else Project()
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(candidate, field, data[field])
    _normalise(candidate)
    _validate(candidate, exclude=tuple(refused))


@transaction.atomic
def project_create(*, actor: User, data: dict[str, Any]) -> Project:
    """An enterprise registers a project as a draft."""
    membership = actor.org_membership
    if membership is None or membership.organization.kind != OrganizationKind.ENTERPRISE:
        raise PermissionError(_("只有企业可以登记项目。"))
    project = Project(organization=membership.organization, created_by=actor, filing_status=FilingStatus.DRAFT)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(project, field, data[field])
    _prepare(project)
    project.save()
    ProjectStageChange.objects.create(project=project, from_stage="", to_stage=project.stage, actor=actor)
    audit_record(actor=actor, action=ProjectAuditAction.PROJECT_CREATE, target=project)
    return project


@transaction.atomic
def project_update(*, actor: User, project: Project, data: dict[str, Any]) -> Project:
    """Edit a project. Submitted ones are locked until withdrawn; changing a key field of an
    approved project sends it back to review."""
    FILING.authorise("edit", obj=project, actor=actor)
    project = FILING.lock(project)
    FILING.check("edit", obj=project, actor=actor)
    before = {field: getattr(project, field) for field in (*Project.KEY_FIELDS, "stage")}
    changed = []
    for field in EDITABLE_FIELDS:
        if field in data and getattr(project, field) != data[field]:
            setattr(project, field, data[field])
            changed.append(field)
    if not changed:
        return project
    _prepare(project)
    key_changed = [f for f in Project.KEY_FIELDS if getattr(project, f) != before[f]]
    fields = [*changed, "contract_value_usd", "search_text", "currency"]
    reopened = None
    if project.filing_status == FilingStatus.APPROVED and key_changed:
        project.filing_status = FilingStatus.SUBMITTED
        project.submitted_at = timezone.now()
        fields += ["filing_status", "submitted_at"]
        reopened = ProjectReview.objects.create(
            project=project, action=ReviewAction.REOPENED, actor=actor, comment=", ".join(key_changed)
        )
    project.save(update_fields=[*set(fields), "updated_at"])
    if reopened is not None:
        # Back in the review queue: the reviewers are told, as on any submission.
        notify(
            recipients=Membership.objects.officials_with(AgencyPermission.REVIEW),
            kind=NotificationKind.PROJECT_REVIEW,
            title=Message(gettext_noop("已备案项目关键信息变更，待重新审核：%(name)s"), name=localized_name(project)),
            body=Message(
                gettext_noop("%(org)s 修改了：%(fields)s"),
                org=localized_name(project.organization),
                fields=_changed_labels(key_changed),
            ),
            url=reverse("projects:detail", kwargs={"pk": project.pk}),
            dedupe_key=f"project-review:{reopened.pk}",
        )
    if project.stage != before["stage"]:
        ProjectStageChange.objects.create(
            project=project, from_stage=before["stage"], to_stage=project.stage, actor=actor
        )
    audit_record(actor=actor, action=ProjectAuditAction.PROJECT_UPDATE, target=project, fields=sorted(set(changed)))
    return project


@transaction.atomic
def project_delete(*, actor: User, project: Project) -> None:
    FILING.authorise("delete", obj=project, actor=actor)
    project = FILING.lock(project)
    FILING.check("delete", obj=project, actor=actor)
    audit_record(actor=actor, action=ProjectAuditAction.PROJECT_DELETE, target=project, name=project.name)
    project.delete()


def _changed_labels(names: list[str]) -> Localized:
    """The changed fields as their labels, in each language ("国别、合同金额" / "country, contract value")."""
    labels = {}
    for language, separator in (("zh-hans", "、"), ("en", ", ")):
        with translation.override(language):
            labels[language] = separator.join(str(Project._meta.get_field(name).verbose_name) for name in names)
    return Localized(labels["zh-hans"], labels["en"])


def _tell_reviewers(project: Project, review: ProjectReview) -> None:
    notify(
        recipients=Membership.objects.officials_with(AgencyPermission.REVIEW),
        kind=NotificationKind.PROJECT_REVIEW,
        title=Message(gettext_noop("新的项目备案待审核：%(name)s"), name=localized_name(project)),
        body=Message(gettext_noop("%(org)s 提交了项目备案。"), org=localized_name(project.organization)),
        url=reverse("projects:detail", kwargs={"pk": project.pk}),
        dedupe_key=f"project-review:{review.pk}",
    )


def _tell_enterprise(project: Project, review: ProjectReview) -> None:
    if project.filing_status == FilingStatus.APPROVED:
        title = Message(gettext_noop("项目备案已通过：%(name)s"), name=localized_name(project))
    else:
        title = Message(gettext_noop("项目备案被退回：%(name)s"), name=localized_name(project))
    notify(
        recipients=Membership.objects.members_of(project.organization_id),
        kind=NotificationKind.PROJECT_REVIEW,
        title=title,
        body=review.comment,
        url=reverse("projects:detail", kwargs={"pk": project.pk}),
        dedupe_key=f"project-review:{review.pk}",
    )


def project_submit(*, actor: User, project: Project) -> Project:
    """Submit a project for filing (备案). Reviewers are told."""
    project, _review = FILING.transition(
        "submit",
        obj=project,
        actor=actor,
        validate=_prepare,
        update_fields=["contract_value_usd"],
        notify=_tell_reviewers,
    )
    return project


def project_withdraw(*, actor: User, project: Project) -> Project:
    project, _review = FILING.transition("withdraw", obj=project, actor=actor)
    return project


def project_approve(*, actor: User, project: Project, comment: str = "") -> Project:
    project, _review = FILING.transition(
        "approve",
        obj=project,
        actor=actor,
        comment=(comment or "").strip(),
        audit_data={"comment": (comment or "").strip()},
        notify=_tell_enterprise,
    )
    return project


def project_return(*, actor: User, project: Project, comment: str = "") -> Project:
    """Return a filing to the enterprise; the comment saying what to fix is required (checked
    after the reviewer's permission and the filing's status)."""
    comment = (comment or "").strip()

    def require_comment(_project: Project) -> None:
        if not comment:
            raise ValidationError({"comment": _("退回时必须填写意见。")})

    project, _review = FILING.transition(
        "return",
        obj=project,
        actor=actor,
        comment=comment,
        validate=require_comment,
        audit_data={"comment": comment},
        notify=_tell_enterprise,
    )
    return project


def report_check(*, project: Project, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    """Every rule of a new report, as one ValidationError: one report per half-year, no
    half-year that has not begun, the model's ranges. Fields in `refused` are not checked."""
    errors = Errors()
    year, half = data.get("year"), data.get("half")
    if year and half and ProjectReport.objects.filter(project=project, year=year, half=half).exists():
        errors.add("half", _("该半年度已填报。"))
    today = timezone.localdate()
    if year and half and (year > today.year or (year == today.year and half == 2 and today.month < 7)):
        errors.add("year", _("不能填报尚未开始的半年度。"))
    report = ProjectReport(project=project, **data)
    with errors.collect():
        report.full_clean(exclude=["project", "created_by", *refused, *errors.by_field], validate_unique=False)
    errors.raise_if_any()


@transaction.atomic
def report_create(*, actor: User, project: Project, data: dict[str, Any]) -> ProjectReport:
    """File a half-yearly report on an approved project (one per project and half-year)."""
    FILING.check("report", obj=project, actor=actor)
    report_check(project=project, data=data)
    report = ProjectReport(project=project, created_by=actor, **data)
    report.save()
    audit_record(actor=actor, action=ProjectAuditAction.REPORT_CREATE, target=report, organization=project.organization)
    return report


REPORT_LOCKED = gettext_lazy("项目备案正在审核中，审核期间不能更正半年报；如需更正，请先撤回备案。")
#: What a correction of a filed report may change: its figures, not its half-year.
REPORT_CORRECTABLE_FIELDS = ("revenue_usd", "new_contracts_usd", "chinese_staff", "local_staff", "notes")


@transaction.atomic
def report_correct(*, actor: User, report: ProjectReport, data: dict[str, Any]) -> ProjectReport:
    """Correct a filed half-yearly report while its project is not under review. The values
    it had are kept in a ProjectReportRevision and the audit trail; the half-year stays."""
    if not ProjectReport.objects.editable_by(actor).filter(pk=report.pk).exists():
        raise PermissionError(str(OWNER_ONLY))
    project = Project.objects.select_for_update().get(pk=report.project_id)  # against a submit meanwhile
    if project.filing_status == FilingStatus.SUBMITTED:
        raise ValidationError(str(REPORT_LOCKED))
    report = ProjectReport.objects.select_for_update().get(pk=report.pk)
    changed = [f for f in REPORT_CORRECTABLE_FIELDS if f in data and getattr(report, f) != data[f]]
    if not changed:
        return report
    previous = {field: getattr(report, field) for field in changed}
    for field in changed:
        setattr(report, field, data[field])
    report.full_clean(exclude=["project", "created_by"], validate_unique=False, validate_constraints=False)
    report.save(update_fields=changed)
    as_text = {field: str(value) for field, value in previous.items()}
    ProjectReportRevision.objects.create(report=report, previous=as_text, actor=actor)
    audit_record(
        actor=actor,
        action=ProjectAuditAction.REPORT_CORRECT,
        target=report,
        organization=project.organization,
        fields=changed,
        previous=as_text,
    )
    return report


def next_report_period(project: Project, *, today=None) -> tuple[int, int]:
    """The half-year the next report on `project` is most likely for: the first one not yet
    reported from the earliest report on, up to the half-year in progress; without reports (or
    with every one filed) the last half-year that has ended."""
    today = today or timezone.localdate()
    current = (today.year, 1 if today.month < 7 else 2)
    ended = (today.year, 1) if today.month >= 7 else (today.year - 1, 2)
    reported = set(ProjectReport.objects.filter(project=project).values_list("year", "half"))
    if not reported:
        return ended
    period = min(reported)
    while period <= current:
        if period not in reported:
            return period
        period = (period[0], 2) if period[1] == 1 else (period[0] + 1, 1)
    return ended


@transaction.atomic
def exchange_rate_set(*, actor: User, currency: str, usd_per_unit: Decimal, as_of, source: str = "") -> ExchangeRate:
    """An official sets a rate. Projects in that currency keep their USD value until edited;
    `project_revalue` recomputes them."""
    if not is_reviewer(actor):
        raise PermissionError(str(REVIEWERS_ONLY))
    currency = currency.upper()
    if currency not in currency_codes():
        raise unknown_currency(currency)
    if usd_per_unit is None or usd_per_unit <= 0:
        raise ValidationError({"usd_per_unit": _("汇率必须大于零。")})
    rate, _created = ExchangeRate.objects.update_or_create(
        currency=currency,
        defaults={"usd_per_unit": usd_per_unit, "as_of": as_of, "source": source, "updated_by": actor},
    )
    audit_record(actor=actor, action=ProjectAuditAction.EXCHANGE_RATE_SET, target=rate, usd_per_unit=str(usd_per_unit))
    return rate


def load_exchange_rate_snapshot() -> int:
    """Load the documented snapshot in projects/data/exchange_rates.json (migration and seed)."""
    doc = json.loads((DATA / "exchange_rates.json").read_text(encoding="utf-8"))
    for row in doc["rates"]:
        ExchangeRate.objects.update_or_create(
            currency=row["currency"],
            defaults={
                "usd_per_unit": Decimal(row["usd_per_unit"]),
                "as_of": doc["as_of"],
                "source": doc["source"][:200],
            },
        )
    return len(doc["rates"])


# --- The annual survey of intended projects ------------------------------------------------


def _enterprise_users() -> list[int]:
    return list(
        Membership.objects.filter(organization__kind=OrganizationKind.ENTERPRISE, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def survey_check(*, year=None, opens_on=None, closes_on=None) -> None:
    """Every rule of a new survey, as one ValidationError (a value left out is not checked)."""
    errors = Errors()
    if year is not None and IntendedProjectSurvey.objects.filter(year=year).exists():
        errors.add("year", _("该年度调查已发起。"))
    if opens_on and closes_on and closes_on <= opens_on:
        errors.add("closes_on", _("截止日期必须晚于开始日期。"))
    errors.raise_if_any()


@transaction.atomic
def survey_open(*, actor: User, year: int, opens_on, closes_on) -> IntendedProjectSurvey:
    """Open the year's survey; every enterprise is told (by a worker, after commit)."""
    if not is_reviewer(actor):
        raise PermissionError(str(REVIEWERS_ONLY))
    survey_check(year=year, opens_on=opens_on, closes_on=closes_on)
    survey = IntendedProjectSurvey.objects.create(year=year, opens_on=opens_on, closes_on=closes_on, opened_by=actor)
    audit_record(actor=actor, action=ProjectAuditAction.SURVEY_OPEN, target=survey)
    from .tasks import survey_announce

    transaction.on_commit(lambda: survey_announce.delay(survey.pk))
    return survey


def survey_announce_to_enterprises(*, survey_id: int) -> int:
    survey = IntendedProjectSurvey.objects.get(pk=survey_id)
    return notify(
        recipients=_enterprise_users(),
        kind=NotificationKind.PROJECT_REPORT,
        title=Message(gettext_noop("%(year)s 年度境外投资意向项目调查"), year=survey.year),
        body=Message(gettext_noop("请在 %(date)s 前确认或更新本企业的意向项目。"), date=survey.closes_on.isoformat()),
        url=reverse("projects:workspace"),
        dedupe_key=f"survey:{survey.pk}:open",
    )


@transaction.atomic
def survey_respond(*, actor: User, survey: IntendedProjectSurvey) -> None:
    """An enterprise confirms its intended projects are up to date for the survey."""
    membership = actor.org_membership
    if membership is None or membership.organization.kind != OrganizationKind.ENTERPRISE:
        raise PermissionError(_("只有企业可以答复调查。"))
    today = timezone.localdate()
    if not survey.opens_on <= today <= survey.closes_on:
        raise ValidationError(_("调查不在开放期内。"))
    from .models import SurveyResponse

    SurveyResponse.objects.update_or_create(
        survey=survey,
        organization=membership.organization,
        defaults={"confirmed_by": actor, "confirmed_at": timezone.now()},
    )
    audit_record(
        actor=actor, action=ProjectAuditAction.SURVEY_RESPOND, target=survey, organization=membership.organization
    )


def survey_remind_due(*, today=None) -> int:
    """Remind enterprises that have not answered, a week before a survey closes (idempotent)."""
    today = today or timezone.localdate()
    sent = 0
    for survey in IntendedProjectSurvey.objects.filter(
        reminded_at__isnull=True, closes_on__gte=today, closes_on__lte=today + timedelta(days=7)
    ):
        answered = survey.responses.values_list("organization_id", flat=True)
        users = Membership.objects.filter(organization__kind=OrganizationKind.ENTERPRISE, user__is_active=True).exclude(
            organization_id__in=answered
        )
        sent += notify(
            recipients=list(users.values_list("user_id", flat=True)),
            kind=NotificationKind.PROJECT_REPORT,
            title=Message(
                gettext_noop("提醒：%(year)s 年度意向项目调查将于 %(date)s 截止"),
                year=survey.year,
                date=survey.closes_on.isoformat(),
            ),
            body=Message(gettext_noop("贵企业尚未确认意向项目，请尽快登录平台确认或更新。")),
            url=reverse("projects:workspace"),
            dedupe_key=f"survey:{survey.pk}:remind",
        )
        IntendedProjectSurvey.objects.filter(pk=survey.pk).update(reminded_at=timezone.now())
    return sent
