"""The embedded defaults of `make run`: SQLite, a Celery broker on the filesystem, mail as files.

Everything runs in subprocesses with a fresh VAR_DIR and none of the test run's servers, as a
developer's machine would: migrate, a real worker, and a shell that queues a notification.
"""

import email
import email.policy
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from portal.testing.celery_worker import CeleryWorker, show_log_on_failure

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
# The test run's servers and anything else that would take the portal off its embedded defaults.
NOT_EMBEDDED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "VAR_DIR", "HTTPS", "DEBUG")

QUEUE_A_NOTIFICATION = """
from portal.models import User
from portal.tasks import notify_task
user = User.objects.create_user("embedded", "embedded@example.cn", display_name="嵌入式")
notify_task.delay([user.pk], "system", "嵌入式模式测试", "文件队列与文件邮件。", "/notifications/", False, "embedded:1")
print("queued for", user.pk)
"""


def embedded_environment(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_EMBEDDED and not k.startswith("NOTIFY_")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONPATH=str(settings.BASE_DIR),
        PYTHONUNBUFFERED="1",
        VAR_DIR=str(var_dir),
        CELERY_BROKER_URL="filesystem://",
        EMAIL_URL=f"filemail:///{var_dir / 'mail'}",
        DEBUG="1",
    )
    return env


def manage(*args: str, env: dict[str, str], cwd: Path, timeout: float = 180) -> str:
    done = subprocess.run(
        [sys.executable, MANAGE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def row(database: Path, sql: str, *params):
    with sqlite3.connect(database, timeout=20) as db:
        return db.execute(sql, params).fetchone()


@pytest.mark.worker
@pytest.mark.slow
def test_embedded_defaults_deliver_a_notification_through_sqlite_the_filesystem_broker_and_file_mail(request, tmp_path):
    var_dir, cwd = tmp_path / "var", tmp_path / "cwd"
    cwd.mkdir()  # the processes' working directory: nothing may be written here
    env = embedded_environment(var_dir)
    manage("migrate", "--noinput", env=env, cwd=cwd)
    database = var_dir / "portal.sqlite3"
    assert database.exists()

    worker = CeleryWorker(env=env, log_path=tmp_path / "worker.log", concurrency=1, cwd=cwd)
    show_log_on_failure(request, worker)
    worker.start()
    try:
        assert "queued for" in manage("shell", "-c", QUEUE_A_NOTIFICATION, env=env, cwd=cwd, timeout=60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sent = row(
                database,
                "SELECT count(*) FROM portal_delivery d JOIN portal_notification n ON n.id = d.notification_id"
                " WHERE n.dedupe_key = ? AND d.status = 'sent'",
                "embedded:1",
            )[0]
            files = sorted((var_dir / "mail").glob("*.log")) if (var_dir / "mail").is_dir() else []
            if sent and files:
                break
            time.sleep(0.5)
        else:
            pytest.fail("no notification was delivered within 60 s")
    finally:
        worker.stop()

    title, recipient = row(
        database,
        "SELECT n.title, u.email FROM portal_notification n JOIN portal_user u ON u.id = n.recipient_id"
        " WHERE n.dedupe_key = ?",
        "embedded:1",
    )
    assert (title, recipient) == ("嵌入式模式测试", "embedded@example.cn")
    [mail_file] = files
    message = email.message_from_bytes(mail_file.read_bytes().split(b"\n" + b"-" * 79)[0], policy=email.policy.default)
    assert message["To"] == "embedded@example.cn"
    assert message["Subject"] == "嵌入式模式测试"
    # The broker kept its folders (exchange bindings included) under VAR_DIR, not in the
    # working directory.
    assert list(cwd.iterdir()) == []
    assert (var_dir / "broker" / "control").is_dir()
