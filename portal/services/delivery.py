"""The notification outbox: handing deliveries to the workers, sending them, retries, the sweeper.

A Delivery row is one notification on one channel (e-mail or webhook); `delivery_attempt` sends
it, and `deliveries_sweep` (beat) finds the ones whose task was lost. See docs/architecture.md.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..choices import AuditAction, Channel, DeliveryStatus
from ..models import Delivery, Membership, User
from .audit import audit_record

logger = logging.getLogger(__name__)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Hand deliveries to the workers in chunks; each chunk's task queues one task a delivery."""
    from ..tasks import fan_out_deliveries

    for chunk in _chunks(list(delivery_ids), settings.NOTIFY["FANOUT_CHUNK"]):
        _hand_over(chunk, lambda chunk=chunk: fan_out_deliveries.delay(chunk))


def deliveries_fan_out(*, delivery_ids: list[int]) -> int:
    """Queue one `deliver` task per delivery still queued among `delivery_ids`; returns how many.

    A fan-out run again (its task redelivered) queues only what has not gone out yet.
    """
    from ..tasks import deliver

    ids = deliveries_still_queued(delivery_ids=delivery_ids)

    def publish() -> None:
        for delivery_id in ids:
            deliver.delay(delivery_id)

    if ids:
        _hand_over(ids, publish)
    return len(ids)


def _hand_over(delivery_ids: list[int], publish: Callable[[], object]) -> None:
    """Record that the deliveries are handed to the broker, then hand them over with `publish`.

    The mark comes first, in a transaction of its own: once a task is in the broker a worker may
    take it at once, and it must not find the row locked by this update (it would take the lock
    for another worker's attempt and stop, see delivery_attempt). Should publishing fail, the
    mark is taken back, so that the sweeper queues the deliveries again within minutes instead
    of waiting NOTIFY["LOST_AFTER_SECONDS"] for tasks that are not there.
    """
    _set_enqueued_at(delivery_ids, timezone.now())
    try:
        publish()
    except Exception:
        _set_enqueued_at(delivery_ids, None)
        raise


def _set_enqueued_at(delivery_ids: list[int], when) -> None:
    # A row locked by an attempt in progress is skipped, not waited for: that attempt ends it as
    # sent or failed, or records its own retry.
    with transaction.atomic():
        free = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=delivery_ids, status=DeliveryStatus.QUEUED)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=free).update(enqueued_at=when)


def deliveries_still_queued(*, delivery_ids: list[int]) -> list[int]:
    """The ids among `delivery_ids` that have not gone out (or failed) yet, in order."""
    return list(
        Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def deliveries_requeue(*, actor: User, delivery_ids: list[int]) -> int:
    """An administrator sends failed (or stuck) deliveries again; sent ones are left alone."""
    deliveries = Delivery.objects.filter(pk__in=delivery_ids).exclude(status=DeliveryStatus.SENT)
    ids = list(deliveries.values_list("pk", flat=True))
    # A fresh start: the attempts and the retry window (counted from created_at) begin again.
    now = timezone.now()
    deliveries.update(status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=now, created_at=now, enqueued_at=None)
    if ids:
        audit_record(actor=actor, action=AuditAction.DELIVERY_REQUEUE, count=len(ids))
        # robust: should the broker be down, the rows are the outbox and the sweeper sends them.
        transaction.on_commit(lambda: enqueue_deliveries(ids), robust=True)
    return len(ids)


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: exponential backoff."""
    return settings.NOTIFY["RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)


def delivery_attempt(*, delivery_id: int) -> float | None:
    """Send one delivery if it is still queued; returns seconds until a retry, or None when done.

    The row is locked for the whole attempt, so a task that runs twice (or a re-queued copy
    running beside the first) sends once. A copy that finds the row locked stops at once instead
    of waiting for the lock: whoever holds a Delivery's lock sends it, fails it, or hands a new
    task for it to the broker (a retry, the sweeper, a fan-out), so nothing is left undone, and
    a worker waiting for that lock would only find the delivery sent. A copy that comes later
    finds it no longer queued.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            logger.info("delivery %s is locked by another attempt (or gone): this copy stops", delivery_id)
            return None
        if delivery.status != DeliveryStatus.QUEUED:
            return None
        now = timezone.now()
        try:
            if delivery.channel == Channel.EMAIL:
                _send_email(delivery)
            else:
                _send_webhook(delivery)
        except DeliveryRefused as exc:
            # Retrying cannot help: fail at once and say why.
            delivery.attempts += 1
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            delivery.save(update_fields=["attempts", "last_error", "status"])
            logger.error("delivery %s refused: %s", delivery.pk, exc)
            return None
        except Exception as exc:  # any other channel failure is recorded and retried
            delivery.attempts += 1
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            window_end = delivery.created_at + timedelta(seconds=settings.NOTIFY["RETRY_WINDOW_SECONDS"])
            delay = retry_delay(delivery.attempts)
            if delivery.attempts >= settings.NOTIFY["MAX_ATTEMPTS"] or now + timedelta(seconds=delay) > window_end:
                delivery.status = DeliveryStatus.FAILED
                delay = None
                logger.error("delivery %s failed for good after %s attempts: %s", delivery.pk, delivery.attempts, exc)
            else:
                delivery.next_attempt_at = now + timedelta(seconds=delay)
                # The task hands its retry to the broker as soon as this returns.
                delivery.enqueued_at = now
                logger.warning(
                    "delivery %s attempt %s failed, retry in %ss: %s", delivery.pk, delivery.attempts, delay, exc
                )
            delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "enqueued_at"])
            return delay
        delivery.attempts += 1
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return None


