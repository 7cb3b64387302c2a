"""Delivery end to end: a real Celery worker, the test run's broker, an SMTP sink, a webhook server.

Run under scripts/with-services.sh: the worker shares the PostgreSQL test database with this
process, so the data a test makes must be committed (transactional tests).
"""

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.choices import Channel, DeliveryStatus, MembershipRole, NotificationKind
from portal.models import Delivery, Notification, User
from portal.tasks import deliver, fan_out_deliveries
from portal.testing.celery_worker import broker_messages, queue_size
from portal.testing.factories import NotificationFactory, OrganizationFactory, member

transactional = pytest.mark.django_db(transaction=True)
TASK_SUCCEEDED = re.compile(r"Task portal\.deliver\[[^\]]+\] succeeded in ([0-9.]+)s")


def make_recipients(count: int, prefix: str) -> list[User]:
    return User.objects.bulk_create(
        User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.cn", display_name=f"收件人{n}") for n in range(count)
    )


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        time.sleep(interval)
    return result


def statuses(dedupe_key: str) -> Counter:
    return Counter(Delivery.objects.filter(notification__dedupe_key=dedupe_key).values_list("status", flat=True))


def all_sent(dedupe_key: str, count: int) -> bool:
    return statuses(dedupe_key) == Counter({DeliveryStatus.SENT: count})


def drained() -> None:
    """Wait until no task is left waiting in the broker, then a moment for the last one to finish."""
    wait_until(lambda: queue_size() == 0, timeout=30, what="the broker queue is empty")
    time.sleep(0.5)


def one_email_delivery() -> Delivery:
    """A queued e-mail delivery made directly, so that nothing is queued in the broker for it."""
    notification = NotificationFactory(recipient__email="once@example.cn")
    return Delivery.objects.create(notification=notification, channel=Channel.EMAIL)


@pytest.mark.worker
@transactional
def test_two_hundred_recipients_get_one_notification_and_one_email_each(celery_worker, smtp_sink):
    users = make_recipients(200, "bulk")

    created = services.notify(
        recipients=users,
        kind=NotificationKind.SYSTEM,
        title="平台维护通知",
        body="平台将于周六凌晨维护两小时。",
        url="/notifications/",
        dedupe_key="maintenance:2026-12",
    )

    assert created == 200
    assert Notification.objects.filter(dedupe_key="maintenance:2026-12").count() == 200
    wait_until(lambda: all_sent("maintenance:2026-12", 200), timeout=90, what="200 deliveries are sent")
    drained()
    assert len(smtp_sink) == 200
    assert smtp_sink.per_recipient() == Counter({u.email: 1 for u in users})
    assert {m.message["Subject"] for m in smtp_sink.messages} == {"平台维护通知"}


@pytest.mark.worker
@transactional
def test_smtp_failure_on_the_first_try_is_retried_and_yields_one_email_each(celery_worker, smtp_sink):
    smtp_sink.fail_first_attempt = True  # 451 to the first DATA for each recipient
    users = make_recipients(20, "retry")

    services.notify(recipients=users, kind=NotificationKind.TRAINING, title="培训报名提醒", dedupe_key="training:7")

    wait_until(lambda: all_sent("training:7", 20), timeout=60, what="20 deliveries are sent after a retry")
    drained()
    assert smtp_sink.per_recipient() == Counter({u.email: 1 for u in users})
    assert smtp_sink.attempts() == Counter({u.email: 2 for u in users})
    attempts = Delivery.objects.filter(notification__dedupe_key="training:7").values_list("attempts", "last_error")
    assert set(attempts) == {(2, "")}


@pytest.mark.worker
@transactional
def test_notifying_twice_with_the_same_dedupe_key_creates_and_sends_nothing_new(celery_worker, smtp_sink):
    users = make_recipients(10, "dedupe")
    first = services.notify(recipients=users, kind=NotificationKind.SYSTEM, title="账户安全提醒", dedupe_key="sec:1")
    wait_until(lambda: all_sent("sec:1", 10), timeout=60, what="10 deliveries are sent")
    drained()

    second = services.notify(recipients=users, kind=NotificationKind.SYSTEM, title="账户安全提醒", dedupe_key="sec:1")

    assert (first, second) == (10, 0)
    assert queue_size() == 0  # nothing was handed to the broker
    time.sleep(1)
    assert Notification.objects.filter(dedupe_key="sec:1").count() == 10
    assert Delivery.objects.filter(notification__dedupe_key="sec:1").count() == 10
    assert smtp_sink.per_recipient() == Counter({u.email: 1 for u in users})


