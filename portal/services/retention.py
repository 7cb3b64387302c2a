"""Retention: the nightly purge of old deliveries, read notifications and (if set) audit events.

How long is configured in settings: NOTIFY["RETENTION_DAYS"] for the notification centre and
AUDIT_RETENTION_DAYS for the audit trail; None keeps for ever. docs/deploy.md.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..choices import AuditAction, DeliveryStatus
from ..models import AuditEvent, Delivery, Notification
from .audit import audit_record

logger = logging.getLogger(__name__)

# Rows deleted per statement, so that no delete holds its locks for long.
BATCH = 5000


def records_purge(*, now=None) -> dict[str, int]:
    """Delete what is older than its retention; returns how many rows of each kind went.

    - deliveries (any channel) that are no longer queued;
    - notifications their recipient has read, except alerts still waiting for an
      acknowledgement, with their deliveries; unread ones are kept;
    - audit events, only if AUDIT_RETENTION_DAYS is set.

    The purge itself is recorded in the audit trail. Safe to run twice: the second finds less.
    """
    now = now or timezone.now()
    purged = {"deliveries": 0, "notifications": 0, "audit_events": 0}
    days = settings.NOTIFY["RETENTION_DAYS"]
    if days is not None:
        cutoff = now - timedelta(days=days)
        purged["deliveries"] = _delete_in_batches(
            Delivery.objects.filter(created_at__lt=cutoff).exclude(status=DeliveryStatus.QUEUED)
        )
        read = Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=False).exclude(
            Q(requires_ack=True) & Q(acknowledged_at__isnull=True)
        )
        purged["notifications"] = _delete_in_batches(read)
    if settings.AUDIT_RETENTION_DAYS is not None:
        cutoff = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
        purged["audit_events"] = _delete_in_batches(AuditEvent.objects.filter(created_at__lt=cutoff))
    if any(purged.values()):
        audit_record(actor=None, action=AuditAction.RETENTION_PURGE, **purged)
        logger.info("retention purge: %s", purged)
    return purged


def _delete_in_batches(queryset: models.QuerySet) -> int:
    """Delete the rows of `queryset` BATCH at a time (a notification takes its deliveries along)."""
    deleted = 0
    while ids := list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        queryset.model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted
