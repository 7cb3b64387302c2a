"""The notification centre's rules, on the database alone (no worker, no broker)."""

import importlib
import socket
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from portal import services
from portal.choices import Channel, DeliveryStatus, NotificationKind
from portal.models import AuditEvent, Delivery, Notification, NotificationPreference, User
from portal.tasks import fan_out_deliveries
from portal.testing.factories import NotificationFactory, OrganizationFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def channels(dedupe_key: str) -> set[tuple[str, str]]:
    return set(
        Delivery.objects.filter(notification__dedupe_key=dedupe_key).values_list(
            "notification__recipient__username", "channel"
        )
    )


def test_notify_creates_one_notification_per_active_recipient_and_skips_inactive_ones(cast):
    gone = UserFactory(is_active=False)

    created = services.notify(
        recipients=[cast.owner, cast.colleague, gone], kind=NotificationKind.SYSTEM, title="年报提醒", dedupe_key="a:1"
    )

    assert created == 2
    told = Notification.objects.filter(dedupe_key="a:1")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([cast.owner.pk, cast.colleague.pk])
    assert not Delivery.objects.filter(notification__recipient=gone).exists()


def test_notify_accepts_ids_and_querysets_as_recipients(cast):
    by_id = services.notify(recipients=[cast.owner.pk], kind=NotificationKind.SYSTEM, title="通知", dedupe_key="b:1")
    by_query = services.notify(
        recipients=User.objects.filter(pk=cast.colleague.pk),
        kind=NotificationKind.SYSTEM,
        title="通知",
        dedupe_key="b:2",
    )

    assert (by_id, by_query) == (1, 1)


def test_deliveries_follow_each_recipients_channel_preferences():
    org = OrganizationFactory(webhook_url="https://hooks.example.cn/portal")
    both, no_email, no_webhook, no_address = (member(org) for _ in range(4))
    loner = UserFactory()  # no organisation, so no webhook
    User.objects.filter(pk=no_address.pk).update(email="")
    NotificationPreference.objects.create(user=no_email, kind=NotificationKind.TRAINING, email=False)
    NotificationPreference.objects.create(user=no_webhook, kind=NotificationKind.TRAINING, webhook=False)
    # A preference for another kind changes nothing here.
    NotificationPreference.objects.create(user=both, kind=NotificationKind.TALENT, email=False, webhook=False)

    services.notify(
        recipients=[both, no_email, no_webhook, no_address, loner],
        kind=NotificationKind.TRAINING,
        title="培训通知",
        dedupe_key="c:1",
    )

    assert Notification.objects.filter(dedupe_key="c:1").count() == 5  # the inbox is never muted
    assert channels("c:1") == {
        (both.username, Channel.EMAIL),
        (both.username, Channel.WEBHOOK),
        (no_email.username, Channel.WEBHOOK),
        (no_webhook.username, Channel.EMAIL),
        (no_address.username, Channel.WEBHOOK),
        (loner.username, Channel.EMAIL),
    }
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.QUEUED, 0)}


def test_a_notification_requiring_acknowledgement_ignores_muted_channels():
    user = member(OrganizationFactory(webhook_url="https://hooks.example.cn/portal"))
    NotificationPreference.objects.create(user=user, kind=NotificationKind.SYSTEM, email=False, webhook=False)

    services.notify(
        recipients=[user], kind=NotificationKind.SYSTEM, title="须确认", requires_ack=True, dedupe_key="d:1"
    )
    services.notify(recipients=[user], kind=NotificationKind.SYSTEM, title="可静音", dedupe_key="d:2")

    assert channels("d:1") == {(user.username, Channel.EMAIL), (user.username, Channel.WEBHOOK)}
    assert channels("d:2") == set()


def test_notify_audience_asks_for_acknowledgement_only_when_told_and_then_ignores_muted_channels():
    user = member(OrganizationFactory(webhook_url="https://hooks.example.cn/portal"))
    NotificationPreference.objects.create(user=user, kind=NotificationKind.SYSTEM, email=False, webhook=False)
    audience = User.objects.filter(pk=user.pk)

    services.notify_audience(
        recipients=audience, kind=NotificationKind.SYSTEM, title="须确认", requires_ack=True, dedupe_key="da:1"
    )
    services.notify_audience(recipients=audience, kind=NotificationKind.SYSTEM, title="可静音", dedupe_key="da:2")

    assert Notification.objects.get(dedupe_key="da:1").requires_ack
    assert not Notification.objects.get(dedupe_key="da:2").requires_ack
    assert channels("da:1") == {(user.username, Channel.EMAIL), (user.username, Channel.WEBHOOK)}
    assert channels("da:2") == set()


