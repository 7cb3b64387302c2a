"""Reads of the risk part that are more than a filter.

- `upcoming_trainings(country)`: published trainings still to come that name the country, on the
  session or on one of its agenda items.
- `talents_with_experience(country)`: EXTENSION POINT for the talent pool (issue 9), which has no
  profiles yet; it returns nothing, and the country page shows its section only when it has rows.
- `exposure(country)`: the approved projects there, their Chinese staff, the suppliers serving it.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils import timezone

from portal.models import Country
from projects.choices import FilingStatus, Stage
from projects.models import Project
from suppliers.models import Supplier
from talent.trainings.models import TrainingSession


def talents_with_experience(country: Country) -> list:
    """EXTENSION POINT: the talent pool's profiles with experience in `country` (none yet)."""
    return []


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
