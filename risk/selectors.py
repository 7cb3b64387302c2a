"""Reads of the risk part that are more than a filter.

- `upcoming_trainings(country)`: published trainings still to come that name the country, on the
  session or on one of its agenda items.
- `audience_by_reason(bulletin)`, `audience(bulletin)`, `audience_counts(bulletin)`: who a
  bulletin reaches, as querysets of users (set-based; each person once in `audience`), and
  how many (one query).
- `alert_audience_counts(bulletin)`: the same counts as stored when the alert went out.
- `dispatch_summary(bulletin)`, `silent_organizations(bulletin)`: how its alert is going.
- `talents_with_experience(country)`: how many active profiles of the talent pool have overseas
  experience there (the country page shows the number).
- `exposure(country)`: the approved projects there, their Chinese staff, the suppliers serving it.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
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
    """For the preview: people by reason (a person may count under several, each reason with
    its label) and the distinct total. One query (audience_figures)."""
    return labelled(audience_figures(bulletin))


def audience_figures(bulletin, *, total: int | None = None) -> dict:
    """`audience_counts` without the labels, as stored on the bulletin when its alert goes out:
    one COUNT per reason, and one for the distinct total unless it is given (the alert knows
    it: the people it told). A single pass over the users counting each reason with a FILTER
    was tried and was slower: 1.3 s on an audience of 100,000 where the separate COUNTs take
    0.3 s."""
    by_reason = audience_by_reason(bulletin)
    return {
        "by_reason": [{"reason": str(reason), "people": users.count()} for reason, users in by_reason.items()],
        "total": audience(bulletin).count() if total is None else total,
    }


def labelled(counts: dict) -> dict:
    """Counts by reason (as stored on the bulletin: reasons and numbers) with each reason's
    label in the language of the request."""
    return {
        "by_reason": [
            {"reason": row["reason"], "label": str(AudienceReason(row["reason"]).label), "people": row["people"]}
            for row in counts["by_reason"]
        ],
        "total": counts["total"],
    }


def alert_audience_counts(bulletin) -> dict:
    """Who the bulletin's alert reached, by reason, as counted when it went out (stored on the
    bulletin by bulletin_alert, so that the dispatch view does not recount the audience on every
    refresh); counted now for a bulletin not alerted (yet), as the preview does."""
    if bulletin.audience_counts:
        return labelled(bulletin.audience_counts)
    return audience_counts(bulletin)


_BY_ORGANIZATION = f"""
    SELECT a.organization_id, o.name, a.recipients, a.acknowledged, a.seen, a.first_id, a.last_id
    FROM (
        SELECT m.organization_id AS organization_id,
               COUNT(*) AS recipients,
               COUNT(*) FILTER (WHERE n.acknowledged_at IS NOT NULL) AS acknowledged,
               COUNT(*) FILTER (WHERE n.read_at IS NOT NULL) AS seen,
               MIN(n.id) AS first_id,
               MAX(n.id) AS last_id
        FROM {Notification._meta.db_table} n
        LEFT JOIN {Membership._meta.db_table} m ON m.user_id = n.recipient_id
        WHERE n.dedupe_key = %s
        GROUP BY m.organization_id
    ) a
    LEFT JOIN {Organization._meta.db_table} o ON o.id = a.organization_id
    ORDER BY o.name, a.organization_id
"""  # noqa: S608 - table names come from the models; the key is a parameter


def _by_organization(bulletin) -> tuple[list[dict], tuple[int, int] | None]:
    """The rows of recipients_by_organization and the range of the alert's notification ids."""
    with connection.cursor() as cursor:
        cursor.execute(_BY_ORGANIZATION, [bulletin.alert_key])
        found = cursor.fetchall()
    rows = [
        {"organization_id": oid, "organization_name": name, "recipients": r, "acknowledged": ack, "read": read}
        for oid, name, r, ack, read, _first, _last in found
    ]
    ids = (min(row[5] for row in found), max(row[6] for row in found)) if found else None
    return rows, ids


def recipients_by_organization(bulletin) -> list[dict]:
    """The alert's recipients grouped by organisation (None for people without one), with how
    many acknowledged and read it, by name; one query. In SQL of its own: the ORM joined the
    users too and grouped by name, sorting 100,000 rows on disk (0.35 s for 100,000 recipients
    in 5,000 organisations); grouping by the membership's organisation, then naming the 5,000
    groups, takes 0.09 s."""
    return _by_organization(bulletin)[0]


def _deliveries(bulletin, *, recipients: int, ids: tuple[int, int] | None) -> list[dict]:
    """The alert's deliveries by channel and status. When its notifications fill a range of ids
    with no gap (the one INSERT ... SELECT of notify_audience, unless another insert interleaved)
    the deliveries of that range are exactly the alert's, read without joining the
    notifications (70 ms of a 120,000-delivery alert's 90)."""
    if ids is None:
        return []
    deliveries = Delivery.objects.all()
    if ids[1] - ids[0] + 1 == recipients:
        deliveries = deliveries.filter(notification_id__gte=ids[0], notification_id__lte=ids[1])
    else:
        deliveries = deliveries.filter(notification__dedupe_key=bulletin.alert_key)
    return list(deliveries.values("channel", "status").annotate(count=Count("id")).order_by("channel", "status"))


def is_silent(row: dict) -> bool:
    """An organisation told of the alert none of whose members acknowledged it."""
    return row["organization_id"] is not None and row["acknowledged"] == 0


def silent_organizations(bulletin) -> list[dict]:
    """Organisations told of the alert none of whose members acknowledged it."""
    return [row for row in recipients_by_organization(bulletin) if is_silent(row)]


def dispatch_summary(bulletin) -> dict:
    """What the dispatch view shows: recipients (acknowledged, read), deliveries by channel and
    status, and the organisations with their acknowledgements, silent ones first (then by name),
    for the views to page. At most two queries: the totals are the sums of the organisations'
    rows rather than a second pass over the alert's notifications; no deliveries without them."""
    rows, ids = _by_organization(bulletin)
    recipients = sum(row["recipients"] for row in rows)
    silent = [row for row in rows if is_silent(row)]
    return {
        "recipients": recipients,
        "acknowledged": sum(row["acknowledged"] for row in rows),
        "read": sum(row["read"] for row in rows),
        "requires_ack": bulletin.requires_ack,
        "ack_deadline": bulletin.ack_deadline,
        "deliveries": _deliveries(bulletin, recipients=recipients, ids=ids),
        "organizations": silent + [row for row in rows if not is_silent(row)],
        "silent": silent,
    }