@pytest.mark.worker
@transactional
def test_webhook_reaches_the_receiver_signed_with_the_organisations_secret(celery_worker, smtp_sink, webhook_receiver):
    org = OrganizationFactory(webhook_url=webhook_receiver.url("/hooks/portal"))
    user = member(org)

    services.notify(
        recipients=[user],
        kind=NotificationKind.RISK_ALERT,
        title="【风险预警】某国港口罢工",
        body="预计持续一周，请调整发运计划。",
        url="/risk/alerts/1/",
        requires_ack=True,
        dedupe_key="risk:1",
    )

    assert webhook_receiver.wait_for(1, timeout=30)
    request = webhook_receiver.requests[0]
    timestamp = request.headers["x-portal-timestamp"]
    # Recomputed here from the documented scheme, not with services.webhook_signature.
    digest = hmac.new(org.webhook_secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256)
    assert hmac.compare_digest(request.headers["x-portal-signature"], "sha256=" + digest.hexdigest())
    assert abs(int(timestamp) - time.time()) < 60
    payload = json.loads(request.body)
    webhook = Delivery.objects.get(notification__dedupe_key="risk:1", channel=Channel.WEBHOOK)
    assert payload["delivery"] == webhook.pk == int(request.headers["x-portal-delivery"])
    assert payload["title"] == "【风险预警】某国港口罢工"
    assert payload["requires_ack"] is True
    assert payload["url"].endswith("/risk/alerts/1/")
    assert payload["organization"] == {"id": org.pk, "credit_code": org.credit_code}
    assert payload["recipient"] == {"id": user.pk, "username": user.username}
    wait_until(lambda: all_sent("risk:1", 2), timeout=30, what="the webhook and the e-mail are sent")
    assert len(smtp_sink) == 1


@pytest.mark.worker
@transactional
def test_webhook_answering_500_is_retried_with_backoff_and_its_error_recorded(celery_worker, webhook_receiver):
    webhook_receiver.script("/flaky", 500, 200)  # fails once, then accepts
    webhook_receiver.script("/down", 500)  # fails every time
    flaky = member(OrganizationFactory(webhook_url=webhook_receiver.url("/flaky")))
    down = member(OrganizationFactory(webhook_url=webhook_receiver.url("/down")))
    User.objects.filter(pk__in=[flaky.pk, down.pk]).update(email="")  # webhook only

    services.notify(
        recipients=[flaky, down], kind=NotificationKind.PROJECT_REVIEW, title="备案审核结果", dedupe_key="r:1"
    )

    wait_until(
        lambda: statuses("r:1") == Counter({DeliveryStatus.SENT: 1, DeliveryStatus.FAILED: 1}),
        timeout=30,
        what="one webhook is sent and the other failed",
    )
    sent = Delivery.objects.get(notification__recipient=flaky)
    failed = Delivery.objects.get(notification__recipient=down)
    assert (sent.status, sent.attempts, sent.last_error) == (DeliveryStatus.SENT, 2, "")
    # The worker runs with NOTIFY_MAX_ATTEMPTS=3 and NOTIFY_RETRY_BASE_SECONDS=0.5.
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 3)
    assert failed.last_error == "RuntimeError: webhook answered HTTP 500"
    to_flaky = [r for r in webhook_receiver.requests if r.path == "/flaky"]
    to_down = [r for r in webhook_receiver.requests if r.path == "/down"]
    assert [r.status for r in to_flaky] == [500, 200]
    assert {r.headers["x-portal-delivery"] for r in to_flaky} == {str(sent.pk)}
    assert [r.status for r in to_down] == [500, 500, 500]
    gaps = [b.received_at - a.received_at for a, b in itertools.pairwise(to_down)]
    assert gaps[0] >= 0.45 and gaps[1] >= 0.95  # 0.5 s, then 1 s: the delay doubles


