"""Celery tasks of the trainings: thin, named, idempotent (every notice has a dedupe key; an
expired offer is expired once). Ids as arguments; routes in CELERY_TASK_ROUTES, periodic ones
in PORTAL_BEAT_SCHEDULE."""

from celery import shared_task
from django.db import OperationalError

from . import services

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(name="talent.trainings_announce", **RETRY)
def trainings_announce(session_id: int) -> int:
    """Announce a published session to every enterprise and supplier member and the opted-in."""
    return services.session_announce(session_id=session_id)


@shared_task(name="talent.trainings_notify_change", **RETRY)
def trainings_notify_change(session_id: int, sequence: int) -> int:
    """Tell the enrolled and waiting of a change or a cancellation (once per version)."""
    return services.session_notify_change(session_id=session_id, sequence=sequence)


@shared_task(name="talent.trainings_remind", **RETRY)
def trainings_remind() -> dict[str, int]:
    """Hourly (beat): reminders 7 and 1 days before; the registration-closed notice."""
    return services.trainings_remind()


@shared_task(name="talent.trainings_expire_offers", **RETRY)
def trainings_expire_offers() -> int:
    """Every 10 minutes (beat): a freed seat not taken in time passes to the next waiting."""
    return services.offers_expire()


@shared_task(name="talent.trainings_warn_half", **RETRY)
def trainings_warn_half() -> int:
    """Weekly (beat): warn organisers when the half has no published session by their date."""
    return services.trainings_warn_half()
