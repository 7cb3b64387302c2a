"""The notification centre: notify() writes the inbox and the outbox; reading, preferences.

Sending the outbox (e-mail, webhooks), its retries and its sweeper are in `delivery.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import AuditAction, Channel, DeliveryStatus, NotificationKind
from ..messages_i18n import Message, render_all
from ..models import Delivery, Membership, Notification, NotificationPreference, Organization, User
from .audit import audit_record
from .delivery import _chunks, enqueue_deliveries

# Kinds whose alerts people may not mute on any channel.
UNMUTABLE_KINDS = frozenset({NotificationKind.RISK_ALERT})


def _recipient_ids(recipients) -> list[int]:
    if isinstance(recipients, models.QuerySet):
        return list(recipients.values_list("pk", flat=True))
    return sorted({r if isinstance(r, int) else r.pk for r in recipients})


def notify(
    *,
    recipients,
    kind: str,
    title: str | Message,
    body: str | Message = "",
    url: str = "",
    requires_ack: bool = False,
    dedupe_key: str,
) -> int:
    """Tell people something: one in-app notification per recipient, then e-mail and webhook.

    `recipients` is an iterable of users or user ids, or a queryset of users. `title` and
    `body` are a `Message` (rendered now in Chinese and in English, each reader sees theirs) or
    a plain string (the same in both). Inactive users are skipped. A recipient already told
    under `dedupe_key` is skipped, so calling twice is a no-op. Deliveries are queued after
    commit. Returns how many notifications were created.
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
    titles, bodies = render_all(title), render_all(body)
    texts = {
        "title": titles[settings.LANGUAGE_CODE][:200],
        "body": bodies[settings.LANGUAGE_CODE],
        "title_en": titles["en"][:200] if titles["en"] != titles[settings.LANGUAGE_CODE] else "",
        "body_en": bodies["en"] if bodies["en"] != bodies[settings.LANGUAGE_CODE] else "",
    }
    for attempt in range(2):
        try:
            with transaction.atomic():
                created, delivery_ids = _notify_rows(ids, kind, texts, url, requires_ack, dedupe_key)
                # robust: should the broker be down, the Delivery rows are the outbox and the
                # sweeper hands them over later; the caller's work is saved either way.
                transaction.on_commit(lambda d=delivery_ids: enqueue_deliveries(d), robust=True)
            return created
        except IntegrityError:
            # Another notify() with the same key committed first; the second pass skips its rows.
            if attempt:
                raise
    return 0  # pragma: no cover


def _notify_rows(
    ids: list[int], kind: str, texts: dict[str, str], url: str, requires_ack: bool, dedupe_key: str
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
            **texts,
            url=url,
            requires_ack=requires_ack,
            dedupe_key=dedupe_key,
            created_at=now,
        )
        for pk in sorted(active)
    ]
    Notification.objects.bulk_create(notifications, batch_size=2000)
    return len(notifications), _insert_deliveries(dedupe_key=dedupe_key, created_at=now, requires_ack=requires_ack)


def _insert_deliveries(
    *, dedupe_key: str = "", created_at=None, requires_ack: bool, notification_ids: list[int] | None = None
) -> list[int]:
    """Create the outbox rows for the notifications just made under `dedupe_key` (at
    `created_at`), or for the notifications `notification_ids`, in one statement (a chunk).

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
        WHERE {{where}}
        ORDER BY n.id, c.channel
        RETURNING id
    """  # noqa: S608 - table names come from the models; values are parameters
    params = {
        "queued": DeliveryStatus.QUEUED,
        "now": connection.ops.adapt_datetimefield_value(created_at or timezone.now()),
        "email": Channel.EMAIL,
        "webhook": Channel.WEBHOOK,
        "key": dedupe_key,
    }
    if notification_ids is None:
        wheres = [("n.dedupe_key = %(key)s AND n.created_at = %(now)s", params)]
    else:
        wheres = []
        for chunk in _chunks(sorted(notification_ids), 2000):
            names = {f"n{i}": pk for i, pk in enumerate(chunk)}
            placeholders = ", ".join(f"%({name})s" for name in names)
            wheres.append((f"n.id IN ({placeholders})", {**params, **names}))
    created: list[int] = []
    with connection.cursor() as cursor:
        for where, values in wheres:
            cursor.execute(sql.replace("{where}", where), values)
            created += [row[0] for row in cursor.fetchall()]
    return created


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
        raise ValidationError(_("此通知无需确认。"))
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
            actor=actor,
            action=AuditAction.NOTIFICATION_ACKNOWLEDGE,
            target=notification,
            organization=actor.organization,
        )
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.visible_to(actor).unread().update(read_at=timezone.now())


