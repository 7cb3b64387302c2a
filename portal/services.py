"""Writes and workflow for accounts, organisations and the notification centre.

Every function here is keyword-only, runs in one transaction, records who did what in the
audit trail and queues Celery work only after commit. Views, serializers, admin actions,
commands and tasks call these; none of them repeats a rule.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .choices import AgencyPermission, Channel, DeliveryStatus, MembershipRole, NotificationKind, OrganizationKind
from .models import (
    AuditEvent,
    Delivery,
    Membership,
    Notification,
    NotificationPreference,
    Organization,
    User,
)

logger = logging.getLogger(__name__)

# Kinds whose alerts people may not mute on any channel.
UNMUTABLE_KINDS = frozenset({NotificationKind.RISK_ALERT})


# --- Audit trail ----------------------------------------------------------------------------


def audit_record(
    *, actor: User | None, action: str, target: models.Model | None = None, organization=None, **data: Any
) -> AuditEvent:
    """Record that `actor` did `action` to `target`."""
    if organization is None and target is not None:
        organization = getattr(target, "organization", None)
        if organization is None and isinstance(target, Organization):
            organization = target
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        organization=organization,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )


# --- Accounts and organisations -------------------------------------------------------------


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _check_username_free(username: str) -> None:
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名已被使用（this username is taken）。")})


@transaction.atomic
def organization_signup(
    *,
    organization: dict[str, Any],
    username: str,
    email: str,
    password: str,
    display_name: str = "",
) -> tuple[Organization, User]:
    """Register an enterprise or supplier organisation together with its first admin."""
    kind = organization.get("kind")
    if kind not in (OrganizationKind.ENTERPRISE, OrganizationKind.SUPPLIER):
        raise ValidationError({"kind": _("只能注册企业或供应商（only enterprises and suppliers may sign up）。")})
    org = Organization(**organization)
    org.credit_code = (org.credit_code or "").strip().upper()
    org.full_clean()
    _check_username_free(username)
    user = User(username=username, email=email, display_name=display_name)
    user.full_clean(exclude=["password"])
    _validate_password(password, user)
    user.set_password(password)
    org.save()
    user.save()
    Membership.objects.create(user=user, organization=org, role=MembershipRole.ADMIN)
    audit_record(actor=user, action="organization.signup", target=org)
    notify(
        recipients=[user],
        kind=NotificationKind.ACCOUNT,
        title=_("欢迎加入走出去企业服务平台"),
        body=_("您的组织“%(name)s”已注册，您是该组织的管理员。") % {"name": org.name},
        url=reverse("portal:home"),
        dedupe_key=f"signup:{org.pk}",
    )
    return org, user


@transaction.atomic
def member_add(
    *,
    actor: User,
    organization: Organization,
    username: str,
    email: str,
    display_name: str = "",
    role: str = MembershipRole.MEMBER,
) -> Membership:
    """An organisation admin adds a colleague, who is e-mailed a link to set a password."""
    _require_org_admin(actor, organization)
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("无效的角色（invalid role）。")})
    if not email:
        raise ValidationError({"email": _("请填写电子邮箱，用于设置密码（an e-mail is needed to set a password）。")})
    _check_username_free(username)
    user = User(username=username, email=email, display_name=display_name)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    audit_record(actor=actor, action="membership.add", target=membership, username=username, role=role)
    transaction.on_commit(lambda: send_set_password_email(user=user, organization=organization))
    return membership


def send_set_password_email(*, user: User, organization: Organization) -> None:
    """E-mail a new member the link to choose a password (Django's password-reset token)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse("portal:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    body = _("%(org)s 已将您加入走出去企业服务平台。请打开以下链接设置密码：\n%(link)s\n\n用户名：%(username)s") % {
        "org": organization.name,
        "link": link,
        "username": user.username,
    }
    EmailMessage(_("设置您的走出去服务平台密码"), body, to=[user.email]).send()


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    """Remove a member: the membership goes and the account is deactivated. The last admin stays."""
    organization = membership.organization
    _require_org_admin(actor, organization)
    if membership.role == MembershipRole.ADMIN:
        admins = Membership.objects.select_for_update().filter(organization=organization, role=MembershipRole.ADMIN)
        if admins.count() <= 1:
            raise ValidationError(_("不能移除组织的最后一位管理员（the last admin cannot be removed）。"))
    user = membership.user
    audit_record(actor=actor, action="membership.remove", target=membership, username=user.username)
    membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])


