"""Reads of the risk part that are more than a filter.

- `upcoming_trainings(country)`: published trainings still to come that name the country, on the
  session or on one of its agenda items.
- `talents_with_experience(country)`: EXTENSION POINT for the talent pool (issue 9), which has no
  profiles yet; it returns nothing, and the country page shows its section only when it has rows.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from portal.models import Country
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