def test_notifying_twice_with_the_same_dedupe_key_is_a_no_op(cast):
    recipients = [cast.owner, cast.colleague]
    services.notify(recipients=recipients, kind=NotificationKind.SYSTEM, title="一次", dedupe_key="e:1")

    again = services.notify(recipients=recipients, kind=NotificationKind.SYSTEM, title="两次", dedupe_key="e:1")

    assert again == 0
    assert list(Notification.objects.filter(dedupe_key="e:1").values_list("title", flat=True)) == ["一次", "一次"]
    assert Delivery.objects.filter(notification__dedupe_key="e:1").count() == 2


def test_a_repeat_with_one_more_recipient_tells_only_the_newcomer(cast):
    services.notify(recipients=[cast.owner], kind=NotificationKind.SYSTEM, title="通知", dedupe_key="f:1")

    again = services.notify(
        recipients=[cast.owner, cast.colleague], kind=NotificationKind.SYSTEM, title="通知", dedupe_key="f:1"
    )

    assert again == 1
    assert Notification.objects.filter(dedupe_key="f:1").count() == 2


def test_notify_with_an_unknown_kind_raises(cast):
    with pytest.raises(ValueError, match="unknown notification kind"):
        services.notify(recipients=[cast.owner], kind="gossip", title="传闻", dedupe_key="g:1")

    assert not Notification.objects.exists()


def test_notify_without_a_dedupe_key_raises(cast):
    with pytest.raises(ValueError, match="dedupe_key"):
        services.notify(recipients=[cast.owner], kind=NotificationKind.SYSTEM, title="通知", dedupe_key="")


@pytest.mark.parametrize("count", [5, 50, 500])
def test_notify_runs_the_same_queries_for_any_number_of_recipients(count, django_assert_max_num_queries):
    if count > 50 and connection.vendor == "sqlite":
        pytest.skip("SQLite takes at most 999 parameters a statement, so bulk_create splits its batches there")
    org = OrganizationFactory(webhook_url="https://hooks.example.cn/portal")
    users = User.objects.bulk_create(User(username=f"q{n}", email=f"q{n}@example.cn") for n in range(count))
    member(org)

    # SAVEPOINT; recipients already told under the key; the users with their organisation's
    # webhook; their preferences for the kind; INSERT notifications; INSERT deliveries;
    # RELEASE SAVEPOINT. Constant up to 2,000 recipients (bulk_create's batch size).
    with django_assert_max_num_queries(7):
        services.notify(recipients=users, kind=NotificationKind.SYSTEM, title="通知", dedupe_key="h:1")

    assert Notification.objects.filter(dedupe_key="h:1").count() == count


def test_recipient_marks_a_notification_read_once(cast):
    notification = NotificationFactory(recipient=cast.owner)

    services.notification_mark_read(notification=notification, actor=cast.owner)
    first = notification.read_at
    services.notification_mark_read(notification=notification, actor=cast.owner)

    notification.refresh_from_db()
    assert first is not None
    assert notification.read_at == first


def test_someone_else_cannot_mark_a_notification_read(cast):
    notification = NotificationFactory(recipient=cast.owner)

    with pytest.raises(PermissionError):
        services.notification_mark_read(notification=notification, actor=cast.colleague)

    notification.refresh_from_db()
    assert notification.read_at is None


def test_acknowledging_an_alert_marks_it_read_and_is_audited(cast):
    alert = NotificationFactory(recipient=cast.owner, kind=NotificationKind.RISK_ALERT, requires_ack=True)

    services.notification_acknowledge(notification=alert, actor=cast.owner)
    services.notification_acknowledge(notification=alert, actor=cast.owner)  # a second time changes nothing

    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert alert.read_at == alert.acknowledged_at
    assert AuditEvent.objects.filter(action="notification.acknowledge", actor=cast.owner).count() == 1


