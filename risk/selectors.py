"""Reads of the risk part that are more than a filter.

Extension points (wired by the lead once talent/ and its trainings land):
- `talents_with_experience(country)`: talent profiles with experience in the country;
- `upcoming_trainings(country)`: trainings on hot countries that cover it.
Both return nothing yet; the country page shows their sections only when they return rows.
"""

from __future__ import annotations

from portal.models import Country


def talents_with_experience(country: Country) -> list:
    """EXTENSION POINT: the talent pool's profiles with experience in `country` (none yet)."""
    return []


def upcoming_trainings(country: Country) -> list:
    """EXTENSION POINT: upcoming trainings on hot countries covering `country` (none yet)."""
    return []