MAX_SELECTION = 500


def notifications_mark_read(*, actor: User, ids) -> int:
    """Mark the chosen notifications read; only the actor's own count (others' ids are ignored,
    as if they did not exist). Returns how many were unread and are now read."""
    try:
        chosen = sorted({int(pk) for pk in ids})
    except (TypeError, ValueError):
        raise ValidationError({"ids": _("请选择要标为已读的通知。")}) from None
    if not chosen:
        raise ValidationError({"ids": _("请选择要标为已读的通知。")})
    if len(chosen) > MAX_SELECTION:
        raise ValidationError({"ids": _("一次最多选择 %(max)d 条通知。") % {"max": MAX_SELECTION}})
    if chosen[0] < 1 or chosen[-1] > 2**63 - 1:
        raise ValidationError({"ids": _("请选择要标为已读的通知。")})
    return Notification.objects.visible_to(actor).unread().filter(pk__in=chosen).update(read_at=timezone.now())


@transaction.atomic
def preference_set(*, user: User, kind: str, email: bool, webhook: bool) -> NotificationPreference:
    """Choose the channels for one kind. Alerts that require acknowledgement cannot be muted."""
    if kind not in NotificationKind.values:
        raise ValidationError({"kind": _("未知的通知类别。")})
    if kind in UNMUTABLE_KINDS and not (email and webhook):
        raise ValidationError({"kind": _("风险预警不能关闭。")})
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


@dataclass(frozen=True)
class Notice:
    """One of the many notifications `notify_each()` writes at once: as notify()'s arguments."""

    recipients: Sequence[int]
    title: str | Message
    body: str | Message = ""
    url: str = ""
    dedupe_key: str = ""


