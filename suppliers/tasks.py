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