@pytest.mark.worker
@pytest.mark.slow
@transactional
def test_worker_killed_mid_delivery_loses_no_email_and_sends_none_twice(celery_worker_factory, smtp_sink, settings):
    """2,000 e-mails; the worker is SIGKILLed (whole process group) a third of the way through.

    Where the kill happens matters. No SMTP client can close the window between the server's
    "250 accepted" and the client recording that it sent (RFC 1047): a worker killed inside
    it sends that one message again, and no design of ours can prevent it. To make the test
    deterministic the SMTP sink itself kills the worker while a message's DATA is being
    received, *before* it accepts or stores the message (it answers 451 to a dead client),
    and the worker runs with --concurrency=1, so no other delivery can be between its 250
    and its commit. What is left to prove is ours: the killed attempt rolls back (its row
    lock dies with the connection), the deliveries still in the broker are delivered by the
    restarted worker, and the ones the broker lost with the worker (taken but unacknowledged;
    Redis gives them back only after the visibility timeout, an hour) are re-queued by the
    outbox sweeper. None is lost, none is sent twice.
    """
    worker = celery_worker_factory(concurrency=1, email_url=smtp_sink.url)
    users = make_recipients(2000, "kill")
    kill_at = 600
    killed = threading.Event()
    killed_for: list[str] = []

    def kill_the_worker_before_accepting(envelope):
        if killed.is_set() or len(smtp_sink) < kill_at:
            return None
        worker.kill()
        killed_for.extend(envelope.rcpt_tos)
        killed.set()
        return "451 4.3.0 Not stored: the sender was killed"

    smtp_sink.before_accept = kill_the_worker_before_accepting
    started = time.monotonic()
    services.notify(recipients=users, kind=NotificationKind.MATCHMAKING, title="对接会邀请", dedupe_key="match:9")

    assert killed.wait(timeout=90), "the worker never reached the kill point"
    worker.wait(timeout=10)
    sent_at_kill = statuses("match:9")[DeliveryStatus.SENT]
    assert kill_at <= sent_at_kill < 2000
    worker.start()
    # The broker still holds most deliveries: the restarted worker works through them.
    wait_until(lambda: queue_size() == 0, timeout=90, what="the restarted worker empties the queue")
    # Then the outbox sweeper (beat runs it every minute), here with a short REQUEUE_AFTER, and
    # LOST_AFTER as short: as if the hour of Redis's visibility timeout had passed, after which a
    # delivery whose task a dead worker took counts as lost.
    settings.NOTIFY = {**settings.NOTIFY, "REQUEUE_AFTER_SECONDS": 2, "LOST_AFTER_SECONDS": 2}
    requeued = []

    def swept_and_all_sent():
        if all_sent("match:9", 2000):
            return True
        requeued.append(services.deliveries_sweep()[0])
        return False

    wait_until(swept_and_all_sent, timeout=60, interval=3, what="every delivery is sent")
    drained()
    elapsed = time.monotonic() - started

    assert sum(requeued) >= 1  # at least the delivery killed mid-send came back through the sweeper
    assert len(smtp_sink) == 2000
    assert smtp_sink.per_recipient() == Counter({u.email: 1 for u in users})
    # The killed attempt was rolled back: every delivery took one recorded attempt.
    assert set(Delivery.objects.filter(notification__dedupe_key="match:9").values_list("attempts", flat=True)) == {1}
    assert [r for r, n in smtp_sink.attempts().items() if n > 1] == killed_for
    print(f"kill test: killed after {sent_at_kill} sent, all 2000 sent in {elapsed:.1f}s, re-queued {requeued}")


@pytest.mark.worker
@transactional
def test_a_new_member_gets_the_set_password_link_although_the_mail_server_refused_the_first_try(
    celery_worker, smtp_sink, api, settings
):
    smtp_sink.fail_first_attempt = True  # 451: the mail server is in trouble when the member is added
    org = OrganizationFactory()
    admin = member(org, role=MembershipRole.ADMIN)

    response = api.as_user(admin).post(
        reverse("api:organization-members", kwargs={"pk": org.pk}), {"username": "newhire", "email": "new@example.cn"}
    )

    assert response.status_code == 201, response.content
    assert smtp_sink.wait_for(1, timeout=30)
    drained()
    user = User.objects.get(username="newhire")
    assert smtp_sink.attempts() == Counter({"new@example.cn": 2})  # refused once, retried by the worker
    (mail,) = smtp_sink.messages
    body = mail.message.get_content()
    link = re.search(re.escape(settings.SITE_URL) + r"/password/reset/([^/\s]+)/([^/\s]+)/", body)
    assert link, body  # the worker's SITE_URL is the test process's: both from the environment
    assert default_token_generator.check_token(user, link.group(2))
    assert Delivery.objects.get(notification__recipient=user).status == DeliveryStatus.SENT


@transactional
def test_delivery_attempt_run_twice_sends_one_email(smtp_sink, settings):
    smtp_sink.django_settings(settings)
    delivery = one_email_delivery()

    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert services.delivery_attempt(delivery_id=delivery.pk) is None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert smtp_sink.per_recipient() == Counter({"once@example.cn": 1})


