"""Reads of the risk part that are more than a filter.

- `upcoming_trainings(country)`: published trainings still to come that name the country, on the
  session or on one of its agenda items.
- `audience_by_reason(bulletin)`, `audience(bulletin)`, `audience_counts(bulletin)`: who a
  bulletin reaches, as querysets of users (set-based; each person once in `audience`).
- `dispatch_summary(bulletin)`, `silent_organizations(bulletin)`: how its alert is going.
- `talents_with_experience(country)`: how many active profiles of the talent pool have overseas
  experience there (the country page shows the number).
- `exposure(country)`: the approved projects there, their Chinese staff, the suppliers serving it.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from portal.choices import OrganizationKind
from portal.models import Country, Delivery, Membership, Notification, Organization, User
from projects.choices import FilingStatus, Stage
from projects.emergency import exposed_projects
from projects.models import Project
from suppliers.choices import SupplierStatus
from suppliers.models import Supplier, SupplyChainLink
from talent.trainings.models import TrainingSession

from .choices import AudienceReason, Severity
from .models import Follow


def talents_with_experience(country: Country) -> int:
    """How many active profiles of the talent pool have overseas experience in `country` (the
    country page shows the number only: the profiles are for enterprises and officials)."""
    from talent.models import TalentProfile  # the talent part reads risk's levels, not the reverse
    from talent.selectors import has_experience_in

    return TalentProfile.objects.active().filter(has_experience_in(country.code)).count()


def upcoming_trainings(country: Country, *, limit: int = 5) -> list[TrainingSession]:
    """Published sessions that have not ended and cover `country`, soonest first."""
    covering = Q(countries=country) | Q(agenda__countries=country)
    ids = (
        TrainingSession.objects.published()
        .filter(covering, ends_at__gt=timezone.now())
        .values_list("pk", flat=True)
        .distinct()
    )
    return list(TrainingSession.objects.filter(pk__in=ids).order_by("starts_at", "pk")[:limit])


def exposure(country: Country) -> dict:
    """The province's stake in `country`, for its page: approved projects not yet completed and
    their Chinese staff, and the listed suppliers serving it (two queries)."""
    active = Project.objects.filter(country=country, filing_status=FilingStatus.APPROVED).exclude(stage=Stage.COMPLETED)
    figures = active.aggregate(projects=Count("id"), chinese_staff=Sum("chinese_staff"))
    return {
        "projects": figures["projects"],
        "chinese_staff": figures["chinese_staff"] or 0,
        "suppliers": Supplier.objects.listed().filter(countries_served=country).count(),
    }


# --- Bulletins: who is told, and how the telling goes ---------------------------------------


def audience_by_reason(bulletin) -> dict[str, QuerySet]:
    """The people a bulletin reaches, one queryset of active users per reason (AudienceReason).
    Each is a subquery: nothing is read until counted or handed to notify_audience()."""
    country_ids = bulletin.countries.values("pk")
    projects = exposed_projects(country_ids)

    def members_of(organization_ids):
        return Membership.objects.filter(organization_id__in=organization_ids).values("user_id")

    sources = {
        AudienceReason.PROJECT: members_of(
            projects.filter(organization__kind=OrganizationKind.ENTERPRISE).values("organization_id")
        ),
        AudienceReason.SUPPLIER: members_of(
            Supplier.objects.filter(status=SupplierStatus.APPROVED, countries_served__in=country_ids).values(
                "organization_id"
            )
        ),
        AudienceReason.SUPPLY_CHAIN: members_of(
            SupplyChainLink.objects.filter(project__in=projects.values("pk")).values("supplier__organization_id")
        ),
        AudienceReason.FOLLOW_COUNTRY: Follow.objects.filter(country_id__in=country_ids)
        .filter(Q(category="") | Q(category=bulletin.category))
        .values("user_id"),
        AudienceReason.FOLLOW_CATEGORY: Follow.objects.filter(country__isnull=True, category=bulletin.category).values(
            "user_id"
        ),
    }
    if bulletin.severity == Severity.EXTREME:
        sources[AudienceReason.EXTREME] = members_of(
            Organization.objects.filter(kind=OrganizationKind.ENTERPRISE).values("pk")
        )
    return {reason: User.objects.filter(is_active=True, pk__in=users) for reason, users in sources.items()}


def audience(bulletin) -> QuerySet:
    """Everyone the bulletin reaches, each person once however many reasons."""
    condition = Q()
    for users in audience_by_reason(bulletin).values():
        condition |= Q(pk__in=users.values("pk"))
    return User.objects.filter(condition, is_active=True)


def audience_counts(bulletin) -> dict:
    """For the preview: people by reason (a person may count under several) and the distinct
    total. One COUNT per reason and one for the total."""
    by_reason = audience_by_reason(bulletin)
    return {
        "by_reason": [
            {"reason": reason, "label": str(AudienceReason(reason).label), "people": users.count()}
            for reason, users in by_reason.items()
        ],
        "total": audience(bulletin).count(),
    }


def recipients_by_organization(bulletin) -> QuerySet:
    """The alert's recipients grouped by organisation (None for people without one), with how
    many acknowledged and read it; one query."""
    return (
        Notification.objects.filter(dedupe_key=bulletin.alert_key)
        .values(
            organization_id=F("recipient__membership__organization_id"),
            organization_name=F("recipient__membership__organization__name"),
        )
        .annotate(
            recipients=Count("id"),
            acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
            read=Count("id", filter=Q(read_at__isnull=False)),
        )
        .order_by("organization_name", "organization_id")
    )


def silent_organizations(bulletin) -> list[dict]:
    """Organisations told of the alert none of whose members acknowledged it."""
    return [
        row
        for row in recipients_by_organization(bulletin)
        if row["organization_id"] is not None and row["acknowledged"] == 0
    ]


def dispatch_summary(bulletin) -> dict:
    """What the dispatch view shows: recipients (acknowledged, read), deliveries by channel and
    status, and the organisations with their acknowledgements. Four queries."""
    totals = Notification.objects.filter(dedupe_key=bulletin.alert_key).aggregate(
        recipients=Count("id"),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        read=Count("id", filter=Q(read_at__isnull=False)),
    )
    deliveries = list(
        Delivery.objects.filter(notification__dedupe_key=bulletin.alert_key)
        .values("channel", "status")
        .annotate(count=Count("id"))
        .order_by("channel", "status")
    )
    organizations = list(recipients_by_organization(bulletin))
    return {
        **totals,
        "requires_ack": bulletin.requires_ack,
        "ack_deadline": bulletin.ack_deadline,
        "deliveries": deliveries,
        "organizations": organizations,
        "silent": [r for r in organizations if r["organization_id"] is not None and r["acknowledged"] == 0],
    }
