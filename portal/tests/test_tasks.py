"""Celery as an operator runs it: queues and routes, the beat schedule, the retention purge."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from portal import services
from portal.celery import app
from portal.testing.celery_worker import queue_size
from portal.testing.factories import NotificationFactory

ROOT = Path(settings.BASE_DIR)


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def declared_queues() -> set[str]:
    return {queue.name for queue in settings.CELERY_TASK_QUEUES}


def portal_tasks() -> list[str]:
    app.loader.import_default_modules()  # autodiscovery: every app's tasks.py
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_every_task_is_routed_in_settings_to_a_declared_queue():
    assert declared_queues() == {"notify", "bulk", "default"}
    assert "portal.deliver" in portal_tasks()
    # A new task's queue is a decision: name it in CELERY_TASK_ROUTES.
    assert [name for name in portal_tasks() if name not in settings.CELERY_TASK_ROUTES] == []
    assert {name: queue_of(name) for name in portal_tasks() if queue_of(name) not in declared_queues()} == {}


def test_deliveries_big_jobs_and_beat_jobs_each_have_their_queue():
    assert queue_of("portal.deliver") == queue_of("portal.fan_out_deliveries") == "notify"
    assert queue_of("portal.notify") == queue_of("projects.survey_announce") == "bulk"
    # The sweeper must not wait behind the backlog of deliveries it sweeps.
    assert queue_of("portal.sweep_deliveries") == queue_of("projects.survey_remind") == "default"
    assert queue_of("some.task_nobody_routed") == "default"


def test_make_run_starts_a_worker_that_consumes_every_queue():
    worker = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    queues = re.search(r"--queues=(\S+)", worker)
    assert queues, worker
    assert set(queues.group(1).split(",")) == declared_queues()


def test_the_deployment_guide_gives_every_queue_its_workers():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for name in declared_queues():
        assert re.search(rf"celery -A portal worker [^`|]*--queues={name}\b", guide), name


@pytest.mark.django_db(transaction=True)
def test_a_notification_reaches_the_broker_on_the_notify_queue(celery_broker):
    delivery = NotificationFactory().deliveries.create(channel="email")

    services.enqueue_deliveries([delivery.pk])

    assert (queue_size("notify"), queue_size("bulk"), queue_size("default")) == (1, 0, 0)
