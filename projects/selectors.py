"""Reads of the project library that are more than a filter: statistics, the map, the subsidy
estimate, the survey's answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Min, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import translation

from portal.choices import OrganizationKind, Region
from portal.models import Organization

from .choices import BusinessModel, FilingStatus, Sector, Stage
from .models import IntendedProjectSurvey, Project, ProjectReport, SubsidyTier

STAT_DIMENSIONS = {
    "country": ("country_id", None),
    "region": ("country__region", dict(Region.choices)),
    "sector": ("sector", dict(Sector.choices)),
    "stage": ("stage", dict(Stage.choices)),
    "business_model": ("business_model", dict(BusinessModel.choices)),
    "year": ("start_year", None),
}


def project_statistics(queryset, by: str) -> list[dict]:
    """Counts, contract value in USD and staff per value of one dimension, largest first."""
    path, labels = STAT_DIMENSIONS[by]
    if by == "year":
        queryset = queryset.annotate(start_year=ExtractYear("start_date"))
    # By country, group by the code alone and take its name as MIN(name): grouping by the code
    # and the names made PostgreSQL expect tens of thousands of groups (it multiplies the columns'
    # distinct counts) and sort every project row, on disk, before aggregating; by the code
    # alone it hash-aggregates its ~150 groups in parallel.
    # The label is the name in the page's (or the API request's) language.
    english = (translation.get_language() or "").startswith("en")
    name_column = "country__name_en" if english else "country__name_zh"
    names = {"country_name": Min(name_column)} if by == "country" else {}
    rows = (
        queryset.order_by()
        .values(path)
        .annotate(
            count=Count("id"),
            contract_value_usd=Coalesce(Sum("contract_value_usd"), Decimal(0)),
            chinese_staff=Coalesce(Sum("chinese_staff"), 0),
            local_staff=Coalesce(Sum("local_staff"), 0),
            **names,
        )
        .order_by("-count", path)
    )
    result = []
    for row in rows:
        key = row[path]
        if by == "country":
            label = row["country_name"]
        elif labels is not None:
            label = str(labels.get(key, key))
        else:
            label = str(key) if key is not None else "—"
        result.append(
            {
                "key": "" if key is None else str(key),
                "label": label,
                "count": row["count"],
                "contract_value_usd": row["contract_value_usd"],
                "chinese_staff": row["chinese_staff"],
                "local_staff": row["local_staff"],
            }
        )
    return result


def project_map(queryset, *, with_values: bool) -> list[dict]:
    """Approved projects per country for the overseas map (海外图谱)."""
    annotations = {"count": Count("id")}
    if with_values:
        annotations["value_usd"] = Coalesce(Sum("contract_value_usd"), Decimal(0))
    rows = (
        queryset.filter(filing_status=FilingStatus.APPROVED)
        .order_by()
        .values("country_id", "country__alpha3", "country__name_zh", "country__name_en", "country__region")
        .annotate(**annotations)
        .order_by("country_id")
    )
    return [
        {
            "code": r["country_id"],
            "alpha3": r["country__alpha3"],
            "name_zh": r["country__name_zh"],
            "name_en": r["country__name_en"],
            "region": r["country__region"],
            "count": r["count"],
            **({"value_usd": r["value_usd"]} if with_values else {}),
        }
        for r in rows
    ]


@dataclass
class SubsidyEstimate:
    organization_id: int
    year: int
    revenue_usd: Decimal
    previous_revenue_usd: Decimal
    first_time: bool
    growth: bool
    tiers: list[dict] = field(default_factory=list)
    estimate_cny: Decimal = Decimal(0)


def subsidy_estimate(organization: Organization, year: int) -> SubsidyEstimate:
    """The subsidy an enterprise's reported revenue would earn for `year` (an estimate).

    Revenue is the sum of its approved projects' half-yearly reports for the year; growth is
    against the previous year; "first time" means no revenue reported for any earlier year.
    The best matching active tier counts.
    """
    reports = ProjectReport.objects.filter(project__organization=organization)
    totals = dict(
        reports.filter(year__in=[year, year - 1])
        .values("year")
        .annotate(total=Sum("revenue_usd"))
        .values_list("year", "total")
    )
    revenue = totals.get(year) or Decimal(0)
    previous = totals.get(year - 1) or Decimal(0)
    first_time = not reports.filter(year__lt=year, revenue_usd__gt=0).exists()
    growth = revenue > previous
    estimate = SubsidyEstimate(organization.pk, year, revenue, previous, first_time, growth)
    for tier in SubsidyTier.objects.filter(active=True):
        above_min = revenue >= tier.min_revenue_usd if tier.min_inclusive else revenue > tier.min_revenue_usd
        below_max = tier.max_revenue_usd is None or revenue <= tier.max_revenue_usd
        if not (above_min and below_max):
            continue
        if (tier.first_time_only and not first_time) or (tier.requires_growth and not growth):
            continue
        estimate.tiers.append({"id": tier.pk, "name": tier.name, "amount_cny": tier.amount_cny})
    if estimate.tiers:
        estimate.estimate_cny = max(t["amount_cny"] for t in estimate.tiers)
    return estimate


def survey_answers(survey: IntendedProjectSurvey) -> list[dict]:
    """Every enterprise with whether (and when, by whom) it answered the survey."""
    answered = {r.organization_id: r for r in survey.responses.select_related("confirmed_by").all()}
    intended = dict(
        Project.objects.filter(stage__in=[Stage.INTENDED, Stage.TRACKING])
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    rows = []
    for org in Organization.objects.filter(kind=OrganizationKind.ENTERPRISE).order_by("name"):
        response = answered.get(org.pk)
        rows.append(
            {
                "organization": org,
                "answered": response is not None,
                "confirmed_at": response.confirmed_at if response else None,
                "confirmed_by": response.confirmed_by if response else None,
                "intended_projects": intended.get(org.pk, 0),
            }
        )
    return rows


def review_queue(queryset):
    """Submitted filings, oldest first."""
    return queryset.filter(filing_status=FilingStatus.SUBMITTED).order_by(F("submitted_at").asc(nulls_last=True), "id")


def allowed_actions(*, obj, user) -> frozenset[str]:
    """What `user` may do to the project `obj` now (projects/workflow.py): the pages show these
    buttons, the API lists them on a project, and the services refuse anything else."""
    from .workflow import FILING

    return FILING.allowed_actions(obj=obj, user=user)
