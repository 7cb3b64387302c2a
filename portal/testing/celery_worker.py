"""A real Celery worker in a subprocess, for tests that go through the broker end to end.

pytest plugin (conftest.py: ``pytest_plugins``). Fixtures:

- ``celery_broker``: the broker of the test run (CELERY_BROKER_URL), emptied before and after
  the test, so that no task of one test runs in the next.
- ``celery_worker_factory``: starts ``celery -A portal worker --pool=prefork`` against the
  *test* database, in a process group of its own; returns a ``CeleryWorker`` that can be
  killed (SIGKILL to the whole group, from any thread) and started again. Every worker it
  started is stopped after the test, and a failing test's report shows the workers' log.
- ``celery_worker``: one running worker (concurrency 2) that mails to ``smtp_sink``.

Tests using them need committed data: ``@pytest.mark.django_db(transaction=True)`` (the
fixtures request ``transactional_db``). The worker needs a database server it can share with
the test process, so these tests are skipped on SQLite: run them under
``scripts/with-services.sh``.

The worker runs with short notification timings (see ``WORKER_DEFAULTS``): a retry after
0.5 s, then 1 s; three attempts at most; a queued delivery counts as lost 2 s after it was due.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app

WORKER_DEFAULTS = {
    "HTTPS": "0",
    "LOG_LEVEL": "INFO",
    "PYTHONUNBUFFERED": "1",
    "NOTIFY_RETRY_BASE_SECONDS": "0.5",
    "NOTIFY_MAX_ATTEMPTS": "3",
    "NOTIFY_REQUEUE_AFTER_SECONDS": "2",
    "NOTIFY_WEBHOOK_TIMEOUT_SECONDS": "5",
    # The test's webhook receiver listens on 127.0.0.1, which production refuses.
    "NOTIFY_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
    "EMAIL_TIMEOUT": "10",
    # Webhooks and mail go to servers on 127.0.0.1: never through a proxy from the environment.
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
READY = re.compile(r"@\S+ ready\.")
LOG_TAIL_LINES = 300
_serial = itertools.count(1)
_WORKERS = pytest.StashKey[list]()


def shared_database_url() -> str:
    """DATABASE_URL of the database this test process uses (pytest-django's test database)."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share an SQLite test database: run under scripts/with-services.sh")
    user = quote(s.get("USER") or "", safe="")
    password = quote(s.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(s.get("HOST") or "", safe="")  # a socket directory becomes %2F...
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(s['NAME'], safe='')}"


def celery_command() -> list[str]:
    """The `celery` of this virtualenv (next to the running Python)."""
    candidate = Path(sys.executable).parent / "celery"
    return [str(candidate)] if candidate.exists() else [sys.executable, "-m", "celery"]


def queue_names() -> list[str]:
    """The queues declared in settings (CELERY_TASK_QUEUES), which the test workers consume."""
    return [queue.name for queue in app.conf.task_queues]


def queue_size(queue: str | None = None) -> int:
    """Messages waiting in a queue of the broker, or in all of them (not those a worker holds
    unacknowledged)."""
    with app.connection_for_read() as conn:
        channel = conn.default_channel
        return sum(channel.queue_declare(queue=name).message_count for name in ([queue] if queue else queue_names()))


@dataclass(frozen=True)
class BrokerMessage:
    """A task message as the broker holds it: waiting in a queue, or taken and unacknowledged."""

    task: str
    args: list
    waiting: bool


def broker_messages() -> list[BrokerMessage]:
    """Every task message in Redis, read in one MULTI/EXEC so that it is one moment's picture.

    kombu's Redis transport keeps a queue as a list named after it (priorities other than the
    default get lists of their own, "<queue>\\x06\\x16<priority>") and a message that a worker
    took but has not acknowledged in the hash "unacked" as [message, exchange, routing key].
    A message is JSON with its body in base64: Celery's [args, kwargs, embed].
    """
    with app.connection_for_read() as conn:
        if conn.transport.driver_type != "redis":
            pytest.skip("reads kombu's Redis structures: run under scripts/with-services.sh")
        client = conn.default_channel.client
        lists = sorted(
            key
            for name in queue_names()
            for key in [name.encode(), *client.scan_iter(match=f"{name}\x06\x16*".encode())]
        )
        pipe = client.pipeline(transaction=True)
        for key in lists:
            pipe.lrange(key, 0, -1)
        pipe.hvals("unacked")
        *waiting, unacked = pipe.execute()
    found = [(json.loads(raw), True) for raws in waiting for raw in raws]
    found += [(json.loads(raw)[0], False) for raw in unacked]
    messages = []
    for message, is_waiting in found:
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        messages.append(BrokerMessage(task=message["headers"]["task"], args=args, waiting=is_waiting))
    return messages


def purge_broker() -> None:
    """Empty the broker. On Redis that is its whole database (waiting *and* unacked messages)."""
    with app.connection_for_write() as conn:
        if conn.transport.driver_type == "redis":
            conn.default_channel.client.flushdb()
        else:
            app.control.purge()


class CeleryWorker:
    """One `celery worker` subprocess (and its pool children) in a process group of its own."""

    def __init__(self, *, env: dict[str, str], log_path: Path, concurrency: int = 2, cwd: Path | None = None):
        self.env = env
        self.log_path = log_path
        self.concurrency = concurrency
        self.cwd = cwd or Path(settings.BASE_DIR)
        self.proc: subprocess.Popen | None = None
        self.name = ""

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 60) -> CeleryWorker:
        """Start the worker and wait until it says it is ready (consuming)."""
        assert not self.alive, "the worker is already running"
        self.name = f"test-worker-{os.getpid()}-{next(_serial)}"
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            log.write(f"\n===== starting {self.name} =====\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [
                    *celery_command(),
                    "-A",
                    "portal",
                    "worker",
                    "--loglevel=INFO",
                    "--pool=prefork",
                    f"--concurrency={self.concurrency}",
                    f"--hostname={self.name}@%h",
                    f"--queues={','.join(queue_names())}",  # all of them, as `make run` does
                    # No cluster chatter between test workers; starts faster too.
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own session and process group: killpg reaches the pool
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY.search(self._log_from(offset)):
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"the celery worker exited with {self.proc.returncode}:\n{self.log_tail()}")
            time.sleep(0.1)
        self.kill()
        raise TimeoutError(f"the celery worker was not ready within {timeout}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: main process and pool children die at once.

        Safe to call from another thread (e.g. from inside the SMTP sink); reap with wait().
        """
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.proc.pid, signal.SIGKILL)

    def wait(self, timeout: float = 30) -> int:
        """Wait for the main process to end (after kill() or stop())."""
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self, timeout: float = 15) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL to the group for whatever is left."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):  # then it is killed below
                self.proc.wait(timeout)
        self.kill()
        self.proc.wait(timeout)

    def log(self) -> str:
        return self._log_from(0)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        text = self.log().splitlines()
        head = [f"(last {lines} of {len(text)} lines; the whole log is {self.log_path})"] if len(text) > lines else []
        return "\n".join(head + text[-lines:])

    def _log_from(self, offset: int) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""


def worker_environment(*, email_url: str, var_dir: Path | str | None = None, **overrides: str) -> dict[str, str]:
    """The environment of a worker on the test database and the test run's broker."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE_"))}
    env.update(WORKER_DEFAULTS)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=shared_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        EMAIL_URL=email_url,
        # The test process's VAR_DIR, so that a filesystem broker is the same folder for both.
        VAR_DIR=str(var_dir or settings.VAR_DIR),
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def show_log_on_failure(request, worker: CeleryWorker) -> None:
    """Put `worker`'s log in the report of the test `request` belongs to, should it fail."""
    request.node.stash.setdefault(_WORKERS, []).append(worker)


@pytest.fixture
def celery_broker() -> Iterator[str]:
    """The test run's broker, empty at the start and at the end of the test."""
    purge_broker()
    yield settings.CELERY_BROKER_URL
    purge_broker()


@pytest.fixture
def celery_worker_factory(request, transactional_db, celery_broker, tmp_path) -> Iterator[Callable[..., CeleryWorker]]:
    """`start(concurrency=2, email_url=..., **env)` starts a worker and returns it, ready."""
    workers: list[CeleryWorker] = []

    def start(*, concurrency: int = 2, email_url: str | None = None, **env: str) -> CeleryWorker:
        mail = email_url or f"filemail:///{tmp_path / 'mail'}"
        worker = CeleryWorker(
            env=worker_environment(email_url=mail, **env),
            log_path=tmp_path / f"celery-worker-{len(workers) + 1}.log",
            concurrency=concurrency,
        )
        workers.append(worker)
        show_log_on_failure(request, worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker(celery_worker_factory, smtp_sink) -> CeleryWorker:
    """A running worker (prefork, concurrency 2) that sends mail to `smtp_sink`."""
    return celery_worker_factory(email_url=smtp_sink.url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test that started workers shows their log in its report."""
    report = yield
    if report.failed:
        for number, worker in enumerate(item.stash.get(_WORKERS, []), 1):
            report.sections.append((f"celery worker {number} log ({report.when})", worker.log_tail()))
    return report
