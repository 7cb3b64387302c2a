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
             e-mail and webhook deliveries by another, COMMIT. The after-commit enqueue is
             excluded (swapped for a recorder), as in `notify` and `trainings`.
  reference  one psycopg2 transaction on its own connection: INSERT INTO portal_notification
             SELECT the same columns FROM the members of the organisations with an exposed
             project in the country, COMMIT: the least SQL that writes the same rows.
  dispatch   `GET /api/v1/risk/bulletins/{id}/dispatch/` as the official through DRF's
             APIClient, after an alert of 100,000 whose deliveries are all still queued.
The alert and its reference take turns; notifications and deliveries are emptied (TRUNCATE)
before every sample, outside the timing, and each sample alerts a fresh bulletin.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
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
    with mock.patch.object(notifications, "enqueue_deliveries", enqueued.append):
        samples, ref = ctx.compare(subject, reference, reset=reset, label="bulletin alert")
        reset()
        breakdown = ctx.breakdown(subject)
        deliveries = Delivery.objects.count()
        last = RiskBulletin.objects.order_by("-pk").first()
    url = f"/api/v1/risk/bulletins/{last.pk}/dispatch/"

    def dispatch() -> None:
        response = state.official.get(url)
        assert response.status_code == 200, response.status_code

    with override_settings(REST_FRAMEWORK=THROTTLE):
        dispatch_queries = len(ctx.queries(dispatch))
        dispatch_breakdown = ctx.breakdown(dispatch)
        dispatch_samples = ctx.sample(dispatch, inner=INNER, label="dispatch view")
    state.conn.close()
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
    ]


FIGURE = Figure(
    name="bulletins",
    title="Publishing a risk bulletin to 100,000 people across 5,000 organisations",
    goal="alert under 5 s and within 3× a set-based INSERT of the same rows; dispatch view < 200 ms median",
    setup=setup,
    measure=measure,
)