@transactional
def test_delivery_attempts_running_at_the_same_time_send_one_email(smtp_sink, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections are PostgreSQL's; run under scripts/with-services.sh")
    smtp_sink.django_settings(settings)
    smtp_sink.answer_delay = 0.5  # the first attempt holds the row lock while the sink thinks
    delivery = one_email_delivery()
    start = threading.Barrier(2)
    errors = []

    def attempt():
        try:
            start.wait()
            services.delivery_attempt(delivery_id=delivery.pk)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert smtp_sink.attempts() == Counter({"once@example.cn": 1})
    assert len(smtp_sink) == 1


@transactional
def test_an_attempt_on_a_delivery_another_attempt_holds_returns_at_once_instead_of_waiting(smtp_sink, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections are PostgreSQL's; run under scripts/with-services.sh")
    smtp_sink.django_settings(settings)
    delivery = one_email_delivery()
    locked, done = threading.Event(), threading.Event()

    def another_attempt_holding_the_lock():
        try:
            with transaction.atomic():
                Delivery.objects.select_for_update().get(pk=delivery.pk)
                locked.set()
                done.wait(3)  # lets a copy that waits for the lock through after 3 s
        finally:
            connection.close()

    holder = threading.Thread(target=another_attempt_holding_the_lock)
    holder.start()
    assert locked.wait(10)
    started = time.monotonic()
    retry_in = services.delivery_attempt(delivery_id=delivery.pk)
    waited = time.monotonic() - started
    done.set()
    holder.join(10)

    assert retry_in is None
    assert waited < 1, f"the attempt waited {waited:.1f}s for the other attempt's row lock"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 0)  # left to the holder
    assert len(smtp_sink) == 0


@pytest.mark.worker
@transactional
def test_a_second_copy_of_a_deliver_task_stops_at_once_while_the_first_sends(celery_worker, smtp_sink):
    smtp_sink.answer_delay = 2  # the first copy holds the row lock while the sink thinks
    delivery = one_email_delivery()

    deliver.delay(delivery.pk)
    deliver.delay(delivery.pk)

    wait_until(lambda: len(TASK_SUCCEEDED.findall(celery_worker.log())) >= 2, timeout=30, what="both tasks ran")
    durations = sorted(float(seconds) for seconds in TASK_SUCCEEDED.findall(celery_worker.log()))
    # The sender took the sink's 2 s; the other copy found the row locked and did not wait.
    assert durations[0] < 1 and durations[1] >= 2, durations
    assert "is locked by another attempt" in celery_worker.log()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert len(smtp_sink) == 1


@transactional
def test_handing_deliveries_to_the_broker_records_when_on_each_row(celery_broker):
    first, second = one_email_delivery(), one_email_delivery()
    before = timezone.now()

    services.enqueue_deliveries([first.pk, second.pk])  # one fan-out task for both

    first.refresh_from_db()
    assert first.enqueued_at >= before
    handed_to_fan_out = first.enqueued_at
    fan_out_deliveries([first.pk, second.pk])  # as the worker would: a deliver task each
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.enqueued_at > handed_to_fan_out
    assert second.enqueued_at == first.enqueued_at
    assert queue_size("notify") == 3  # the fan-out task, not run by a worker here, and two deliver tasks


@pytest.mark.worker
@pytest.mark.slow
@transactional
def test_a_backlog_swept_again_and_again_sends_one_email_each_and_never_a_second_task(
    celery_worker_factory, smtp_sink, settings
):
    """3,000 e-mails wait in the broker behind no worker, then behind one, while the sweeper runs.

    The sweeper (here with REQUEUE_AFTER = 1 s, and LOST_AFTER at its default, the visibility
    timeout and more) runs before the worker starts, when every delivery has long been due,
    and then every second and a half until all are sent. It must leave every delivery of the
    backlog alone, since each has its task waiting in the broker, and re-queue only the three
    deliveries made here whose task was lost two hours ago. Throughout, a watcher reads the
    broker (every waiting and every unacknowledged message, in one MULTI/EXEC) and PostgreSQL's
    pg_stat_activity (any session waiting for a lock).

    A delivery passes through two messages: a fan-out task carrying it among 500, then its own
    deliver task, which the fan-out publishes while it still holds its own message
    unacknowledged. The watcher counts each kind per delivery: at most one of each at any time.
    """
    settings.NOTIFY = {**settings.NOTIFY, "REQUEUE_AFTER_SECONDS": 1}
    users = make_recipients(3000, "backlog")
    two_hours_ago = timezone.now() - timedelta(hours=2)
    lost = [
        Delivery.objects.create(
            notification=NotificationFactory(recipient__email=f"lost{n}@example.cn"), channel="email"
        )
        for n in range(3)
    ]
    Delivery.objects.filter(pk__in=[d.pk for d in lost]).update(
        next_attempt_at=two_hours_ago, enqueued_at=two_hours_ago, created_at=two_hours_ago
    )
    watcher = BrokerWatcher().start()
    started = time.monotonic()

    services.notify(recipients=users, kind=NotificationKind.TRAINING, title="年度培训通知", dedupe_key="backlog:1")

    requeued = []
    for _ in range(3):  # no worker yet: the whole notification waits in the broker
        time.sleep(1.5)  # every delivery has been due for longer than REQUEUE_AFTER
        requeued.append(services.deliveries_sweep()[0])
    celery_worker_factory(concurrency=4, email_url=smtp_sink.url)
    worker_started = time.monotonic()

    def swept_and_all_sent() -> bool:
        requeued.append(services.deliveries_sweep()[0])
        return all_sent("backlog:1", 3000) and Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 0

    wait_until(swept_and_all_sent, timeout=120, interval=1.5, what="every delivery is sent")
    drained()
    watcher.stop()

    assert sum(requeued) == 3, requeued  # the lost three, and nothing of the backlog
    assert smtp_sink.per_recipient() == Counter(
        {u.email: 1 for u in users} | {f"lost{n}@example.cn": 1 for n in range(3)}
    )
    assert watcher.samples >= 10
    assert watcher.most_per_delivery["portal.fan_out_deliveries"] == 1
    assert watcher.most_per_delivery["portal.deliver"] == 1
    assert watcher.most_waiting >= 3000  # deliveries in waiting messages: the backlog was there to be swept
    assert watcher.lock_waits == 0
    print(
        f"backlog test: {watcher.samples} pictures of the broker, up to {watcher.most_waiting} deliveries waiting; "
        f"worker started after {worker_started - started:.1f}s, all sent after {time.monotonic() - started:.1f}s"
    )


class BrokerWatcher:
    """Reads the broker and pg_stat_activity every second in a thread of its own."""

    def __init__(self) -> None:
        self.samples = 0
        self.most_waiting = 0
        self.most_per_delivery: Counter[str] = Counter()
        self.lock_waits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None

    def start(self) -> "BrokerWatcher":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while not self._stop.wait(1.0):
                self._sample()
        except BaseException as exc:  # reported by stop(), in the test's thread
            self.error = exc
        finally:
            connection.close()

    @staticmethod
    def _deliveries(message) -> list[int]:
        return message.args[0] if message.task == "portal.fan_out_deliveries" else message.args[:1]

    def _sample(self) -> None:
        messages = broker_messages()
        per_delivery: Counter[tuple[str, int]] = Counter()
        for message in messages:
            per_delivery.update((message.task, delivery_id) for delivery_id in self._deliveries(message))
        for (task, _delivery_id), count in per_delivery.items():
            self.most_per_delivery[task] = max(self.most_per_delivery[task], count)
        waiting = {(m.task, pk) for m in messages if m.waiting for pk in self._deliveries(m)}
        self.most_waiting = max(self.most_waiting, len(waiting))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            self.lock_waits += cursor.fetchone()[0]
        self.samples += 1


@pytest.mark.worker
@transactional
def test_deliver_task_queued_twice_for_one_delivery_sends_one_email(celery_worker, smtp_sink):
    smtp_sink.answer_delay = 0.5  # so that the two tasks overlap in the two pool processes
    delivery = one_email_delivery()

    deliver.delay(delivery.pk)
    deliver.delay(delivery.pk)

    wait_until(
        lambda: celery_worker.log().count("Task portal.deliver[") >= 4,  # received and succeeded, twice
        timeout=30,
        what="both tasks ran",
    )
    drained()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert len(smtp_sink) == 1


@transactional
def test_fan_out_run_again_queues_only_the_deliveries_still_queued(celery_broker):
    sent, queued = one_email_delivery(), one_email_delivery()
    Delivery.objects.filter(pk=sent.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())

    fan_out_deliveries([sent.pk, queued.pk])  # as a redelivered fan-out task would, in this process

    assert queue_size() == 1
