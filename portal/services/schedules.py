"""The beat schedule in the database: install the portal's jobs where missing, never change them.

Beat reads its schedule from django-celery-beat's tables, where officials change the timing or
switch a job off in the admin. settings.PORTAL_BEAT_SCHEDULE says which jobs exist and their
first timing; `schedules_install` runs after every `migrate` (portal/apps.py) and from
`manage.py setup_schedules`.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab, maybe_schedule
from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@transaction.atomic
def schedules_install(*, entries: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Create the periodic tasks of `entries` (PORTAL_BEAT_SCHEDULE) that the database lacks.

    An entry that exists is left exactly as it is, whatever its timing and whether it is
    enabled. To stop a job, officials untick "enabled": a deleted entry comes back with the
    next migrate. Returns the names created.
    """
    entries = settings.PORTAL_BEAT_SCHEDULE if entries is None else entries
    existing = set(PeriodicTask.objects.filter(name__in=list(entries)).values_list("name", flat=True))
    created = []
    for name, entry in entries.items():
        if name in existing:
            continue
        PeriodicTask.objects.create(
            name=name, task=entry["task"], description=entry.get("description", ""), **_schedule_row(entry["schedule"])
        )
        created.append(name)
    return created


def _schedule_row(value) -> dict[str, Any]:
    schedule = maybe_schedule(value)  # seconds and timedeltas become intervals
    if isinstance(schedule, crontab):
        row = CrontabSchedule.from_schedule(schedule)  # the existing row, or a new one (unsaved)
        row.save()
        return {"crontab": row}
    row = IntervalSchedule.from_schedule(schedule)
    row.save()
    return {"interval": row}
