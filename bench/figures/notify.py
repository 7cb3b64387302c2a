"""`notify` to 10,000 recipients, against a plain bulk INSERT of the same notification rows.

What is timed
  subject    `portal.services.notify(recipients=[10,000 ids], ...)` from the call to the return:
             the dedupe lookup, the recipients' channels, the notification and delivery rows, and
             the COMMIT. The after-commit enqueue is excluded: `services.enqueue_deliveries` is
             swapped for a recorder while timing (the figure is about creating the
             notifications), and the real enqueue to Redis is timed on its own, as information.
  reference  one psycopg2 transaction on its own connection: build the same 10,000 row tuples,
             `execute_values` INSERT into portal_notification (same columns and values, pages of
             2,000 rows, as notify's bulk_create batches; no RETURNING), COMMIT.
  info       the reference plus the delivery rows notify also writes (INSERT ... RETURNING id
             for the notifications, then INSERT of the deliveries), so the cost notify adds over
             the least SQL that does its whole job is visible.
The three take turns; both tables are emptied (TRUNCATE) before every sample, outside the timing;
every sample uses a fresh dedupe key. The recipients are active members with an e-mail address; a fifth of their
organisations have a webhook, so both channels occur (12,000 deliveries for 10,000 users).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from unittest import mock

import psycopg2.extensions
from django.utils import timezone
from psycopg2.extras import execute_values

from bench import data
from bench.core import Context, Figure, Row
from portal import services
from portal.choices import Channel, DeliveryStatus, NotificationKind
from portal.models import Delivery, Membership, Notification, Organization, User
from portal.services import notifications

RECIPIENTS = 10_000
MEMBERS_PER_ORG = 100
WEBHOOK_SHARE = 0.2
PAGE = 2000  # rows per INSERT statement in the references, as notify's bulk_create batch_size
MAX_RATIO = 3.0

KIND = NotificationKind.TRAINING
TITLE = "2026年境外安全管理培训报名通知"
BODY = "请于本月底前登录平台报名参加境外安全管理培训，培训地点与日程见附件。"
URL = "/training/2026-spring/"


@dataclass
class State:
    ids: list[int]
    channels: dict[int, tuple[bool, bool]]  # recipient id -> (e-mail, webhook)
    conn: psycopg2.extensions.connection
    keys: itertools.count = field(default_factory=itertools.count)

    def key(self) -> str:
        return f"bench-notify:{next(self.keys)}"


def setup(ctx: Context) -> State:
    count = ctx.n(RECIPIENTS)
    orgs = data.organisations(max(1, count // MEMBERS_PER_ORG), webhook_share=WEBHOOK_SHARE)
    ids = data.members(count, organizations=orgs)
    data.analyze(User, Membership, Organization, Notification, Delivery)
    channels = {
        pk: (bool(email), bool(webhook))
        for pk, email, webhook in User.objects.values_list("pk", "email", "membership__organization__webhook_url")
    }
    return State(ids=ids, channels=channels, conn=data.raw_connection(autocommit=False))


def measure(ctx: Context, state: State) -> list[Row]:
    def reset() -> None:
        data.truncate(Notification, Delivery)

    def subject() -> None:
        created = services.notify(
            recipients=state.ids, kind=KIND, title=TITLE, body=BODY, url=URL, dedupe_key=state.key()
        )
        assert created == len(state.ids), created

    enqueued: list[list[int]] = []
    real_enqueue = services.enqueue_deliveries
    with mock.patch.object(notifications, "enqueue_deliveries", enqueued.append):
        samples, reference, with_deliveries = ctx.compare(
            subject,
            lambda: insert_notifications(state),
            lambda: insert_notifications_and_deliveries(state),
            reset=reset,
            label="notify",
        )
        reset()
        queries = ctx.queries(subject)
        reset()
        breakdown = ctx.breakdown(subject)
    deliveries = Delivery.objects.count()
    delivery_ids = enqueued[-1]
    assert len(delivery_ids) == deliveries, (len(delivery_ids), deliveries)
    enqueue = ctx.sample(lambda: real_enqueue(delivery_ids))
    state.conn.close()

    recipients = f"{len(state.ids):,}"
    return [
        Row(
            label=f"notify to {recipients} recipients",
            samples=samples,
            reference=reference,
            max_ratio=MAX_RATIO,
            queries=f"{len(queries)} ({_query_mix(queries)})",
            notes=[
                f"subject: notify() call to return, COMMIT included, after-commit enqueue excluded; "
                f"writes {recipients} notifications and {deliveries:,} deliveries",
                f"reference: psycopg2 execute_values INSERT of the same {recipients} notification rows "
                f"(pages of {PAGE:,}, no RETURNING) in one transaction, COMMIT included",
                f"where notify's time goes, {breakdown}",
            ],
        ),
        Row(
            label="notify vs raw INSERT incl. deliveries",
            samples=samples,
            reference=with_deliveries,
            notes=[
                f"reference: INSERT ... RETURNING id of the notifications, then INSERT of the {deliveries:,} "
                "deliveries, one transaction (the least SQL that does notify's whole write)"
            ],
        ),
        Row(
            label="after-commit enqueue (excluded above)",
            samples=enqueue,
            notes=[f"services.enqueue_deliveries of {deliveries:,} delivery ids to Redis, as notify's on_commit"],
        ),
    ]


def _notification_rows(state: State) -> list[tuple]:
    key, now = state.key(), timezone.now()
    # notify() writes the English texts too, empty when none are given (NOT NULL, no default).
    return [(pk, KIND, TITLE, BODY, "", "", URL, False, key, now) for pk in state.ids]


_INSERT_NOTIFICATIONS = (
    "INSERT INTO portal_notification "
    "(recipient_id, kind, title, body, title_en, body_en, url, requires_ack, dedupe_key, created_at) VALUES %s"
)


def insert_notifications(state: State) -> None:
    with state.conn.cursor() as cur:
        execute_values(cur, _INSERT_NOTIFICATIONS, _notification_rows(state), page_size=PAGE)
    state.conn.commit()


def insert_notifications_and_deliveries(state: State) -> None:
    now = timezone.now()
    with state.conn.cursor() as cur:
        created = execute_values(
            cur,
            _INSERT_NOTIFICATIONS + " RETURNING id, recipient_id",
            _notification_rows(state),
            page_size=PAGE,
            fetch=True,
        )
        rows = []
        for notification_id, recipient_id in created:
            email, webhook = state.channels[recipient_id]
            if email:
                rows.append((notification_id, Channel.EMAIL, DeliveryStatus.QUEUED, 0, "", now, now))
            if webhook:
                rows.append((notification_id, Channel.WEBHOOK, DeliveryStatus.QUEUED, 0, "", now, now))
        execute_values(
            cur,
            "INSERT INTO portal_delivery "
            "(notification_id, channel, status, attempts, last_error, next_attempt_at, created_at) VALUES %s",
            rows,
            page_size=PAGE,
        )
    state.conn.commit()


def _query_mix(queries: list[str]) -> str:
    counts: dict[str, int] = {}
    for sql in queries:
        verb = sql.lstrip().split(None, 1)[0].upper()
        counts[verb] = counts.get(verb, 0) + 1
    return ", ".join(f"{n} {verb}" for verb, n in counts.items())


FIGURE = Figure(
    name="notify",
    title="notify() to 10,000 recipients",
    goal="time to create the notifications ≤ 3× a plain bulk INSERT of the same rows on the same database",
    setup=setup,
    measure=measure,
)
