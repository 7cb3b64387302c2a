"""Announcing a training session to 50,000 people, against a set-based INSERT of the same rows.

What is timed
  subject    `talent.trainings.services.session_announce(session_id=...)` from the call to the
             return: the audience (every member of every enterprise and supplier organisation
             and the opted-in) built in the database, the notifications written by one
             INSERT ... SELECT (`portal.services.notify_audience`), their delivery rows, COMMIT.
             The after-commit enqueue is excluded (swapped for a recorder), as in `notify`.
  reference  one psycopg2 transaction on its own connection: INSERT INTO portal_notification
             SELECT the same columns and values FROM the audience (members of enterprise and
             supplier organisations), COMMIT: the least SQL that writes the same rows.
The two take turns; notifications and deliveries are emptied (TRUNCATE) before every sample,
outside the timing. Each sample announces a fresh session (a fresh dedupe key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from unittest import mock

import psycopg2.extensions
from django.utils import timezone

from bench import data
from bench.core import Context, Figure, Row
from portal.choices import NotificationKind
from portal.models import Delivery, Membership, Notification, Organization, User
from portal.services import notifications
from talent.trainings import services
from talent.trainings.models import TrainingSession

RECIPIENTS = 50_000
MEMBERS_PER_ORG = 100
MAX_RATIO = 3.0


@dataclass
class State:
    count: int
    conn: psycopg2.extensions.connection
    starts: object
    n: int = 0

    def session(self) -> TrainingSession:
        self.n += 1
        starts = self.starts + timedelta(days=self.n)
        return TrainingSession.objects.create(
            title=f"“走出去”专题培训（第 {self.n} 期）",
            topics=["risk_identification"],
            year=starts.year,
            half=1 if starts.month <= 6 else 2,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            venue="武汉",
            capacity=200,
            registration_deadline=starts - timedelta(days=2),
            status="published",
            published_at=timezone.now(),
        )


def setup(ctx: Context) -> State:
    count = ctx.n(RECIPIENTS)
    orgs = data.organisations(max(1, count // MEMBERS_PER_ORG), webhook_share=0.2)
    data.members(count, organizations=orgs)
    data.analyze(User, Membership, Organization, Notification, Delivery)
    return State(count=count, conn=data.raw_connection(autocommit=False), starts=timezone.now() + timedelta(days=30))


_REFERENCE = """
    INSERT INTO portal_notification
        (recipient_id, kind, title, body, title_en, body_en, url, requires_ack, dedupe_key, created_at)
    SELECT u.id, %s, %s, %s, '', '', %s, FALSE, %s, %s
    FROM portal_user u
    WHERE u.is_active AND u.id IN (
        SELECT m.user_id FROM portal_membership m JOIN portal_organization o ON o.id = m.organization_id
        WHERE o.kind IN ('enterprise', 'supplier')
    )
"""


def measure(ctx: Context, state: State) -> list[Row]:
    def reset() -> None:
        data.truncate(Notification, Delivery)

    def subject() -> None:
        session = state.session()
        created = services.session_announce(session_id=session.pk)
        assert created == state.count, created

    def reference() -> None:
        with state.conn.cursor() as cur:
            cur.execute(
                _REFERENCE,
                [
                    NotificationKind.TRAINING,
                    "新培训开放报名：“走出去”专题培训",
                    "培训时间：2027-01-01 09:00；报名截止：2026-12-30 09:00。名额有限，欢迎报名。",
                    "/trainings/1/",
                    f"bench-trainings:{state.n}:{timezone.now().timestamp()}",
                    timezone.now(),
                ],
            )
            assert cur.rowcount == state.count, cur.rowcount
        state.conn.commit()

    enqueued: list[list[int]] = []
    with mock.patch.object(notifications, "enqueue_deliveries", enqueued.append):
        samples, ref = ctx.compare(subject, reference, reset=reset, label="trainings")
        reset()
        queries = ctx.queries(subject)
        reset()
        breakdown = ctx.breakdown(subject)
    deliveries = Delivery.objects.count()
    state.conn.close()
    return [
        Row(
            label=f"announce a session to {state.count:,} people",
            samples=samples,
            reference=ref,
            max_ratio=MAX_RATIO,
            queries=str(len(queries)),
            notes=[
                "subject: session_announce() call to return, COMMIT included, after-commit enqueue excluded; "
                f"writes {state.count:,} notifications and {deliveries:,} deliveries",
                f"reference: psycopg2 INSERT ... SELECT of the same {state.count:,} notification rows, COMMIT included",
                f"where the announcement's time goes, {breakdown}",
            ],
        )
    ]


FIGURE = Figure(
    name="trainings",
    title="Announcing a training to 50,000 people",
    goal="the announcement's notifications within 3× a set-based INSERT of the same rows",
    setup=setup,
    measure=measure,
)