def _require_org_admin(actor: User, organization: Organization) -> None:
    membership = actor.org_membership
    if not (membership and membership.organization_id == organization.pk and membership.role == MembershipRole.ADMIN):
        raise PermissionError(_("只有本组织管理员可以管理成员（only the organisation's admins manage members）。"))


@transaction.atomic
def official_create(
    *, username: str, email: str, permissions: Iterable[str], agency: Organization, password: str | None = None
) -> User:
    """Create an official in an agency with the given permissions (review, publish_risk, ...)."""
    if agency.kind != OrganizationKind.AGENCY:
        raise ValidationError({"agency": _("官员必须属于主管部门（officials belong to an agency）。")})
    perms = set(permissions)
    unknown = perms - set(AgencyPermission.values)
    if unknown:
        raise ValidationError({"permissions": _("未知权限：%(perms)s") % {"perms": ", ".join(sorted(unknown))}})
    _check_username_free(username)
    user = User(username=username, email=email)
    if password:
        _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    fields = {field: perm in perms for perm, field in Membership.PERMISSION_FIELDS.items()}
    Membership.objects.create(user=user, organization=agency, role=MembershipRole.MEMBER, **fields)
    audit_record(actor=None, action="official.create", target=user, organization=agency, permissions=sorted(perms))
    return user


@transaction.atomic
def organization_update(*, actor: User, organization: Organization, data: dict[str, Any]) -> Organization:
    """An organisation's admin changes its details. The credit code and kind do not change here."""
    _require_org_admin(actor, organization)
    allowed = {"name", "name_en", "province", "city", "contact_email", "webhook_url"}
    changed = [field for field in allowed & data.keys() if getattr(organization, field) != data[field]]
    for field in changed:
        setattr(organization, field, data[field])
    organization.full_clean()
    if changed:
        organization.save(update_fields=changed)
        audit_record(actor=actor, action="organization.update", target=organization, fields=sorted(changed))
    return organization


# --- Notification centre --------------------------------------------------------------------


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _recipient_ids(recipients) -> list[int]:
    if isinstance(recipients, models.QuerySet):
        return list(recipients.values_list("pk", flat=True))
    return sorted({r if isinstance(r, int) else r.pk for r in recipients})


