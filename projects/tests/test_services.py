"""The rules of the project library, called as the views call them: the filing workflow, stage
changes and history, notifications, reports, exchange rates and the subsidy tiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.choices import NotificationKind
from portal.models import AuditEvent, Country, Notification
from projects import selectors, services
from projects.choices import FilingStatus, ReviewAction, Stage
from projects.models import ExchangeRate, Project, ProjectReport, SubsidyTier

from .factories import ProjectFactory, ProjectReportFactory, filed_project, project_data

pytestmark = pytest.mark.django_db


def _project(cast, status):
    return ProjectFactory(organization=cast.enterprise, filing_status=status, submitted_at=timezone.now())


# --- The filing workflow: every transition -------------------------------------------------

ALLOWED = [
    ("draft", "submit", "submitted"),
    ("returned", "submit", "submitted"),
    ("withdrawn", "submit", "submitted"),
    ("submitted", "approve", "approved"),
    ("submitted", "return", "returned"),
    ("submitted", "withdraw", "withdrawn"),
]
FORBIDDEN = [
    ("draft", "approve"),
    ("returned", "approve"),
    ("withdrawn", "approve"),
    ("approved", "approve"),
    ("draft", "return"),
    ("approved", "return"),
    ("returned", "return"),
    ("draft", "withdraw"),
    ("returned", "withdraw"),
    ("withdrawn", "withdraw"),
    ("approved", "withdraw"),
    ("submitted", "submit"),
    ("approved", "submit"),
]


def _do(operation: str, project: Project, cast) -> Project:
    if operation == "submit":
        return services.project_submit(actor=cast.owner, project=project)
    if operation == "withdraw":
        return services.project_withdraw(actor=cast.colleague, project=project)
    if operation == "approve":
        return services.project_approve(actor=cast.reviewer, project=project, comment="同意备案")
    return services.project_return(actor=cast.reviewer, project=project, comment="请补充材料")


# operation: (the review step recorded, who did it, the audit action)
STEPS = {
    "submit": ("submitted", "owner", "project.submit"),
    "withdraw": ("withdrawn", "colleague", "project.withdraw"),
    "approve": ("approved", "reviewer", "project.approved"),
    "return": ("returned", "reviewer", "project.returned"),
}


@pytest.mark.parametrize(("status", "operation", "result"), ALLOWED)
def test_allowed_transitions_change_the_status_and_record_the_step(status, operation, result, cast):
    project = _do(operation, _project(cast, status), cast)
    project.refresh_from_db()
    assert project.filing_status == result
    action, role, audit = STEPS[operation]
    review = project.reviews.get()
    assert (review.action, review.actor) == (action, cast.user(role))
    assert abs(review.created_at - timezone.now()) < dt.timedelta(seconds=30)
    assert AuditEvent.objects.filter(action=audit, actor=cast.user(role), target_id=str(project.pk)).exists()


@pytest.mark.parametrize(("status", "operation"), FORBIDDEN)
def test_forbidden_transitions_are_refused_and_change_nothing(status, operation, cast):
    project = _project(cast, status)
    with pytest.raises(ValidationError):
        _do(operation, project, cast)
    project.refresh_from_db()
    assert project.filing_status == status
    assert not project.reviews.exists()


def test_submitting_stamps_the_time(cast):
    project = services.project_submit(actor=cast.owner, project=ProjectFactory(organization=cast.enterprise))
    assert abs(project.submitted_at - timezone.now()) < dt.timedelta(seconds=30)


def test_approval_stamps_the_time(cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer)
    assert project.filing_status == FilingStatus.APPROVED
    assert project.approved_at is not None


@pytest.mark.parametrize("role", ["owner", "colleague", "outsider", "supplier", "talent", "publisher", "trainer"])
@pytest.mark.parametrize("operation", ["approve", "return"])
def test_only_reviewers_decide_filings(operation, role, cast):
    project = _project(cast, FilingStatus.SUBMITTED)
    actor = cast.user(role)
    decide = {
        "approve": lambda: services.project_approve(actor=actor, project=project),
        "return": lambda: services.project_return(actor=actor, project=project, comment="请补充材料"),
    }[operation]
    with pytest.raises(PermissionError):
        decide()
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.SUBMITTED


@pytest.mark.parametrize("comment", ["", "  \n "])
def test_a_return_needs_a_comment(comment, cast):
    project = _project(cast, FilingStatus.SUBMITTED)
    with pytest.raises(ValidationError) as info:
        services.project_return(actor=cast.reviewer, project=project, comment=comment)
    assert "comment" in info.value.message_dict
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.SUBMITTED


@pytest.mark.parametrize("role", ["outsider", "supplier", "talent", "reviewer", "official"])
@pytest.mark.parametrize("operation", ["submit", "withdraw", "update", "delete"])
def test_only_the_owning_enterprise_submits_withdraws_edits_or_deletes(operation, role, cast):
    project = _project(cast, FilingStatus.SUBMITTED if operation == "withdraw" else FilingStatus.DRAFT)
    actor = cast.user(role)
    call = {
        "submit": lambda: services.project_submit(actor=actor, project=project),
        "withdraw": lambda: services.project_withdraw(actor=actor, project=project),
        "update": lambda: services.project_update(actor=actor, project=project, data={"name": "改名"}),
        "delete": lambda: services.project_delete(actor=actor, project=project),
    }[operation]
    with pytest.raises(PermissionError):
        call()
    assert Project.objects.filter(pk=project.pk, name=project.name).exists()


@pytest.mark.parametrize("status", ["draft", "returned", "withdrawn"])
def test_unfiled_projects_can_be_deleted(status, cast):
    project = _project(cast, status)
    services.project_delete(actor=cast.owner, project=project)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert AuditEvent.objects.filter(action="project.delete", data__name=project.name).exists()


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_submitted_and_approved_projects_cannot_be_deleted(status, cast):
    project = _project(cast, status)
    with pytest.raises(ValidationError):
        services.project_delete(actor=cast.owner, project=project)
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_submitted_project_cannot_be_edited_until_withdrawn(cast):
    project = _project(cast, FilingStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.project_update(actor=cast.owner, project=project, data={"location": "内罗毕"})
    project.refresh_from_db()
    assert project.location == "蒙巴萨"
    services.project_withdraw(actor=cast.owner, project=project)
    services.project_update(actor=cast.owner, project=project, data={"location": "内罗毕"})
    project.refresh_from_db()
    assert project.location == "内罗毕"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "UG"),
        ("sector", "power"),
        ("business_model", "ppp"),
        ("contract_value", Decimal("6000000000.00")),
        ("currency", "USD"),
    ],
)
def test_changing_a_key_field_sends_an_approved_project_back_to_review(field, value, cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer)
    Notification.objects.all().delete()
    if field == "country":
        value = Country.objects.get(code=value)
    project = services.project_update(actor=cast.colleague, project=project, data={field: value})
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.SUBMITTED
    reopened = project.reviews.last()
    assert (reopened.action, reopened.actor) == (ReviewAction.REOPENED, cast.colleague)
    assert ("country_id" if field == "country" else field) in reopened.comment
    # Back in the queue: the reviewers are told, as on any submission.
    assert set(Notification.objects.values_list("recipient", flat=True)) == {cast.reviewer.pk, cast.official.pk}


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "蒙内铁路配套站房"), ("location", "内罗毕"), ("stage", "completed"), ("local_staff", 2000)],
)
def test_changing_other_fields_keeps_an_approved_project_approved(field, value, cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer)
    services.project_update(actor=cast.owner, project=project, data={field: value})
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.APPROVED
    assert getattr(project, field) == value


def test_an_edit_that_changes_nothing_records_nothing(cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer)
    events = AuditEvent.objects.count()
    services.project_update(actor=cast.owner, project=project, data={"name": project.name})
    assert AuditEvent.objects.count() == events


def test_the_usd_value_and_search_text_follow_an_edit(cast):
    project = services.project_create(actor=cast.owner, data=project_data(currency="USD", contract_value=Decimal(10)))
    assert project.contract_value_usd == Decimal("10.00")
    services.project_update(
        actor=cast.owner, project=project, data={"contract_value": Decimal(20), "name": "雅万高铁配套工程"}
    )
    project.refresh_from_db()
    assert project.contract_value_usd == Decimal("20.00")
    assert "雅万" in project.search_text


# --- Stage changes and history -------------------------------------------------------------


def test_stage_changes_are_recorded_with_who_and_when(cast):
    project = services.project_create(actor=cast.owner, data=project_data(stage=Stage.TRACKING))
    services.project_update(actor=cast.colleague, project=project, data={"stage": Stage.SIGNED})
    services.project_update(actor=cast.owner, project=project, data={"stage": Stage.UNDER_CONSTRUCTION})
    services.project_update(actor=cast.owner, project=project, data={"name": "只改名称"})
    changes = list(project.stage_changes.values_list("from_stage", "to_stage", "actor"))
    assert changes == [
        ("", "tracking", cast.owner.pk),
        ("tracking", "signed", cast.colleague.pk),
        ("signed", "under_construction", cast.owner.pk),
    ]
    assert all(abs(c.changed_at - timezone.now()) < dt.timedelta(seconds=30) for c in project.stage_changes.all())


def test_the_review_history_keeps_every_step_with_its_comment(cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer, status=FilingStatus.RETURNED)
    services.project_submit(actor=cast.owner, project=project)
    services.project_approve(actor=cast.official, project=project, comment="补充材料已收到，同意。")
    history = list(project.reviews.values_list("action", "actor", "comment"))
    assert history == [
        ("submitted", cast.owner.pk, ""),
        ("returned", cast.reviewer.pk, "请补充合同金额证明。"),
        ("submitted", cast.owner.pk, ""),
        ("approved", cast.official.pk, "补充材料已收到，同意。"),
    ]


# --- Notifications --------------------------------------------------------------------------


def test_reviewers_are_told_of_a_submission(cast):
    project = services.project_create(actor=cast.owner, data=project_data())
    services.project_submit(actor=cast.owner, project=project)
    told = Notification.objects.filter(kind=NotificationKind.PROJECT_REVIEW)
    # Officials with the review permission only: not the publisher or the trainer.
    assert set(told.values_list("recipient", flat=True)) == {cast.reviewer.pk, cast.official.pk}
    assert all(project.name in n.title for n in told)
    # The notification leads to the record to review, not to the queue.
    assert {n.url for n in told} == {reverse("projects:detail", kwargs={"pk": project.pk})}


@pytest.mark.parametrize(("decision", "fragment"), [("approve", "已通过"), ("return", "退回")])
def test_the_enterprise_is_told_of_the_decision(decision, fragment, cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer, status=FilingStatus.SUBMITTED)
    Notification.objects.all().delete()
    if decision == "approve":
        services.project_approve(actor=cast.reviewer, project=project, comment="同意")
    else:
        services.project_return(actor=cast.reviewer, project=project, comment="合同金额与附件不符")
    told = Notification.objects.filter(kind=NotificationKind.PROJECT_REVIEW)
    assert set(told.values_list("recipient", flat=True)) == {cast.owner.pk, cast.colleague.pk}
    assert all(fragment in n.title for n in told)
    assert all(n.url.endswith(f"/{project.pk}/") for n in told)
    if decision == "return":
        assert {n.body for n in told} == {"合同金额与附件不符"}


def test_each_submission_is_announced_again(cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer, status=FilingStatus.WITHDRAWN)
    services.project_submit(actor=cast.owner, project=project)
    assert Notification.objects.filter(recipient=cast.reviewer).count() == 2


# --- Creating projects ----------------------------------------------------------------------


def test_an_enterprise_creates_a_draft_for_its_own_organisation(cast):
    project = services.project_create(actor=cast.colleague, data=project_data())
    assert (project.organization, project.filing_status, project.created_by) == (
        cast.enterprise,
        FilingStatus.DRAFT,
        cast.colleague,
    )
    assert project.contract_value_usd == services.to_usd(Decimal("5600000000.00"), "ETB")


@pytest.mark.parametrize("role", ["supplier", "talent", "reviewer", "official"])
def test_only_enterprises_create_projects(role, cast):
    with pytest.raises(PermissionError):
        services.project_create(actor=cast.user(role), data=project_data())
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"currency": ""}, "currency"),
        ({"planned_completion": dt.date(2024, 1, 1)}, "planned_completion"),
        ({"embassy_registered": True}, "embassy_registered_on"),
        ({"name": "港" * 201}, "name"),
        ({"description": "述" * 5001}, "description"),
        ({"contract_value": Decimal(-1)}, "contract_value"),
    ],
)
def test_the_services_refuse_bad_data_on_its_field(overrides, field, cast):
    with pytest.raises(ValidationError) as info:
        services.project_create(actor=cast.owner, data=project_data(**overrides))
    assert field in info.value.message_dict
    assert not Project.objects.exists()


# --- Reports --------------------------------------------------------------------------------


def test_a_report_is_filed_once_per_half_year(cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer)
    data = {"year": 2025, "half": 1, "revenue_usd": Decimal("1000000")}
    services.report_create(actor=cast.owner, project=project, data=data)
    with pytest.raises(ValidationError) as info:
        services.report_create(actor=cast.colleague, project=project, data=data)
    assert "half" in info.value.message_dict
    services.report_create(actor=cast.colleague, project=project, data={**data, "half": 2})
    assert ProjectReport.objects.count() == 2


def test_a_report_for_a_future_half_year_is_refused(cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer)
    year = timezone.localdate().year + 1
    with pytest.raises(ValidationError) as info:
        services.report_create(actor=cast.owner, project=project, data={"year": year, "half": 1, "revenue_usd": 1})
    assert "year" in info.value.message_dict


def test_only_the_enterprise_reports_on_its_projects(cast):
    project = filed_project(owner=cast.owner, reviewer=cast.reviewer)
    with pytest.raises(PermissionError):
        services.report_create(actor=cast.outsider, project=project, data={"year": 2025, "half": 1, "revenue_usd": 1})


# --- Exchange rates -------------------------------------------------------------------------


def test_to_usd_uses_the_table_and_rounds_half_up(db):
    ExchangeRate.objects.filter(currency="KES").update(usd_per_unit=Decimal("0.0077"))
    assert services.to_usd(Decimal("1000.65"), "KES") == Decimal("7.71")  # 7.705005 → 7.71
    assert services.to_usd(None, "KES") is None


def test_to_usd_without_a_rate_is_an_error_not_a_zero(db):
    ExchangeRate.objects.filter(currency="KES").delete()
    with pytest.raises(ValidationError) as info:
        services.to_usd(Decimal(1000), "KES")
    assert "KES" in info.value.message_dict["currency"][0]


def test_to_usd_of_an_unknown_currency_is_an_error(db):
    with pytest.raises(ValidationError) as info:
        services.to_usd(Decimal(1000), "XYZ")
    assert "currency" in info.value.message_dict


def test_submitting_revalues_at_the_current_rate(cast):
    project = services.project_create(actor=cast.owner, data=project_data(contract_value=Decimal(1000)))
    ExchangeRate.objects.filter(currency="ETB").update(usd_per_unit=Decimal("0.01"))
    project = services.project_submit(actor=cast.owner, project=project)
    project.refresh_from_db()
    assert project.contract_value_usd == Decimal("10.00")


@pytest.mark.parametrize("role", ["owner", "publisher", "trainer", "supplier"])
def test_only_reviewers_set_exchange_rates(role, cast):
    with pytest.raises(PermissionError):
        services.exchange_rate_set(
            actor=cast.user(role), currency="ETB", usd_per_unit=Decimal(1), as_of=dt.date(2026, 1, 1)
        )


def test_a_reviewer_sets_a_rate_and_it_is_audited(cast):
    rate = services.exchange_rate_set(
        actor=cast.reviewer, currency="etb", usd_per_unit=Decimal("0.0071"), as_of=dt.date(2026, 10, 31)
    )
    assert (rate.currency, rate.usd_per_unit, rate.updated_by) == ("ETB", Decimal("0.0071"), cast.reviewer)
    assert AuditEvent.objects.filter(action="exchange_rate.set", actor=cast.reviewer).exists()


@pytest.mark.parametrize(("currency", "value", "field"), [("XYZ", 1, "currency"), ("ETB", 0, "usd_per_unit")])
def test_bad_rates_are_refused(currency, value, field, cast):
    with pytest.raises(ValidationError) as info:
        services.exchange_rate_set(
            actor=cast.reviewer, currency=currency, usd_per_unit=Decimal(value), as_of=dt.date(2026, 1, 1)
        )
    assert field in info.value.message_dict


def test_the_snapshot_loader_is_idempotent(db):
    count = ExchangeRate.objects.count()
    assert services.load_exchange_rate_snapshot() == count
    assert ExchangeRate.objects.count() == count


# --- Subsidy tiers (seed 002, 十) -----------------------------------------------------------

YEAR = 2025


def _revenue(org, year: int, amount: str) -> None:
    """`amount` USD of reported revenue for `year`, split over two projects and both halves."""
    total = Decimal(amount)
    first = (total / 3).quantize(Decimal("0.01"))
    parts = [first, first, total - 2 * first]
    projects = list(Project.objects.filter(organization=org, filing_status=FilingStatus.APPROVED)[:2])
    while len(projects) < 2:
        projects.append(ProjectFactory(organization=org, approved=True))
    for (project, half), value in zip([(projects[0], 1), (projects[0], 2), (projects[1], 1)], parts, strict=True):
        ProjectReportFactory(project=project, year=year, half=half, revenue_usd=value)


TIERS = [
    # (previous year's revenue or None for a first-timer, this year's revenue, estimate in CNY)
    pytest.param(None, "2999999.99", 0, id="first-time-below-3M"),
    pytest.param(None, "3000000", 200_000, id="first-time-3M"),
    pytest.param(None, "4999999.99", 200_000, id="first-time-below-5M-only-first-time-tier"),
    pytest.param("1000000", "4999999.99", 0, id="growth-below-5M"),
    pytest.param("1000000", "5000000", 500_000, id="5M-inclusive"),
    pytest.param("1000000", "12000000", 500_000, id="5-20M"),
    pytest.param("1000000", "20000000", 500_000, id="20M-in-the-5-20M-tier"),
    pytest.param("1000000", "20000000.01", 1_000_000, id="just-above-20M"),
    pytest.param("1000000", "60000000", 1_000_000, id="60M"),
    pytest.param("1000000", "60000000.01", 2_000_000, id="just-above-60M"),
    pytest.param("1000000", "100000000", 2_000_000, id="100M"),
    pytest.param("1000000", "100000000.01", 2_500_000, id="above-100M"),
    pytest.param("30000000", "25000000", 0, id="no-growth-nothing"),
    pytest.param("12000000", "12000000", 0, id="equal-is-no-growth"),
    pytest.param("200000000", "150000000", 0, id="no-growth-large"),
]


@pytest.mark.parametrize(("previous", "current", "estimate"), TIERS)
def test_the_subsidy_estimate_follows_the_tiers(previous, current, estimate, cast):
    if previous is not None:
        _revenue(cast.enterprise, YEAR - 1, previous)
    _revenue(cast.enterprise, YEAR, current)
    result = selectors.subsidy_estimate(cast.enterprise, YEAR)
    assert result.revenue_usd == Decimal(current)
    assert result.first_time is (previous is None)
    assert result.estimate_cny == estimate


def test_a_first_timer_gets_only_the_first_time_tier_below_the_growth_tiers(cast):
    _revenue(cast.enterprise, YEAR, "4000000")
    result = selectors.subsidy_estimate(cast.enterprise, YEAR)
    assert [t["amount_cny"] for t in result.tiers] == [Decimal(200000)]


def test_without_growth_only_the_first_time_tier_can_apply(cast):
    _revenue(cast.enterprise, YEAR - 2, "1")
    _revenue(cast.enterprise, YEAR - 1, "9000000")
    _revenue(cast.enterprise, YEAR, "8000000")
    result = selectors.subsidy_estimate(cast.enterprise, YEAR)
    assert (result.first_time, result.growth, result.tiers, result.estimate_cny) == (False, False, [], 0)


def test_a_revenue_of_zero_in_earlier_years_still_counts_as_first_time(cast):
    _revenue(cast.enterprise, YEAR - 1, "0")
    _revenue(cast.enterprise, YEAR, "3500000")
    assert selectors.subsidy_estimate(cast.enterprise, YEAR).estimate_cny == 200_000


def test_only_the_enterprises_own_reports_count(cast):
    _revenue(cast.outsider_org, YEAR, "90000000")
    _revenue(cast.enterprise, YEAR, "3000000")
    result = selectors.subsidy_estimate(cast.enterprise, YEAR)
    assert (result.revenue_usd, result.estimate_cny) == (Decimal(3000000), 200_000)


def test_the_tiers_are_data(cast):
    _revenue(cast.enterprise, YEAR - 1, "1000000")
    _revenue(cast.enterprise, YEAR, "12000000")
    tier = SubsidyTier.objects.get(amount_cny=500000)
    tier.amount_cny = Decimal(600000)
    tier.save()
    assert selectors.subsidy_estimate(cast.enterprise, YEAR).estimate_cny == 600_000
    tier.max_revenue_usd = Decimal(10000000)
    tier.save()
    assert selectors.subsidy_estimate(cast.enterprise, YEAR).estimate_cny == 0
    tier.active = False
    tier.max_revenue_usd = Decimal(20000000)
    tier.save()
    assert selectors.subsidy_estimate(cast.enterprise, YEAR).estimate_cny == 0
    SubsidyTier.objects.create(
        name="试行档位", requires_growth=True, min_revenue_usd=Decimal(10000000), amount_cny=Decimal(300000)
    )
    assert selectors.subsidy_estimate(cast.enterprise, YEAR).estimate_cny == 300_000


def test_the_seeded_tiers_are_those_of_seed_002(db):
    tiers = list(
        SubsidyTier.objects.values_list(
            "first_time_only", "requires_growth", "min_revenue_usd", "min_inclusive", "max_revenue_usd", "amount_cny"
        )
    )
    assert tiers == [
        (True, False, Decimal(3000000), True, None, Decimal(200000)),
        (False, True, Decimal(5000000), True, Decimal(20000000), Decimal(500000)),
        (False, True, Decimal(20000000), False, Decimal(60000000), Decimal(1000000)),
        (False, True, Decimal(60000000), False, Decimal(100000000), Decimal(2000000)),
        (False, True, Decimal(100000000), False, None, Decimal(2500000)),
    ]
