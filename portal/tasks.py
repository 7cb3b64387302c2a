"""Celery tasks of the portal shell (the notification centre, retention): thin, named, idempotent."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils.translation import gettext as _

from . import services
from .messages_i18n import Message

logger = logging.getLogger(__name__)


@shared_task(name="portal.fan_out_deliveries", acks_late=True, reject_on_worker_lost=True)
def fan_out_deliveries(delivery_ids: list[int]) -> None:
    """Queue one delivery task per id still queued: a fan-out run again skips what went out."""
    services.deliveries_fan_out(delivery_ids=delivery_ids)


@shared_task(
    name="portal.deliver",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # bounded by NOTIFY["MAX_ATTEMPTS"], counted on the Delivery row
)
def deliver(self, delivery_id: int) -> None:
    """Send one delivery; a failure is recorded on the row and retried with backoff."""
    retry_in = services.delivery_attempt(delivery_id=delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(name="portal.sweep_deliveries")
def sweep_deliveries() -> None:
    """The outbox sweeper (beat): re-queue lost deliveries, fail those past the retry window."""
    services.deliveries_sweep()


@shared_task(name="portal.purge_old_records")
def purge_old_records() -> None:
    """Nightly (beat): delete deliveries, read notifications and audit events past their retention."""
    services.records_purge()


@shared_task(
    name="portal.notify",
    acks_late=True,
    reject_on_worker_lost=True,
    # No outbox row exists yet to fall back on: a lost database connection is retried with
    # backoff (about 1, 2, 4, 8, 16 s), then the failure is logged by the worker.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def notify_task(
    recipient_ids: list[int], kind: str, title, body, url: str, requires_ack: bool, dedupe_key: str
) -> None:
    """notify() in a worker, for fan-outs started where no request should wait (idempotent by key).

    `title` and `body` are strings or `Message.as_json()`, rendered in each language here.
    """
    services.notify(
        recipients=recipient_ids,
        kind=kind,
        title=Message.from_json(title),
        body=Message.from_json(body),
        url=url,
        requires_ack=requires_ack,
        dedupe_key=dedupe_key,
    )


IMPORT_MAX_RETRIES = 5


@shared_task(name="portal.import_job_run", bind=True, acks_late=True, reject_on_worker_lost=True)
def import_job_run(self, job_id: int) -> None:
    """Run one Excel import (services.import_job_run): a job already finished, or running under
    another task, is left alone. A lost database connection is retried with backoff (about 2,
    4, 8, 16, 32 s), the earlier attempt having been rolled back; then the job is failed."""
    try:
        services.import_job_run(job_id=job_id, task_id=self.request.id or "")
    except OperationalError as exc:
        if self.request.retries >= IMPORT_MAX_RETRIES:
            logger.exception("import job %s: the database failed %d times, giving up", job_id, self.request.retries + 1)
            services.import_job_fail(job_id=job_id, message=_("导入因系统故障未能完成，未导入任何记录，请重新上传。"))
            return
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1), max_retries=IMPORT_MAX_RETRIES) from exc
    except Exception:
        # A fault no retry mends: the job is failed at once rather than left running until the sweeper.
        logger.exception("import job %s failed", job_id)
        services.import_job_fail(job_id=job_id, message=_("导入因系统故障未能完成，未导入任何记录，请重新上传。"))
        raise


@shared_task(name="portal.sweep_import_jobs")
def sweep_import_jobs() -> None:
    """Every few minutes (beat): re-queue imports whose task was lost, fail those that died."""
    services.import_jobs_sweep()
