"""API tokens: issuing one, its expiry, revoking it.

A user has at most one token (DRF's `authtoken.Token`, whose `created` is when it was issued).
It stops working `API_TOKEN_TTL_DAYS` after that (`portal/api/authentication.py` checks, with
no query of its own), when its owner revokes it, and when the password is changed or reset:
`password_changed_revokes_tokens` below is connected to User's post_save in portal/apps.py,
so every way of setting a password (the pages, the admin, `set_password()` anywhere) revokes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from ..choices import AuditAction
from ..models import User
from .audit import audit_record


def token_ttl() -> timedelta | None:
    """How long a token lives, or None when tokens never expire."""
    days = settings.API_TOKEN_TTL_DAYS
    return None if days is None else timedelta(days=days)


def token_expires_at(token: Token) -> datetime | None:
    ttl = token_ttl()
    return None if ttl is None else token.created + ttl


def token_is_expired(token: Token, *, now: datetime | None = None) -> bool:
    expires_at = token_expires_at(token)
    return expires_at is not None and (now or timezone.now()) >= expires_at


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """The user's token, a new one in place of an expired one."""
    token, created = Token.objects.select_for_update().get_or_create(user=user)
    if not created and token_is_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


@transaction.atomic
def tokens_revoke(*, user: User, actor: User | None, reason: str) -> int:
    """Delete the user's API tokens; the number deleted. Recorded in the audit trail when any was."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=actor, action=AuditAction.API_TOKEN_REVOKE, target=user, reason=reason)
    return deleted


def password_changed_revokes_tokens(sender, instance: User, created: bool, **kwargs) -> None:
    """post_save of User: `set_password()` leaves the new raw password in `_password` until
    AbstractBaseUser.save() has saved it (and sent this signal), so this sees every change."""
    if created or getattr(instance, "_password", None) is None:
        return
    # Whoever set it (the user, an admin, a command) is not known here: the actor stays empty.
    tokens_revoke(user=instance, actor=None, reason="password_changed")
