"""Publishing a risk bulletin to 100,000 people across 5,000 organisations, and the dispatch
view while its deliveries wait.

The dataset
  5,000 enterprises of 20 members each (100,000 users, a fifth of the organisations with a
  webhook), each with one approved project under construction in Kenya; one official with
  `publish_risk`. A `severe` bulletin for Kenya reaches every one of them (the project reason)
  and asks them to acknowledge.

What is timed
  alert      `risk.bulletins.bulletin_alert(bulletin_id=...)` from call to return: the audience
             resolved in the database (risk.selectors.audience), every notification written by
             one INSERT ... SELECT (`portal.services.notify_audience`, requires_ack), their
             e-mail and webhook deliveries by another, COMMIT. The after-commit enqueues (the
             deliveries; the task that counts the audience by reason for the dispatch view)
             are excluded (swapped for recorders), as in `notify` and `trainings`.
  reference  one psycopg2 transaction on its own connection: INSERT INTO portal_notification
             SELECT the same columns FROM the members of the organisations with an exposed
             project in the country, COMMIT: the least SQL that writes the same rows.
  dispatch   `GET /api/v1/risk/bulletins/{id}/dispatch/` as the official through DRF's
             APIClient, after an alert of 100,000 whose deliveries are all still queued and
             whose audience was counted (`bulletin_audience_count`, run as the worker would).
  drain      after the dispatch samples, DRAIN (5,000) of that alert's queued e-mail deliveries
             handed to the broker (`enqueue_deliveries`, the after-commit step of the alert) and
             drained by two real Celery worker processes (`celery -A portal worker -Q notify
             -c 1`, each its own process) into a local aiosmtpd sink (portal/testing/smtp.py):
             messages per second from the hand-over to the last message accepted. 5,000 rather
             than the alert's 100,000 e-mails, so that the figure takes seconds, not minutes.
The alert and its reference take turns; notifications and deliveries are emptied (TRUNCATE)
before every sample, outside the timing, and each sample alerts a fresh bulletin.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from unittest import mock

import psycopg2.extensions
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench import data
from bench.core import Context, Figure, Row, duration
from portal.choices import NotificationKind
from portal.models import Country, Delivery, Membership, Notification, Organization, User
from portal.services import notifications
from portal.testing.smtp import SmtpSink
from projects.choices import FilingStatus, Stage
from projects.models import Project
from risk import bulletins
from risk.models import RiskBulletin

RECIPIENTS = 100_000
MEMBERS_PER_ORG = 20
COUNTRY = "KE"
MAX_RATIO = 3.0
ALERT_MAX = 5.0
DISPATCH_MEDIAN = 0.200
INNER = 5
DRAIN = 5_000
DRAIN_WORKERS = 2
DRAIN_TIMEOUT = 300
ROOT = Path(__file__).resolve().parents[2]
THROTTLE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/second", "user": "100000/minute"}}


@dataclass
class State:
    count: int
    conn: psycopg2.extensions.connection
    official: APIClient
    official_id: int
    n: int = 0

    def bulletin(self) -> RiskBulletin:
        self.n += 1
        now = timezone.now()
        bulletin = RiskBulletin.objects.create(
            title=f"肯尼亚多地发生骚乱，请加强安全防范（第 {self.n} 期）",
            body="近日肯尼亚多地发生抗议和骚乱，请在肯中资企业和人员加强安全防范，减少外出。",
            category="civil_unrest",
            severity="severe",
            expires_at=now + timedelta(days=7),
            status="published",
            published_at=now,
            published_by_id=self.official_id,
            created_by_id=self.official_id,
        )
        bulletin.countries.set([COUNTRY])
        return bulletin


def setup(ctx: Context) -> State:
    data.load_countries()
    count = ctx.n(RECIPIENTS, minimum=2000)
    orgs = data.organisations(max(1, count // MEMBERS_PER_ORG), webhook_share=0.2)
    data.members(count, organizations=orgs)
    official_id = data.official(can_publish_risk=True)
    rows = data.project_rows(len(orgs), organization_ids=[o.pk for o in orgs], countries=[COUNTRY], end=timezone.now())
    data.copy_projects((org.pk, *row[1:]) for org, row in zip(orgs, rows, strict=True))  # one project each
    # One project each, on site in Kenya: `project_rows` spreads stages and statuses.
    Project.objects.update(stage=Stage.UNDER_CONSTRUCTION, filing_status=FilingStatus.APPROVED)
    data.vacuum_analyze(User, Membership, Organization, Project, Country, Notification, Delivery)
    token = Token.objects.create(user_id=official_id)
    official = APIClient()
    official.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return State(count=count, conn=data.raw_connection(autocommit=False), official=official, official_id=official_id)


_REFERENCE = """
    INSERT INTO portal_notification
        (recipient_id, kind, title, body, title_en, body_en, url, requires_ack, dedupe_key, created_at)
    SELECT u.id, %s, %s, %s, '', '', %s, TRUE, %s, %s
    FROM portal_user u
    WHERE u.is_active AND u.id IN (
        SELECT m.user_id FROM portal_membership m
        WHERE m.organization_id IN (
            SELECT p.organization_id FROM projects_project p
            WHERE p.country_id = %s AND p.filing_status <> 'draft' AND p.stage <> 'completed'
        )
    )