def _absolute(url: str) -> str:
    return url if "://" in url or not url else settings.SITE_URL + url


def _send_email(delivery: Delivery) -> None:
    from .accounts import INVITATION_KEY_PREFIX, set_password_link  # accounts uses notify(), which uses this

    notification = delivery.notification
    recipient = notification.recipient
    # In the language of the pages the recipient last signed in on (Chinese until then).
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        lines = [notification.body_in(language), ""]
        if notification.dedupe_key.startswith(INVITATION_KEY_PREFIX):
            lines.append(set_password_link(recipient))  # made now, so that it is fresh, and never stored
        elif notification.url:
            lines.append(_absolute(notification.url_in(language)))
        if notification.requires_ack:
            lines.append(_("此通知需要您在平台上确认收到。"))
        lines += ["", _("—— 走出去企业服务平台")]
    EmailMessage(
        subject=notification.title_in(language),
        body="\n".join(lines),
        to=[recipient.email],
        # A stable Message-ID lets mail systems recognise a resend of the same delivery.
        headers={"Message-ID": f"<delivery-{delivery.pk}.{notification.pk}@{_mail_domain()}>"},
    ).send(fail_silently=False)


def _mail_domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "portal"


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex, as sent in X-Portal-Signature."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class DeliveryRefused(Exception):
    """A delivery that must not be attempted again (e.g. a webhook into a private network)."""


def check_webhook_destination(url: str) -> None:
    """Refuse a webhook whose host resolves to a non-public address, unless allowed in settings.

    Checked when sending, since DNS may change after the URL was saved.
    """
    if settings.NOTIFY["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryRefused(f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise RuntimeError(f"cannot resolve {parts.hostname}: {exc}") from exc  # may be passing: retried
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global:
            raise DeliveryRefused(f"{parts.hostname} resolves to the non-public address {address}")


def _send_webhook(delivery: Delivery) -> None:
    notification = delivery.notification
    membership = Membership.objects.select_related("organization").filter(user_id=notification.recipient_id).first()
    if membership is None or not membership.organization.webhook_url:
        raise RuntimeError("the recipient's organisation has no webhook")
    org = membership.organization
    check_webhook_destination(org.webhook_url)
    payload = {
        "notification": notification.pk,
        "delivery": delivery.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "title_en": notification.title_en or notification.title,
        "body_en": notification.body_en or notification.body,
        "url": _absolute(notification.url),
        "requires_ack": notification.requires_ack,
        "created_at": notification.created_at.isoformat(),
        "recipient": {"id": notification.recipient_id, "username": notification.recipient.username},
        "organization": {"id": org.pk, "credit_code": org.credit_code},
    }
    body = json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    response = requests.post(
        org.webhook_url,
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "zouchuqu-portal-webhook/1",
            "X-Portal-Delivery": str(delivery.pk),
            "X-Portal-Timestamp": timestamp,
            "X-Portal-Signature": webhook_signature(org.webhook_secret, timestamp, body),
        },
        timeout=settings.NOTIFY["WEBHOOK_TIMEOUT_SECONDS"],
        allow_redirects=False,
    )
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"webhook answered HTTP {response.status_code}")


def deliveries_sweep(*, now=None) -> tuple[int, int]:
    """Re-queue deliveries whose task was lost and fail those past their retry window.

    Returns (re-queued, failed). The Delivery row is the outbox: a task lost with a worker or
    by the broker is found here and sent again. A queued delivery counts as lost when it has
    been due for NOTIFY["REQUEUE_AFTER_SECONDS"] and its task was either never handed to the
    broker or handed over more than NOTIFY["LOST_AFTER_SECONDS"] ago (longer than the broker's
    visibility timeout): one still waiting its turn in a backlog is left alone, or every sweep
    would add another copy behind it. Rows an attempt holds locked are skipped, not waited for.
    docs/architecture.md explains the thresholds.
    """
    now = now or timezone.now()
    queued = Delivery.objects.select_for_update(skip_locked=True).filter(status=DeliveryStatus.QUEUED)
    window = timedelta(seconds=settings.NOTIFY["RETRY_WINDOW_SECONDS"])
    with transaction.atomic():
        expired = list(queued.filter(created_at__lt=now - window).values_list("pk", flat=True)[:10000])
        failed = Delivery.objects.filter(pk__in=expired).update(
            status=DeliveryStatus.FAILED, last_error=_("超过重试期限")
        )
    due_before = now - timedelta(seconds=settings.NOTIFY["REQUEUE_AFTER_SECONDS"])
    enqueued_before = now - timedelta(seconds=settings.NOTIFY["LOST_AFTER_SECONDS"])
    with transaction.atomic():
        ids = list(
            queued.filter(next_attempt_at__lt=due_before)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=enqueued_before))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:10000]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
            # robust: should the broker be down, the rows stay unmarked and the next sweep retries.
            transaction.on_commit(lambda: enqueue_deliveries(ids), robust=True)
    if ids or failed:
        logger.info("delivery sweep: %s re-queued, %s failed", len(ids), failed)
    return len(ids), failed
