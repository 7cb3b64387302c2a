"""Celery as an operator runs it: queues and routes, the beat schedule, the retention purge."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from portal import services
from portal.celery import app
from portal.models import AuditEvent, Delivery, Notification
from portal.services import retention
from portal.services.schedules import schedules_install
from portal.tasks import purge_old_records
from portal.testing.celery_worker import celery_command, queue_size, show_log_on_failure, worker_environment
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


# --- The beat schedule ------------------------------------------------------------------------

SWEEP, REMIND = "notifications-sweep-deliveries", "projects-survey-remind"


def crontab_of(name: str) -> tuple:
    row = PeriodicTask.objects.select_related("crontab").get(name=name).crontab
    return (row.minute, row.hour, row.day_of_week, row.day_of_month, row.month_of_year, str(row.timezone))


def test_beat_gets_nothing_to_copy_over_the_database_at_start():
    assert settings.CELERY_BEAT_SCHEDULE == {}, "put beat jobs in PORTAL_BEAT_SCHEDULE, which beat does not overwrite"
    assert set(settings.PORTAL_BEAT_SCHEDULE) >= {SWEEP, REMIND}


@pytest.mark.django_db
def test_migrate_installs_daily_jobs_as_crontabs_in_local_time_and_the_sweeper_every_minute():
    # pytest-django built the test database with migrate, whose post_migrate installed them.
    assert crontab_of(REMIND) == ("0", "8", "*", "*", "*", "Asia/Shanghai")
    sweep = PeriodicTask.objects.select_related("interval").get(name=SWEEP)
    assert (sweep.task, sweep.interval.every, sweep.interval.period, sweep.enabled) == (
        "portal.sweep_deliveries",
        60,
        "seconds",
        True,
    )
    for name, entry in settings.PORTAL_BEAT_SCHEDULE.items():
        assert PeriodicTask.objects.get(name=name).task == entry["task"]


@pytest.mark.django_db
def test_setup_schedules_puts_back_a_missing_job_and_leaves_edited_ones_alone():
    remind = PeriodicTask.objects.get(name=REMIND)
    remind.crontab = CrontabSchedule.objects.create(minute="30", hour="7", day_of_week="1-5", timezone="Asia/Shanghai")
    remind.enabled = False
    remind.save()
    PeriodicTask.objects.filter(name=SWEEP).delete()

    call_command("setup_schedules")

    assert crontab_of(REMIND) == ("30", "7", "1-5", "*", "*", "Asia/Shanghai")
    assert PeriodicTask.objects.get(name=REMIND).enabled is False
    assert PeriodicTask.objects.filter(name=SWEEP, enabled=True).exists()
    assert schedules_install() == []  # nothing left to install


def run_beat_until_it_has_read_the_schedule(env: dict[str, str], log_path: Path, timeout: float = 60) -> None:
    """Start `celery beat` as deploy.md runs it, wait until its scheduler is set up, stop it."""
    offset = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("ab") as log:
        beat = subprocess.Popen(
            [
                *celery_command(),
                "-A",
                "portal",
                "beat",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--loglevel=DEBUG",
                f"--pidfile={log_path.parent / 'beat.pid'}",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        # Logged once the scheduler has been built, i.e. after setup_schedule() wrote to the database.
        while "beat: Ticking with max interval" not in log_path.read_bytes()[offset:].decode(errors="replace"):
            assert beat.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "beat did not start:\n" + log_path.read_text(errors="replace")
            time.sleep(0.2)
    finally:
        beat.send_signal(signal.SIGTERM)
        try:
            beat.wait(15)
        except subprocess.TimeoutExpired:
            beat.kill()
            beat.wait(5)


class BeatLog:
    """Lets a failing test show the beat process's log (show_log_on_failure wants .log_tail())."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def log_tail(self) -> str:
        return self.path.read_text(errors="replace")[-20000:] if self.path.exists() else ""


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_officials_changes_to_the_schedule_survive_a_restart_of_beat(request, celery_broker, tmp_path):
    schedules_install()  # as migrate did (the transactional flush before this test emptied the table)
    env = worker_environment(email_url=f"filemail:///{tmp_path / 'mail'}")
    log_path = tmp_path / "beat.log"
    show_log_on_failure(request, BeatLog(log_path))
    run_beat_until_it_has_read_the_schedule(env, log_path)  # beat has run once
    # An official moves the reminder to 07:30 on working days and switches the sweeper off.
    remind = PeriodicTask.objects.get(name=REMIND)
    remind.crontab = CrontabSchedule.objects.create(minute="30", hour="7", day_of_week="1-5", timezone="Asia/Shanghai")
    remind.save()
    PeriodicTask.objects.filter(name=SWEEP).update(enabled=False)

    run_beat_until_it_has_read_the_schedule(env, log_path)  # the restart

    assert crontab_of(REMIND) == ("30", "7", "1-5", "*", "*", "Asia/Shanghai")
    assert PeriodicTask.objects.get(name=SWEEP).enabled is False
    # Beat installed nothing of its own (no celery.backend_cleanup without a result backend).
    assert set(PeriodicTask.objects.values_list("name", flat=True)) == set(settings.PORTAL_BEAT_SCHEDULE)


