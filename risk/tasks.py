"""Celery tasks of the risk part: thin, named, idempotent (notify() dedupes by key)."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="risk.flag_stale_countries",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def flag_stale_countries() -> int:
    """Daily (beat): tell publishing officials of country levels overdue for review, once per
    country per staleness period however often it runs."""
    return services.stale_countries_notify()
