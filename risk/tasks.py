"""Celery tasks of the risk part: thin, named, idempotent (notify() dedupes by key)."""

from celery import shared_task
from django.db import OperationalError

from . import cases, services


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


@shared_task(
    name="risk.monthly_digest",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def monthly_digest() -> int:
    """Monthly (beat): tell every enterprise last month's new negative cases and the countries at
    level 3 or 4, once a month however often it runs."""
    return cases.monthly_digest_send()