# --- Retention --------------------------------------------------------------------------------

OLD = timezone.now() - timedelta(days=400)


def old_notification(**fields) -> Notification:
    notification = NotificationFactory(**fields)
    Notification.objects.filter(pk=notification.pk).update(created_at=OLD)
    return notification


@pytest.mark.django_db
def test_the_purge_deletes_old_deliveries_and_read_notifications_and_keeps_what_someone_may_still_need(settings):
    settings.NOTIFY = {**settings.NOTIFY, "RETENTION_DAYS": 365}
    settings.AUDIT_RETENTION_DAYS = None
    read = old_notification(read_at=OLD)
    read.deliveries.create(channel="email", status="sent", created_at=OLD)
    unread = old_notification()
    sent_long_ago = unread.deliveries.create(channel="email", status="sent", created_at=OLD)
    still_queued = unread.deliveries.create(channel="webhook", status="queued", created_at=OLD)
    unacknowledged = old_notification(requires_ack=True, read_at=OLD)
    acknowledged = old_notification(requires_ack=True, read_at=OLD, acknowledged_at=OLD)
    read_recently = NotificationFactory(read_at=timezone.now())
    old_event = AuditEvent.objects.create(action="organization.update", created_at=OLD)

    purge_old_records.apply()  # the task beat runs, here in this process

    assert set(Notification.objects.all()) == {unread, unacknowledged, read_recently}
    assert not Notification.objects.filter(pk__in=[read.pk, acknowledged.pk]).exists()
    assert set(Delivery.objects.all()) == {still_queued}
    assert not Delivery.objects.filter(pk=sent_long_ago.pk).exists()
    assert AuditEvent.objects.filter(pk=old_event.pk).exists()  # the audit trail is kept for ever
    record = AuditEvent.objects.get(action="retention.purge")
    assert record.data == {"deliveries": 2, "notifications": 2, "audit_events": 0}


@pytest.mark.django_db
def test_the_purge_deletes_audit_events_only_when_a_retention_is_set(settings):
    settings.NOTIFY = {**settings.NOTIFY, "RETENTION_DAYS": None}
    old_event = AuditEvent.objects.create(action="organization.update", created_at=OLD)
    recent_event = AuditEvent.objects.create(action="organization.update")
    read = old_notification(read_at=OLD)

    settings.AUDIT_RETENTION_DAYS = None
    assert services.records_purge() == {"deliveries": 0, "notifications": 0, "audit_events": 0}
    settings.AUDIT_RETENTION_DAYS = 365
    assert services.records_purge() == {"deliveries": 0, "notifications": 0, "audit_events": 1}

    assert not AuditEvent.objects.filter(pk=old_event.pk).exists()
    assert AuditEvent.objects.filter(pk=recent_event.pk).exists()
    assert Notification.objects.filter(pk=read.pk).exists()  # NOTIFY_RETENTION_DAYS=forever keeps it


@pytest.mark.django_db
def test_the_purge_deletes_in_batches_until_nothing_old_is_left(settings, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    settings.NOTIFY = {**settings.NOTIFY, "RETENTION_DAYS": 30}
    for _ in range(5):
        old_notification(read_at=OLD)

    assert services.records_purge()["notifications"] == 5
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_purge_runs_every_night_on_the_bulk_queue():
    assert crontab_of("retention-purge") == ("30", "3", "*", "*", "*", "Asia/Shanghai")
    assert PeriodicTask.objects.get(name="retention-purge").task == "portal.purge_old_records"
    assert queue_of("portal.purge_old_records") == "bulk"


def settings_in_a_fresh_process(**env: str) -> list:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.NOTIFY['RETENTION_DAYS'], settings.AUDIT_RETENTION_DAYS]))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", **env}
    for name in ("NOTIFY_RETENTION_DAYS", "AUDIT_RETENTION_DAYS"):
        if name not in env:
            environment.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_retention_is_a_year_for_notifications_and_for_ever_for_the_audit_trail_unless_configured():
    assert settings_in_a_fresh_process() == [365, None]
    assert settings_in_a_fresh_process(NOTIFY_RETENTION_DAYS="forever", AUDIT_RETENTION_DAYS="1825") == [None, 1825]
