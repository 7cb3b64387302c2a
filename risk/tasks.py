"""Celery tasks of the risk part: thin, named, idempotent (notify() dedupes by key)."""

from celery import shared_task
from django.db import OperationalError

from . import bulletins, cases, rollcalls, services

# Idempotent tasks (notify() dedupes by key): acknowledged after they ran, retried with backoff
# (about 1, 2, 4 s) when the database connection is lost.
RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(name="risk.flag_stale_countries", **RETRY)
def flag_stale_countries() -> int:
    """Daily (beat): tell publishing officials of country levels overdue for review, once per
    country per staleness period however often it runs."""
    return services.stale_countries_notify()


@shared_task(name="risk.bulletin_alert", **RETRY)
def bulletin_alert(bulletin_id: int) -> int:
    """After a bulletin is published: alert its audience, set-based; a second run tells nobody
    (the dedupe key is the bulletin's)."""
    return bulletins.bulletin_alert(bulletin_id=bulletin_id)


@shared_task(name="risk.bulletin_count_audience", **RETRY)
def bulletin_count_audience(bulletin_id: int) -> bool:
    """After an alert is committed: count its audience by reason for the dispatch view, once."""
    return bulletins.bulletin_audience_count(bulletin_id=bulletin_id)


@shared_task(name="risk.escalate_unacknowledged", **RETRY)
def escalate_unacknowledged() -> int:
    """Every 15 minutes (beat): second notices to silent organisations' admins and the list of
    them to the publishing official, once per bulletin after its acknowledgement deadline."""
    return bulletins.bulletins_escalate()


@shared_task(name="risk.bulletin_cancelled", **RETRY)
def bulletin_cancelled(bulletin_id: int) -> int:
    """After a bulletin is cancelled: tell those it alerted, once."""
    return bulletins.bulletin_cancelled_notify(bulletin_id=bulletin_id)


@shared_task(name="risk.monthly_digest", **RETRY)
def monthly_digest() -> int:
    """Monthly (beat): tell every enterprise last month's new negative cases and the countries at
    level 3 or 4, once a month however often it runs."""
    return cases.monthly_digest_send()


@shared_task(name="risk.rollcall_remind", **RETRY)
def rollcall_remind(rollcall_id: int) -> int:
    """After a roll-call opens: ask the organisations with projects in it to report (the first
    interval's reminder; a second run asks nobody again)."""
    from .models import RollCall

    rollcall = RollCall.objects.filter(pk=rollcall_id).select_related("bulletin").first()
    return rollcalls.rollcall_remind(rollcall=rollcall) if rollcall is not None else 0


@shared_task(name="risk.rollcalls_remind", **RETRY)
def rollcalls_remind() -> dict:
    """Every 15 minutes (beat): close the roll-calls whose window ended (freezing their
    figures) and remind the silent organisations of the open ones, once per interval."""
    return rollcalls.rollcalls_remind()