def notify(
    *,
    recipients,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    requires_ack: bool = False,
    dedupe_key: str,
) -> int:
    """Tell people something: one in-app notification per recipient, then e-mail and webhook.

    `recipients` is an iterable of users or user ids, or a queryset of users. Inactive users
    are skipped. A recipient already told under `dedupe_key` is skipped, so calling twice is
    a no-op. Deliveries are queued after commit. Returns how many notifications were created.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not title or not dedupe_key:
        raise ValueError("notify() needs a title and a dedupe_key")
    if url and not url.startswith(("/", "https://", "http://")):
        raise ValueError(f"notify() url must be a site path or an http(s) URL, not {url!r}")
    ids = _recipient_ids(recipients)
    if not ids:
        return 0
    for attempt in range(2):
        try:
            with transaction.atomic():
                created, delivery_ids = _notify_rows(ids, kind, title[:200], body, url, requires_ack, dedupe_key)
                transaction.on_commit(lambda d=delivery_ids: enqueue_deliveries(d))
            return created
        except IntegrityError:
            # Another notify() with the same key committed first; the second pass skips its rows.
            if attempt:
                raise
    return 0  # pragma: no cover


def _notify_rows(
    ids: list[int], kind: str, title: str, body: str, url: str, requires_ack: bool, dedupe_key: str
) -> tuple[int, list[int]]:
    already = set(Notification.objects.filter(dedupe_key=dedupe_key).values_list("recipient_id", flat=True))
    todo = [pk for pk in ids if pk not in already]
    if not todo:
        return 0, []
    active: list[int] = []
    for chunk in _chunks(todo, 5000):
        active += User.objects.filter(pk__in=chunk, is_active=True).values_list("pk", flat=True)
    now = timezone.now()
    notifications = [
        Notification(
            recipient_id=pk,
            kind=kind,
            title=title,
            body=body,
            url=url,
            requires_ack=requires_ack,
            dedupe_key=dedupe_key,
            created_at=now,
        )
        for pk in sorted(active)
    ]
    Notification.objects.bulk_create(notifications, batch_size=2000)
    return len(notifications), _insert_deliveries(dedupe_key=dedupe_key, created_at=now, requires_ack=requires_ack)


def _insert_deliveries(*, dedupe_key: str, created_at, requires_ack: bool) -> list[int]:
    """Create the outbox rows for the notifications just made under `dedupe_key` in one statement.

    One Delivery per channel the recipient has: e-mail when the user has an address, webhook
    when their organisation has one, each unless muted for this kind (ignored for alerts that
    require acknowledgement). Building 10,000s of Delivery objects in Python cost more than the
    database's work; INSERT ... SELECT ... RETURNING runs on PostgreSQL and SQLite alike.
    """
    email_on = "TRUE" if requires_ack else "COALESCE(p.email, TRUE)"
    webhook_on = "TRUE" if requires_ack else "COALESCE(p.webhook, TRUE)"
    sql = f"""
        INSERT INTO {Delivery._meta.db_table}
            (notification_id, channel, status, attempts, last_error, next_attempt_at, created_at)
        SELECT n.id, c.channel, %(queued)s, 0, '', %(now)s, %(now)s
        FROM {Notification._meta.db_table} n
        JOIN {User._meta.db_table} u ON u.id = n.recipient_id
        LEFT JOIN {Membership._meta.db_table} m ON m.user_id = u.id
        LEFT JOIN {Organization._meta.db_table} o ON o.id = m.organization_id
        LEFT JOIN {NotificationPreference._meta.db_table} p ON p.user_id = u.id AND p.kind = n.kind
        JOIN (SELECT %(email)s AS channel UNION ALL SELECT %(webhook)s) c
          ON (c.channel = %(email)s AND u.email <> '' AND {email_on})
          OR (c.channel = %(webhook)s AND COALESCE(o.webhook_url, '') <> '' AND {webhook_on})
        WHERE n.dedupe_key = %(key)s AND n.created_at = %(now)s
        ORDER BY n.id, c.channel
        RETURNING id
    """  # noqa: S608 - table names come from the models; values are parameters
    params = {
        "queued": DeliveryStatus.QUEUED,
        "now": connection.ops.adapt_datetimefield_value(created_at),
        "email": Channel.EMAIL,
        "webhook": Channel.WEBHOOK,
        "key": dedupe_key,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Hand deliveries to the workers in chunks; each chunk's task queues one task a delivery."""
    from .tasks import fan_out_deliveries

    for chunk in _chunks(list(delivery_ids), settings.NOTIFY["FANOUT_CHUNK"]):
        fan_out_deliveries.delay(chunk)


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
    deliveries.update(status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=now, created_at=now)
    if ids:
        audit_record(actor=actor, action="delivery.requeue", count=len(ids))
        transaction.on_commit(lambda: enqueue_deliveries(ids))
    return len(ids)


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: exponential backoff."""
    return settings.NOTIFY["RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)


def delivery_attempt(*, delivery_id: int) -> float | None:
    """Send one delivery if it is still queued; returns seconds until a retry, or None when done.

    The row is locked for the whole attempt, so a task that runs twice (or a re-queued copy
    running beside the first) sends once: the second finds the delivery no longer queued.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.QUEUED:
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
                logger.warning(
                    "delivery %s attempt %s failed, retry in %ss: %s", delivery.pk, delivery.attempts, delay, exc
                )
            delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
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
    notification = delivery.notification
    recipient = notification.recipient
    lines = [notification.body, ""]
    if notification.url:
        lines.append(_absolute(notification.url))
    if notification.requires_ack:
        lines.append(_("此通知需要您在平台上确认收到。"))
    lines += ["", _("—— 走出去企业服务平台")]
    EmailMessage(
        subject=notification.title,
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
    """Re-queue deliveries left queued too long and fail those past their retry window.

    Returns (re-queued, failed). The Delivery row is the outbox: a task lost with a worker or
    by the broker is found here and sent again; the row lock in delivery_attempt keeps a copy
    that was not lost from sending twice.
    """
    now = now or timezone.now()
    window = timedelta(seconds=settings.NOTIFY["RETRY_WINDOW_SECONDS"])
    failed = Delivery.objects.filter(status=DeliveryStatus.QUEUED, created_at__lt=now - window).update(
        status=DeliveryStatus.FAILED, last_error=_("超过重试期限（retry window passed）")
    )
    stale = now - timedelta(seconds=settings.NOTIFY["REQUEUE_AFTER_SECONDS"])
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lt=stale)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:10000]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
            transaction.on_commit(lambda: enqueue_deliveries(ids))
    if ids or failed:
        logger.info("delivery sweep: %s re-queued, %s failed", len(ids), failed)
    return len(ids), failed


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionError
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_acknowledge(*, notification: Notification, actor: User) -> Notification:
    """Acknowledge an alert that requires it; acknowledging also marks it read."""
    if notification.recipient_id != actor.pk:
        raise PermissionError
    if not notification.requires_ack:
        raise ValidationError(_("此通知无需确认（this notification needs no acknowledgement）。"))
    now = timezone.now()
    fields = []
    if notification.acknowledged_at is None:
        notification.acknowledged_at = now
        fields.append("acknowledged_at")
    if notification.read_at is None:
        notification.read_at = now
        fields.append("read_at")
    if fields:
        notification.save(update_fields=fields)
        audit_record(
            actor=actor, action="notification.acknowledge", target=notification, organization=actor.organization
        )
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.visible_to(actor).unread().update(read_at=timezone.now())