def notify_each(*, kind: str, notices: Iterable[Notice]) -> int:
    """Many `notify()` calls of one kind in a few statements, for a job that tells each of
    hundreds of organisations something of its own (a certificate about to lapse): the keys
    already used read in one query (a chunk), the active recipients in one, every notification
    in one bulk INSERT and their outbox rows in one INSERT ... SELECT. Same rules as notify():
    inactive users and recipients already told under a notice's key are skipped; deliveries
    are queued after commit. Returns how many notifications were created."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    notices = [n for n in notices if n.recipients]
    for notice in notices:
        if not notice.title or not notice.dedupe_key:
            raise ValueError("notify_each() needs a title and a dedupe_key for every notice")
        if notice.url and not notice.url.startswith(("/", "https://", "http://")):
            raise ValueError(f"notify_each() url must be a site path or an http(s) URL, not {notice.url!r}")
    if not notices:
        return 0
    lang = settings.LANGUAGE_CODE
    for attempt in range(2):
        try:
            with transaction.atomic():
                keys = sorted({n.dedupe_key for n in notices})
                told: set[tuple[str, int]] = set()
                for chunk in _chunks(keys, 2000):
                    told.update(
                        Notification.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", "recipient_id")
                    )
                everyone = sorted({pk for n in notices for pk in n.recipients})
                active: set[int] = set()
                for chunk in _chunks(everyone, 5000):
                    active.update(User.objects.filter(pk__in=chunk, is_active=True).values_list("pk", flat=True))
                now = timezone.now()
                rows = []
                for notice in notices:
                    todo = sorted(
                        pk for pk in set(notice.recipients) if pk in active and (notice.dedupe_key, pk) not in told
                    )
                    if not todo:
                        continue
                    titles, bodies = render_all(notice.title), render_all(notice.body)
                    texts = {
                        "title": titles[lang][:200],
                        "body": bodies[lang],
                        "title_en": titles["en"][:200] if titles["en"] != titles[lang] else "",
                        "body_en": bodies["en"] if bodies["en"] != bodies[lang] else "",
                    }
                    rows += [
                        Notification(
                            recipient_id=pk,
                            kind=kind,
                            **texts,
                            url=notice.url,
                            dedupe_key=notice.dedupe_key,
                            created_at=now,
                        )
                        for pk in todo
                    ]
                created = Notification.objects.bulk_create(rows, batch_size=2000)
                ids = [n.pk for n in created]
                delivery_ids = _insert_deliveries(requires_ack=False, notification_ids=ids) if ids else []
                transaction.on_commit(lambda d=delivery_ids: enqueue_deliveries(d), robust=True)
            return len(rows)
        except IntegrityError:
            # A concurrent notify() took one of the keys first; the second pass skips its rows.
            if attempt:
                raise
    return 0  # pragma: no cover


def notify_audience(
    *,
    recipients: models.QuerySet,
    kind: str,
    title: str | Message,
    body: str | Message = "",
    url: str = "",
    requires_ack: bool = False,
    dedupe_key: str,
) -> int:
    """`notify()` for a large audience given as a queryset of users, set-based: one
    INSERT ... SELECT writes every notification in the database (no ids or rows through Python),
    then the outbox rows in another. Same rules as notify(): inactive users skipped, a recipient
    already told under `dedupe_key` skipped, deliveries queued after commit; `requires_ack`
    (severe risk alerts) asks each reader to acknowledge and ignores muted channels."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not title or not dedupe_key:
        raise ValueError("notify_audience() needs a title and a dedupe_key")
    titles, bodies = render_all(title), render_all(body)
    lang = settings.LANGUAGE_CODE
    audience_sql, audience_params = recipients.values("pk").query.sql_with_params()
    now = timezone.now()
    sql = f"""
        INSERT INTO {Notification._meta.db_table}
            (recipient_id, kind, title, body, title_en, body_en, url, requires_ack, dedupe_key, created_at)
        SELECT u.id, %s, %s, %s, %s, %s, %s, %s, %s, %s
        FROM {User._meta.db_table} u
        WHERE u.is_active AND u.id IN ({audience_sql})
          AND NOT EXISTS (
            SELECT 1 FROM {Notification._meta.db_table} n WHERE n.dedupe_key = %s AND n.recipient_id = u.id
          )
    """  # noqa: S608 - table names come from the models; values are parameters
    params = [
        kind,
        titles[lang][:200],
        bodies[lang],
        titles["en"][:200] if titles["en"] != titles[lang] else "",
        bodies["en"] if bodies["en"] != bodies[lang] else "",
        url,
        requires_ack,
        dedupe_key,
        connection.ops.adapt_datetimefield_value(now),
        *audience_params,
        dedupe_key,
    ]
    for attempt in range(2):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    created = cursor.rowcount
                delivery_ids = (
                    _insert_deliveries(dedupe_key=dedupe_key, created_at=now, requires_ack=requires_ack)
                    if created
                    else []
                )
                transaction.on_commit(lambda d=delivery_ids: enqueue_deliveries(d), robust=True)
            return created
        except IntegrityError:
            if attempt:
                raise
            now = timezone.now()
            params[9] = connection.ops.adapt_datetimefield_value(now)
    return 0  # pragma: no cover
