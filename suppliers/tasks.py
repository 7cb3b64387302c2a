"""Celery tasks of the supplier library: thin, named, idempotent (notify() dedupes by key; a
suspended supplier is not suspended again)."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="suppliers.check_certificates",
    acks_late=True,
    reject_on_worker_lost=True,
    # A lost database connection is retried with backoff (about 1, 2, 4 s); then the worker
    # logs the failure and tomorrow's run does the work (it catches up by itself).
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def check_certificates() -> dict[str, int]:
    """Daily (beat): remind suppliers of certificates lapsing in 60, 30 and 7 days; suspend
    approved suppliers whose required certificate has lapsed."""
    return services.certificates_check()


RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(name="suppliers.matchmaking_invite", **RETRY)
def matchmaking_invite(event_id: int) -> int:
    """Invite the matching approved suppliers and the enterprises with projects in the country."""
    from . import matchmaking

    return matchmaking.event_invite(event_id=event_id)


@shared_task(name="suppliers.matchmaking_notify_change", **RETRY)
def matchmaking_notify_change(event_id: int, sequence: int) -> int:
    """Tell the registered of a change of time or place, or of the cancellation (once per version)."""
    from . import matchmaking

    return matchmaking.event_notify_change(event_id=event_id, sequence=sequence)


@shared_task(name="suppliers.matchmaking_remind", **RETRY)
def matchmaking_remind() -> int:
    """Hourly (beat): remind the registered the day before the event (once per event and person)."""
    from . import matchmaking

    return matchmaking.events_remind()
