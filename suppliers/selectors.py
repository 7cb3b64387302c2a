"""Reads of the supplier library that are more than a filter: the actions open to a user, the
certificates an application still lacks, the review queue with its ages in working days, the
performance scorecard, and the suppliers to suggest for a project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .choices import SupplierStatus
from .models import (
    REVIEW_CRITERIA,
    Category,
    CategoryRequirement,
    Certificate,
    PerformanceReview,
    ScorecardCriterion,
    ScorecardStanding,
    Supplier,
    SupplyChainLink,
)
from .workflow import APPLICATION

# The decision target the issue sets (UN Global Marketplace promises it): 10 working days.
DECISION_TARGET_WORKING_DAYS = 10


def allowed_actions(*, obj: Supplier, user) -> frozenset[str]:
    return APPLICATION.allowed_actions(obj=obj, user=user)


def valid_kind_ids(supplier: Supplier, *, on: date | None = None) -> set[int]:
    """The certificate kinds the supplier holds a certificate of that is valid on `on`."""
    day = on or timezone.localdate()
    return set(
        Certificate.objects.filter(supplier=supplier, valid_from__lte=day, valid_until__gte=day).values_list(
            "kind_id", flat=True
        )
    )


def missing_certificates(supplier: Supplier, *, on: date | None = None, category_ids=None) -> list[str]:
    """What the supplier's categories require that it holds no valid certificate for, one
    message per requirement ("“劳务分包”类别需要在有效期内的以下证书之一：…"). Empty: complete."""
    if category_ids is None:
        category_ids = list(supplier.categories.values_list("pk", flat=True))
    requirements = (
        CategoryRequirement.objects.filter(category_id__in=category_ids)
        .select_related("category")
        .prefetch_related("kinds")
        .order_by("category__position", "category_id", "id")
    )
    held = valid_kind_ids(supplier, on=on)
    missing = []
    for requirement in requirements:
        kinds = list(requirement.kinds.all())
        if not kinds or held & {kind.pk for kind in kinds}:
            continue
        category = requirement.category.display_name
        if len(kinds) == 1:
            missing.append(
                _("“%(category)s”类别需要在有效期内的%(kind)s。")
                % {"category": category, "kind": kinds[0].display_name}
            )
        else:
            names = _("、").join(kind.display_name for kind in kinds)
            missing.append(
                _("“%(category)s”类别需要在有效期内的以下证书之一：%(kinds)s。")
                % {"category": category, "kinds": names}
            )
    return missing


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday to Friday) after `start` up to and including `end`."""
    if end <= start:
        return 0
    days, weeks = 0, (end - start).days // 7
    days += weeks * 5
    cursor = start + timedelta(days=weeks * 7)
    while cursor < end:
        cursor += timedelta(days=1)
        if cursor.weekday() < 5:
            days += 1
    return days


def review_queue() -> QuerySet[Supplier]:
    """Applications waiting for a decision, oldest first (submitted and under review)."""
    return (
        Supplier.objects.filter(status__in=(SupplierStatus.SUBMITTED, SupplierStatus.UNDER_REVIEW))
        .select_related("organization")
        .prefetch_related(Prefetch("categories"))
        .order_by("submitted_at", "id")
    )


def age_in_working_days(supplier: Supplier, *, today: date | None = None) -> int:
    if supplier.submitted_at is None:
        return 0
    submitted = timezone.localdate(supplier.submitted_at)
    return working_days_between(submitted, today or timezone.localdate())


# --- The performance scorecard --------------------------------------------------------------

# The period a score covers: the reviews of the last twelve months.
SCORE_PERIOD_DAYS = 365


@dataclass(frozen=True)
class Scorecard:
    """The weights (summing to 100) and the standings, read once for a page or a request."""

    weights: dict[str, int]
    standings: list  # ScorecardStanding, by min_score

    @classmethod
    def load(cls) -> Scorecard:
        return cls(
            weights=dict(ScorecardCriterion.objects.values_list("code", "weight")),
            standings=list(ScorecardStanding.objects.order_by("min_score")),
        )

    def score(self, averages: dict[str, float | None]) -> float | None:
        """0-100 from the criteria's average scores (1-5); None without reviews."""
        if any(averages.get(code) is None for code in REVIEW_CRITERIA):
            return None
        total = sum(self.weights.values()) or 100
        value = sum(self.weights.get(code, 0) * (float(averages[code]) - 1) / 4 for code in REVIEW_CRITERIA)
        return round(value * 100 / total, 1)

    def standing(self, score: float | None):
        if score is None:
            return None
        found = None
        for standing in self.standings:
            if score >= float(standing.min_score):
                found = standing
        return found


def period_start(today: date | None = None):
    day = today or timezone.localdate()
    return timezone.make_aware(datetime.combine(day - timedelta(days=SCORE_PERIOD_DAYS), time.min))


def with_scorecard(queryset: QuerySet[Supplier], *, since=None) -> QuerySet[Supplier]:
    """Annotate each supplier with its reviews of the period: their count, the average of each
    criterion (`avg_quality` ...) and the overall average (`average_review`), in the page's query."""
    since = since or period_start()
    recent = Q(reviews__created_at__gte=since)
    annotations = {f"avg_{code}": Avg(f"reviews__{code}", filter=recent) for code in REVIEW_CRITERIA}
    return queryset.annotate(review_count=Count("reviews", filter=recent), **annotations)