@transaction.atomic
def preference_set(*, user: User, kind: str, email: bool, webhook: bool) -> NotificationPreference:
    """Choose the channels for one kind. Alerts that require acknowledgement cannot be muted."""
    if kind not in NotificationKind.values:
        raise ValidationError({"kind": _("未知的通知类别（unknown kind）。")})
    if kind in UNMUTABLE_KINDS and not (email and webhook):
        raise ValidationError({"kind": _("风险预警不能关闭（risk alerts cannot be muted）。")})
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email": email, "webhook": webhook}
    )
    return pref


def preferences_for(user: User) -> list[dict[str, Any]]:
    """Every kind with the user's channels, defaults filled in."""
    rows = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    result = []
    for kind, label in NotificationKind.choices:
        pref = rows.get(kind)
        result.append(
            {
                "kind": kind,
                "label": label,
                "email": pref.email if pref else True,
                "webhook": pref.webhook if pref else True,
                "mutable": kind not in UNMUTABLE_KINDS,
            }
        )
    return result


# --- Verification (admin) -------------------------------------------------------------------


@transaction.atomic
def organization_verify(*, actor: User, organization: Organization) -> Organization:
    """A platform administrator confirms an organisation's identity (its credit code and papers).

    Only those who may change organisations (`portal.change_organization`; superusers) verify.
    Verifying an organisation already verified changes nothing and records nothing.
    """
    if not actor.has_perm("portal.change_organization"):
        raise PermissionError(_("需要组织管理权限才能核验组织。"))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.verified_at is not None:
        return organization
    organization.verified_at = timezone.now()
    organization.save(update_fields=["verified_at"])
    audit_record(actor=actor, action="organization.verify", target=organization)
    return organization
