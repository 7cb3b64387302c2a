"""The audit trail: who did what to which record, written by the services that do it."""

from __future__ import annotations

from typing import Any

from django.db import models

from ..choices import is_audit_action
from ..models import AuditEvent, Organization, User


def audit_record(
    *, actor: User | None, action: str, target: models.Model | None = None, organization=None, **data: Any
) -> AuditEvent:
    """Record that `actor` did `action` (a registered audit action, portal/choices.py) to `target`."""
    if not is_audit_action(action):
        raise ValueError(f"{action!r} is not a registered audit action (register_audit_actions)")
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