def attach_scorecard(suppliers: list[Supplier], *, since=None) -> list[Supplier]:
    """What `with_scorecard` annotates, for a page already fetched: one GROUP BY over the page's
    reviews instead of grouping every row the filters match before the LIMIT."""
    since = since or period_start()
    ids = [supplier.pk for supplier in suppliers]
    rows = {}
    if ids:
        averages = {f"avg_{code}": Avg(code) for code in REVIEW_CRITERIA}
        rows = {
            row["supplier_id"]: row
            for row in PerformanceReview.objects.filter(supplier_id__in=ids, created_at__gte=since)
            .order_by()
            .values("supplier_id")
            .annotate(review_count=Count("id"), **averages)
        }
    for supplier in suppliers:
        row = rows.get(supplier.pk, {})
        supplier.review_count = row.get("review_count", 0)
        for code in REVIEW_CRITERIA:
            setattr(supplier, f"avg_{code}", row.get(f"avg_{code}"))
    return suppliers


def attach_codes(suppliers: list[Supplier]) -> list[Supplier]:
    """Give each supplier of a page its category codes (in the categories' order) and the codes
    of the countries it serves, as `category_codes` and `country_codes`: two queries of the link
    tables for the page, instead of a page of Category and Country objects (the directory API
    shows codes only)."""
    ids = [supplier.pk for supplier in suppliers]
    categories: dict[int, list[str]] = {pk: [] for pk in ids}
    countries: dict[int, list[str]] = {pk: [] for pk in ids}
    if ids:
        links = Supplier.categories.through.objects.filter(supplier_id__in=ids)
        for supplier_id, code in links.order_by("supplier_id", "category__position", "category_id").values_list(
            "supplier_id", "category__code"
        ):
            categories[supplier_id].append(code)
        served = Supplier.countries_served.through.objects.filter(supplier_id__in=ids)
        for supplier_id, code in served.order_by("supplier_id", "country_id").values_list("supplier_id", "country_id"):
            countries[supplier_id].append(code)
    for supplier in suppliers:
        supplier.category_codes = categories[supplier.pk]
        supplier.country_codes = countries[supplier.pk]
    return suppliers


def scorecard_of(supplier: Supplier, scorecard: Scorecard) -> dict:
    """The annotated supplier's score, standing and average review (with_scorecard)."""
    averages = {code: getattr(supplier, f"avg_{code}", None) for code in REVIEW_CRITERIA}
    score = scorecard.score(averages)
    values = [float(v) for v in averages.values() if v is not None]
    return {
        "review_count": getattr(supplier, "review_count", 0),
        "average_review": round(sum(values) / len(values), 1) if values else None,
        "score": score,
        "standing": scorecard.standing(score),
    }


# --- Suggested suppliers for a project ------------------------------------------------------


def suggested_suppliers(project, *, limit: int = 5) -> list[dict]:
    """Listed suppliers that serve the project's country in categories its supply chain lacks,
    ranked by how many of those categories they cover, then stars, then approval date; each with
    the reasons. Suspended and revoked suppliers are not listed, so never suggested."""
    have = set(SupplyChainLink.objects.filter(project=project).values_list("category_id", flat=True))
    recorded = set(SupplyChainLink.objects.filter(project=project).values_list("supplier_id", flat=True))
    lacking = [c for c in Category.objects.filter(active=True) if c.pk not in have]
    if not lacking:
        return []
    lacking_ids = [c.pk for c in lacking]
    # Subqueries per candidate on the link tables' indexes, not a join of every supplier serving
    # the country with its categories grouped and counted (about 3× slower on 20,000 suppliers).
    covers = (
        Supplier.categories.through.objects.filter(supplier_id=OuterRef("pk"), category_id__in=lacking_ids)
        .order_by()
        .values("supplier_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    serves = Supplier.countries_served.through.objects.filter(supplier_id=OuterRef("pk"), country_id=project.country_id)
    # The ranking reads the supplier table alone; the few chosen are then fetched whole.
    top = list(
        Supplier.objects.listed()
        .filter(Exists(serves))
        .exclude(pk__in=recorded)
        .annotate(covers=Subquery(covers, output_field=IntegerField()))
        .filter(covers__gt=0)
        .order_by("-covers", F("stars").desc(nulls_last=True), "-approved_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    chosen = (
        Supplier.objects.filter(pk__in=top)
        .select_related("organization")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.filter(pk__in=lacking_ids), to_attr="fills"))
        .in_bulk()
    )
    candidates = [chosen[pk] for pk in top]
    country = project.country.name_en if _english() else project.country.name_zh
    rows = []
    for supplier in candidates:
        names = _("、").join(c.display_name for c in supplier.fills)
        reasons = [
            _("服务%(country)s") % {"country": country},
            _("可补充类别：%(categories)s") % {"categories": names},
        ]
        if supplier.stars:
            reasons.append(
                ngettext("%(stars)s 星供应商", "%(stars)s 星供应商", supplier.stars) % {"stars": supplier.stars}
            )
        rows.append({"supplier": supplier, "categories": supplier.fills, "reasons": reasons})
    return rows


def _english() -> bool:
    return (get_language() or "").startswith("en")