def test_acknowledging_a_notification_that_needs_no_acknowledgement_is_a_validation_error(cast):
    notification = NotificationFactory(recipient=cast.owner, requires_ack=False)

    with pytest.raises(ValidationError):
        services.notification_acknowledge(notification=notification, actor=cast.owner)

    notification.refresh_from_db()
    assert notification.acknowledged_at is None


def test_someone_else_cannot_acknowledge_an_alert(cast):
    alert = NotificationFactory(recipient=cast.owner, kind=NotificationKind.RISK_ALERT, requires_ack=True)

    with pytest.raises(PermissionError):
        services.notification_acknowledge(notification=alert, actor=cast.colleague)

    alert.refresh_from_db()
    assert alert.acknowledged_at is None


@pytest.mark.parametrize(("email", "webhook"), [(False, True), (True, False), (False, False)])
def test_risk_alerts_cannot_be_muted(cast, email, webhook):
    with pytest.raises(ValidationError):
        services.preference_set(user=cast.owner, kind=NotificationKind.RISK_ALERT, email=email, webhook=webhook)

    assert not NotificationPreference.objects.filter(user=cast.owner).exists()


def test_other_kinds_can_be_muted_and_show_in_the_preferences(cast):
    services.preference_set(user=cast.owner, kind=NotificationKind.TRAINING, email=False, webhook=True)

    prefs = {p["kind"]: p for p in services.preferences_for(cast.owner)}
    assert (prefs["training"]["email"], prefs["training"]["webhook"]) == (False, True)
    assert prefs["risk_alert"]["mutable"] is False
    assert (prefs["system"]["email"], prefs["system"]["webhook"]) == (True, True)


def test_a_preference_for_an_unknown_kind_is_refused(cast):
    with pytest.raises(ValidationError):
        services.preference_set(user=cast.owner, kind="gossip", email=False, webhook=False)


def test_retries_back_off_exponentially(settings):
    settings.NOTIFY = {**settings.NOTIFY, "RETRY_BASE_SECONDS": 30}

    assert [services.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_the_sweeper_fails_a_delivery_past_its_retry_window(cast, settings):
    settings.NOTIFY = {**settings.NOTIFY, "RETRY_WINDOW_SECONDS": 3600}
    long_ago = timezone.now() - timedelta(hours=2)
    notification = NotificationFactory(recipient=cast.owner)
    stuck = Delivery.objects.create(notification=notification, channel=Channel.EMAIL, created_at=long_ago)
    done = Delivery.objects.create(
        notification=notification, channel=Channel.WEBHOOK, created_at=long_ago, status=DeliveryStatus.SENT
    )

    assert services.deliveries_sweep() == (0, 1)

    stuck.refresh_from_db()
    done.refresh_from_db()
    assert stuck.status == DeliveryStatus.FAILED
    assert stuck.last_error == "超过重试期限"
    assert done.status == DeliveryStatus.SENT


def test_the_sweeper_requeues_a_delivery_left_queued_and_it_is_sent(
    cast, settings, tasks_run_here, django_capture_on_commit_callbacks
):
    settings.NOTIFY = {**settings.NOTIFY, "REQUEUE_AFTER_SECONDS": 300}
    now = timezone.now()
    lost = Delivery.objects.create(
        notification=NotificationFactory(recipient=cast.owner, title="丢失的任务"),
        channel=Channel.EMAIL,
        next_attempt_at=now - timedelta(minutes=10),
    )
    fresh = Delivery.objects.create(
        notification=NotificationFactory(recipient=cast.colleague, title="刚排队"),
        channel=Channel.EMAIL,
        next_attempt_at=now - timedelta(minutes=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_sweep() == (1, 0)

    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, lost.attempts) == (DeliveryStatus.SENT, 1)
    assert fresh.status == DeliveryStatus.QUEUED
    assert [(m.subject, m.to) for m in mail.outbox] == [("丢失的任务", [cast.owner.email])]


def test_a_delivery_that_is_no_longer_queued_is_not_attempted(cast):
    delivery = Delivery.objects.create(
        notification=NotificationFactory(recipient=cast.owner), channel=Channel.EMAIL, status=DeliveryStatus.FAILED
    )

    with CaptureQueriesContext(connection) as queries:
        assert services.delivery_attempt(delivery_id=delivery.pk) is None

    assert mail.outbox == []
    assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)


def test_requeue_sends_failed_deliveries_again_and_leaves_sent_ones(cast, django_capture_on_commit_callbacks):
    from portal.models import AuditEvent, Delivery

    note = NotificationFactory(recipient=cast.owner)
    failed = Delivery.objects.create(notification=note, channel="email", status="failed", attempts=6)
    sent = Delivery.objects.create(notification=note, channel="webhook", status="sent", attempts=1)
    with django_capture_on_commit_callbacks() as callbacks:
        count = services.deliveries_requeue(actor=cast.official, delivery_ids=[failed.pk, sent.pk])
    assert count == 1
    assert len(callbacks) == 1  # queued after commit, not before
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts) == ("queued", 0)
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert AuditEvent.objects.filter(action="delivery.requeue").exists()


