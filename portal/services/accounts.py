"""Accounts and organisations: signing up, members, officials, an organisation's details."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..choices import AgencyPermission, AuditAction, MembershipRole, NotificationKind, OrganizationKind
from ..messages_i18n import Message, localized_name
from ..models import Membership, Organization, User
from ..models import _new_webhook_secret as new_webhook_secret
from .audit import audit_record
from .errors import Errors
from .notifications import notify


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _check_username_free(username: str) -> None:
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")})


#: The organisation's fields a sign-up gives.
SIGNUP_ORGANIZATION_FIELDS = (
    "name",
    "name_en",
    "kind",
    "credit_code",
    "province",
    "city",
    "contact_email",
    "webhook_url",
)


def organization_signup_check(
    *,
    organization: dict[str, Any],
    username: str | None = None,
    email: str | None = None,
    password: str | None = None,
    display_name: str | None = None,
) -> tuple[Organization, User]:
    """Every rule of a sign-up, all checked: one ValidationError lists each problem on its field
    (the organisation's fields under their own names, and `username`, `email`, `password`,
    `display_name`).

    The page and the API call it with whatever values passed their own checks (a value left out
    is not checked here), so that one submission shows the username taken beside the mistyped
    credit code and the weak password. Returns the unsaved organisation and user.
    """
    errors = Errors()
    kind = organization.get("kind")
    if "kind" in organization and kind not in (OrganizationKind.ENTERPRISE, OrganizationKind.SUPPLIER):
        errors.add("kind", _("只能注册企业或供应商。"))
    org = Organization(**{field: value for field, value in organization.items() if field in SIGNUP_ORGANIZATION_FIELDS})
    org.credit_code = (org.credit_code or "").strip().upper()
    with errors.collect():
        org.full_clean(exclude=[f for f in SIGNUP_ORGANIZATION_FIELDS if f not in organization or errors.has(f)])
    given = {"username": username, "email": email, "display_name": display_name}
    user = User(**{field: value or "" for field, value in given.items()})
    if username is not None:
        with errors.collect():
            _check_username_free(username)
    # Fields not given, or already refused (a taken username), are not checked twice.
    skip = [field for field, value in given.items() if value is None or errors.has(field)]
    with errors.collect():
        user.full_clean(exclude=["password", *skip])
    if password is not None:
        with errors.collect():
            _validate_password(password, user)
    errors.raise_if_any()
    return org, user


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
    org, user = organization_signup_check(
        organization=organization, username=username, email=email, password=password, display_name=display_name
    )
    user.set_password(password)
    org.save()
    user.save()
    Membership.objects.create(user=user, organization=org, role=MembershipRole.ADMIN)
    audit_record(actor=user, action=AuditAction.ORGANIZATION_SIGNUP, target=org)
    notify(
        recipients=[user],
        kind=NotificationKind.ACCOUNT,
        title=Message(gettext_noop("欢迎加入走出去企业服务平台")),
        body=Message(gettext_noop("您的组织“%(name)s”已注册，您是该组织的管理员。"), name=localized_name(org)),
        url=reverse("portal:home"),
        dedupe_key=f"signup:{org.pk}",
    )
    return org, user


def member_add_check(
    *, username: str | None = None, email: str | None = None, display_name: str | None = None, role=None
) -> User:
    """Every rule of a new member, as one ValidationError (a value left out is not checked).
    Returns the unsaved user."""
    errors = Errors()
    if role is not None and role not in MembershipRole.values:
        errors.add("role", _("无效的角色。"))
    if email is not None and not email:
        errors.add("email", _("请填写电子邮箱，用于设置密码。"))
    if username is not None:
        with errors.collect():
            _check_username_free(username)
    given = {"username": username, "email": email, "display_name": display_name}
    user = User(**{field: value or "" for field, value in given.items()})
    skip = [field for field, value in given.items() if value is None or errors.has(field)]
    with errors.collect():
        user.full_clean(exclude=["password", *skip])
    errors.raise_if_any()
    return user


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
    user = member_add_check(username=username, email=email, display_name=display_name, role=role)
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    audit_record(actor=actor, action=AuditAction.MEMBERSHIP_ADD, target=membership, username=username, role=role)
    send_set_password_email(user=user, organization=organization)
    return membership


# The dedupe key of the notification that invites a new account to choose a password. Its
# e-mail carries the personal set-password link, made when the e-mail is sent (delivery.py).
INVITATION_KEY_PREFIX = "account:invitation:"


def send_set_password_email(*, user: User, organization: Organization) -> None:
    """Tell a new member (or official) of their account; the e-mail carries the link to choose a password.

    Goes through the notification outbox like every e-mail, so a mail server that is down is
    retried and is never an error for the admin who added the member. The link (Django's
    password-reset token, valid PASSWORD_RESET_TIMEOUT) is made when the e-mail is sent, not
    stored: the inbox, the admin and webhooks see the notification without it, and a retry
    hours later still sends a fresh link.
    """
    notify(
        recipients=[user],
        kind=NotificationKind.ACCOUNT,
        title=Message(gettext_noop("设置您的走出去服务平台密码")),
        body=Message(
            gettext_noop("%(org)s 已将您加入走出去企业服务平台，您的用户名是 %(username)s。请打开以下链接设置密码："),
            org=localized_name(organization),
            username=user.username,
        ),
        # In the inbox and webhooks: the page that mails a new link. The e-mail has the user's own.
        url=reverse("portal:password_reset"),
        dedupe_key=f"{INVITATION_KEY_PREFIX}{user.pk}",
    )


def set_password_link(user: User) -> str:
    """The absolute link at which `user` chooses a password (valid PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("portal:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    """Remove a member: the membership goes and the account is deactivated. The last admin stays."""
    organization = membership.organization
    _require_org_admin(actor, organization)
    if membership.role == MembershipRole.ADMIN:
        admins = Membership.objects.select_for_update().filter(organization=organization, role=MembershipRole.ADMIN)
        if admins.count() <= 1:
            raise ValidationError(_("不能移除组织的最后一位管理员。"))
    user = membership.user
    audit_record(actor=actor, action=AuditAction.MEMBERSHIP_REMOVE, target=membership, username=user.username)
    membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])


def _require_org_admin(actor: User, organization: Organization) -> None:
    membership = actor.org_membership
    if not (membership and membership.organization_id == organization.pk and membership.role == MembershipRole.ADMIN):
        raise PermissionError(_("只有本组织管理员可以管理成员。"))


@transaction.atomic
def official_create(
    *, username: str, email: str, permissions: Iterable[str], agency: Organization, password: str | None = None
) -> User:
    """Create an official in an agency with the given permissions (review, publish_risk, ...)."""
    if agency.kind != OrganizationKind.AGENCY:
        raise ValidationError({"agency": _("官员必须属于主管部门。")})
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
    audit_record(
        actor=None, action=AuditAction.OFFICIAL_CREATE, target=user, organization=agency, permissions=sorted(perms)
    )
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
        audit_record(actor=actor, action=AuditAction.ORGANIZATION_UPDATE, target=organization, fields=sorted(changed))
    return organization


@transaction.atomic
def webhook_secret_rotate(*, actor: User, organization: Organization) -> str:
    """An organisation's admin replaces its webhook signing secret; the new secret.

    Webhooks are signed with the new secret from now on (deliveries read it when they send).
    The audit event names who rotated it, never the secret itself.
    """
    _require_org_admin(actor, organization)
    organization.webhook_secret = new_webhook_secret()
    organization.save(update_fields=["webhook_secret"])
    audit_record(actor=actor, action=AuditAction.WEBHOOK_SECRET_ROTATE, target=organization)
    return organization.webhook_secret


def webhook_secret_hint(secret: str) -> str:
    """What the pages show of a secret once it has been shown: its last four characters."""
    return "••••" + secret[-4:] if secret else ""


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
    audit_record(actor=actor, action=AuditAction.ORGANIZATION_VERIFY, target=organization)
    return organization