"""


def measure(ctx: Context, state: State) -> list[Row]:
    def reset() -> None:
        data.truncate(Notification, Delivery)

    def subject() -> None:
        bulletin = state.bulletin()
        created = bulletins.bulletin_alert(bulletin_id=bulletin.pk)
        assert created == state.count, created

    def reference() -> None:
        with state.conn.cursor() as cur:
            cur.execute(
                _REFERENCE,
                [
                    NotificationKind.RISK_ALERT,
                    "风险预警：肯尼亚多地发生骚乱，请加强安全防范",
                    "严重程度：严重；有效期至 2026-12-31 09:00。请在 24 小时内确认收到。",
                    "/risk/bulletins/1/",
                    f"bench-bulletins:{state.n}:{timezone.now().timestamp()}",
                    timezone.now(),
                    COUNTRY,
                ],
            )
            assert cur.rowcount == state.count, cur.rowcount
        state.conn.commit()

    enqueued: list[list[int]] = []
    counted: list[tuple] = []
    with (
        mock.patch.object(notifications, "enqueue_deliveries", enqueued.append),
        mock.patch.object(bulletins, "_enqueue", lambda *args: counted.append(args)),
    ):
        samples, ref = ctx.compare(subject, reference, reset=reset, label="bulletin alert")
        reset()
        breakdown = ctx.breakdown(subject)
        deliveries = Delivery.objects.count()
        last = RiskBulletin.objects.order_by("-pk").first()
    # What the worker does next, outside the timing: the audience counted by reason for the view.
    assert ("count", last.pk) in counted, counted
    assert bulletins.bulletin_audience_count(bulletin_id=last.pk)
    url = f"/api/v1/risk/bulletins/{last.pk}/dispatch/"

    def dispatch() -> None:
        response = state.official.get(url)
        assert response.status_code == 200, response.status_code

    with override_settings(REST_FRAMEWORK=THROTTLE):
        dispatch_queries = len(ctx.queries(dispatch))
        dispatch_breakdown = ctx.breakdown(dispatch)
        dispatch_samples = ctx.sample(dispatch, inner=INNER, label="dispatch view")
    state.conn.close()
    drained, drain_seconds = drain(ctx, last)
    return [
        Row(
            label=f"alert a bulletin to {state.count:,} people",
            samples=samples,
            reference=ref,
            max_ratio=MAX_RATIO,
            checks={f"< {ALERT_MAX:g} s": statistics.median(samples) < ALERT_MAX},
            notes=[
                "subject: bulletin_alert() call to return, audience resolved in the database, COMMIT included, "
                f"after-commit enqueue excluded; writes {state.count:,} notifications and {deliveries:,} deliveries",
                f"reference: psycopg2 INSERT ... SELECT of the same {state.count:,} notification rows, COMMIT included",
                f"where the alert's time goes, {breakdown}",
            ],
        ),
        Row(
            label="dispatch view after the alert",
            samples=dispatch_samples,
            queries=str(dispatch_queries),
            checks={f"median < {duration(DISPATCH_MEDIAN)}": statistics.median(dispatch_samples) < DISPATCH_MEDIAN},
            notes=[
                f"GET {url} as the official, {deliveries:,} deliveries queued",
                f"where the request's time goes, {dispatch_breakdown}",
            ],
        ),
        Row(
            label=f"e-mail drain: {drained / drain_seconds:,.0f} messages/s ({drained:,}, {DRAIN_WORKERS} workers)",
            samples=[drain_seconds],
            notes=[
                f"{drained / drain_seconds:,.0f} messages per second: {drained:,} of the alert's queued e-mail "
                f"deliveries (of {deliveries:,} deliveries) handed to the broker, drained by {DRAIN_WORKERS} "
                "Celery worker processes (-Q notify -c 1) into a local aiosmtpd sink; one run, hand-over to "
                "the last message accepted",
            ],
        ),
    ]


def drain(ctx: Context, bulletin: RiskBulletin) -> tuple[int, float]:
    """Two real workers send DRAIN of the alert's queued e-mails to a local SMTP sink; the count
    sent and the seconds from the hand-over to the last message the sink accepted."""
    ids = list(
        Delivery.objects.filter(notification__dedupe_key=bulletin.alert_key, channel="email", status="queued")
        .order_by("pk")
        .values_list("pk", flat=True)[: ctx.n(DRAIN, minimum=200)]
    )
    sink = SmtpSink().start()
    workers = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            env = {**os.environ, "DEBUG": "0", "HTTPS": "0", "EMAIL_URL": sink.url, "LOG_LEVEL": "WARNING"}
            for n in range(DRAIN_WORKERS):
                command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "notify", "-c", "1"]
                command += ["-n", f"drain{n}@%h", "--without-gossip", "--without-mingle", "--loglevel=WARNING"]
                with (Path(tmp) / f"worker{n}.log").open("wb") as log:
                    workers.append(
                        subprocess.Popen(
                            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                        )
                    )
            time.sleep(5)  # both workers up and consuming before the clock starts
            for worker in workers:
                if worker.poll() is not None:
                    raise RuntimeError(f"a worker exited with {worker.returncode}")
            start = time.perf_counter()
            notifications.enqueue_deliveries(ids)
            if not sink.wait_for(len(ids), timeout=DRAIN_TIMEOUT):
                raise RuntimeError(f"{len(sink)} of {len(ids)} messages in {DRAIN_TIMEOUT} s")
            seconds = time.perf_counter() - start
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
            sink.stop()
    return len(ids), seconds


FIGURE = Figure(
    name="bulletins",
    title="Publishing a risk bulletin to 100,000 people across 5,000 organisations",
    goal="alert under 5 s and within 3× a set-based INSERT of the same rows; dispatch view < 200 ms median",
    setup=setup,
    measure=measure,
)