def queued_delivery(*, due: timedelta, enqueued: timedelta | None, **fields) -> Delivery:
    """A queued e-mail delivery due `due` ago whose task was handed to the broker `enqueued` ago."""
    now = timezone.now()
    return Delivery.objects.create(
        notification=NotificationFactory(),
        channel=Channel.EMAIL,
        next_attempt_at=now - due,
        enqueued_at=None if enqueued is None else now - enqueued,
        **fields,
    )


def test_the_sweeper_leaves_deliveries_waiting_in_the_broker_and_requeues_those_whose_task_was_lost(
    settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY = {**settings.NOTIFY, "REQUEUE_AFTER_SECONDS": 300, "LOST_AFTER_SECONDS": 3900}
    in_a_long_backlog = queued_delivery(due=timedelta(minutes=50), enqueued=timedelta(minutes=50))
    never_handed_over = queued_delivery(due=timedelta(minutes=10), enqueued=None)
    handed_over_long_ago = queued_delivery(due=timedelta(hours=2), enqueued=timedelta(hours=2))
    just_created = queued_delivery(due=timedelta(minutes=1), enqueued=None)
    retry_after_a_long_wait = queued_delivery(due=timedelta(minutes=10), enqueued=timedelta(minutes=30))

    with django_capture_on_commit_callbacks() as callbacks:
        assert services.deliveries_sweep() == (2, 0)

    assert len(callbacks) == 1
    requeued = Delivery.objects.filter(next_attempt_at__gt=timezone.now() - timedelta(seconds=5))
    assert set(requeued) == {never_handed_over, handed_over_long_ago}
    assert {in_a_long_backlog, just_created, retry_after_a_long_wait}.isdisjoint(requeued)


def test_a_failed_attempt_records_that_its_retry_goes_to_the_broker(settings):
    settings.NOTIFY = {**settings.NOTIFY, "RETRY_BASE_SECONDS": 30}
    with socket.socket() as probe:  # a port nothing listens on: the mail server is down
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    delivery = queued_delivery(due=timedelta(0), enqueued=timedelta(minutes=5))

    assert services.delivery_attempt(delivery_id=delivery.pk) == 30

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert timezone.now() - delivery.enqueued_at < timedelta(seconds=5)
    assert delivery.next_attempt_at == delivery.enqueued_at + timedelta(seconds=30)


def test_a_broker_down_at_commit_keeps_the_notification_and_leaves_its_deliveries_to_the_sweeper(
    cast, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise KombuOperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(fan_out_deliveries, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify(recipients=[cast.owner], kind=NotificationKind.SYSTEM, title="通知", dedupe_key="k:1")

    assert created == 1
    delivery = Delivery.objects.get(notification__dedupe_key="k:1")
    assert (delivery.status, delivery.enqueued_at) == (DeliveryStatus.QUEUED, None)  # the sweeper's in minutes
    assert "Connection refused" in caplog.text


def test_the_upgrade_counts_deliveries_already_queued_as_handed_over_when_due():
    migration = importlib.import_module("portal.migrations.0003_delivery_enqueued_at")
    waiting = queued_delivery(due=timedelta(minutes=20), enqueued=None)
    sent = queued_delivery(due=timedelta(minutes=20), enqueued=None, status=DeliveryStatus.SENT)

    migration.queued_were_enqueued_when_due(django_apps, None)

    waiting.refresh_from_db()
    sent.refresh_from_db()
    assert waiting.enqueued_at == waiting.next_attempt_at
    assert sent.enqueued_at is None


# --- notify_each: many notices of one kind at once ------------------------------------------


def test_notify_each_tells_each_notice_its_own_text_in_both_languages_once(cast):
    from portal.messages_i18n import Message

    gone = UserFactory(is_active=False)
    notices = [
        services.Notice(
            recipients=[cast.owner.pk, gone.pk],
            title=Message(
                "证书将于 %(date)s 到期：%(kind)s %(number)s", date="2026-07-01", kind="ISO 9001", number="A1"
            ),
            url="/suppliers/1/",
            dedupe_key="each:1",
        ),
        services.Notice(recipients=[cast.owner.pk, cast.colleague.pk], title="第二条", dedupe_key="each:2"),
        services.Notice(recipients=[], title="无人", dedupe_key="each:3"),
    ]

    assert services.notify_each(kind=NotificationKind.SYSTEM, notices=notices) == 3
    assert services.notify_each(kind=NotificationKind.SYSTEM, notices=notices) == 0  # run again: nothing

    first = Notification.objects.get(dedupe_key="each:1")
    assert (first.recipient, first.url) == (cast.owner, "/suppliers/1/")
    assert first.title == "证书将于 2026-07-01 到期：ISO 9001 A1"
    assert first.title_en == "Certificate expires on 2026-07-01: ISO 9001 A1"
    assert sorted(Notification.objects.filter(dedupe_key="each:2").values_list("recipient_id", flat=True)) == sorted(
        [cast.owner.pk, cast.colleague.pk]
    )
    assert not Notification.objects.filter(recipient=gone).exists()
    # one e-mail delivery per notification (the cast's users have addresses; no webhook)
    assert Delivery.objects.filter(channel=Channel.EMAIL).count() == 3


def test_notify_each_adds_only_the_newcomers_to_a_notice_already_sent(cast):
    notice = services.Notice(recipients=[cast.owner.pk], title="通知", dedupe_key="each:4")
    services.notify_each(kind=NotificationKind.SYSTEM, notices=[notice])

    wider = services.Notice(recipients=[cast.owner.pk, cast.colleague.pk], title="通知", dedupe_key="each:4")
    assert services.notify_each(kind=NotificationKind.SYSTEM, notices=[wider]) == 1
    assert Notification.objects.filter(dedupe_key="each:4").count() == 2


def test_notify_each_queues_the_deliveries_after_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify_each(
            kind=NotificationKind.SYSTEM,
            notices=[services.Notice(recipients=[cast.owner.pk], title="通知", dedupe_key="each:5")],
        )
    assert len(callbacks) == 1
    assert Delivery.objects.filter(notification__dedupe_key="each:5").count() == 1


@pytest.mark.parametrize(
    ("kind", "notice", "message"),
    [
        ("gossip", services.Notice(recipients=[1], title="传闻", dedupe_key="x"), "unknown notification kind"),
        (NotificationKind.SYSTEM, services.Notice(recipients=[1], title="通知"), "dedupe_key"),
        (
            NotificationKind.SYSTEM,
            services.Notice(recipients=[1], title="通知", dedupe_key="x", url="javascript:1"),
            "url",
        ),
    ],
)
def test_notify_each_refuses_a_bad_notice_and_writes_nothing(cast, kind, notice, message):
    good = services.Notice(recipients=[cast.owner.pk], title="通知", dedupe_key="each:6")
    with pytest.raises(ValueError, match=message):
        services.notify_each(kind=kind, notices=[good, notice])
    assert not Notification.objects.exists()


@pytest.mark.parametrize("count", [3, 60])
def test_notify_each_runs_the_same_queries_for_any_number_of_notices(cast, count, django_assert_max_num_queries):
    if count > 50 and connection.vendor == "sqlite":
        pytest.skip("SQLite takes at most 999 parameters a statement, so bulk_create splits its batches there")
    notices = [
        services.Notice(recipients=[cast.owner.pk, cast.colleague.pk], title=f"第 {n} 条", dedupe_key=f"each:n{n}")
        for n in range(count)
    ]
    # SAVEPOINT; the keys already used; the active recipients; INSERT notifications; INSERT
    # deliveries; RELEASE SAVEPOINT.
    with django_assert_max_num_queries(6):
        assert services.notify_each(kind=NotificationKind.SYSTEM, notices=notices) == 2 * count
