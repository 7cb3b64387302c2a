"""Celery tasks of the project library: thin, named, idempotent (notify() dedupes by key)."""

from celery import shared_task
from django.db import OperationalError

from . import emergency, services


@shared_task(name="projects.survey_announce", acks_late=True, reject_on_worker_lost=True)
def survey_announce(survey_id: int) -> None:
    """Tell every enterprise that the year's intended-project survey is open."""
    services.survey_announce_to_enterprises(survey_id=survey_id)


@shared_task(name="projects.survey_remind")
def survey_remind() -> None:
    """Daily (beat): remind enterprises that have not answered a survey closing within a week."""
    services.survey_remind_due()


@shared_task(
    name="projects.emergency_remind",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def emergency_remind() -> dict[str, int]:
    """Daily (beat): remind enterprises of emergency plans to update 14, 7 and 1 days before
    they are due and tell officials of overdue ones, each once however often it runs."""
    return emergency.obligations_remind()
