"""Accounts, organisations, countries, the notification centre and the audit trail."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib.admin import display as admin_display
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import translate_url
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .choices import (
    AgencyPermission,
    Channel,
    DeliveryStatus,
    ImportJobStatus,
    MembershipRole,
    NotificationKind,
    OrganizationKind,
    Region,
    audit_action_label,
)
from .storage import private_storage
from .validators import validate_credit_code, validate_webhook_url


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows what a user may see and change.

    Every model holding organisation data gets one; the shared base classes of the API and the
    HTML views apply it, so a record outside the user's scope is a 404 everywhere.
    """

    def visible_to(self, user) -> ScopedQuerySet:  # pragma: no cover - abstract
        raise NotImplementedError

    def editable_by(self, user) -> ScopedQuerySet:
        """Nothing, unless the model says otherwise: scope fails closed."""
        return self.none()


class ReviewHistory(models.Model):
    """One step of a record's review: who did it, with what comment, when. A workflow
    (portal/workflow.py) writes one per transition that names a `history` action; the concrete
    model adds the foreign key to its record and `action` with its choices. Never edited."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("操作人"))
    comment = models.TextField(_("意见"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["id"]


class OrganizationOwnedQuerySet(ScopedQuerySet):
    """Scope for records with an organisation: officials see all, members their own."""

    organization_field = "organization"

    def _own(self, user) -> ScopedQuerySet:
        membership = getattr(user, "org_membership", None) if user.is_authenticated else None
        if membership is None:
            return self.none()
        return self.filter(**{self.organization_field: membership.organization_id})

    def visible_to(self, user) -> ScopedQuerySet:
        if user.is_authenticated and user.is_official:
            return self.all()
        return self._own(user)

    def editable_by(self, user) -> ScopedQuerySet:
        return self._own(user)


class User(AbstractUser):
    """A person who signs in. Acts for at most one organisation, through `membership`.

    Talent professionals may have no organisation; officials belong to an `agency`.
    """

    email = models.EmailField(_("电子邮箱"), blank=True)
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    # The language of the pages the user last signed in on: their e-mails are written in it.
    language = models.CharField(_("通知语言"), max_length=10, choices=settings.LANGUAGES, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def org_membership(self) -> Membership | None:
        """The user's membership with its organisation, loaded in one query."""
        if not self.pk:
            return None
        return Membership.objects.select_related("organization").filter(user_id=self.pk).first()

    @property
    def organization(self) -> Organization | None:
        membership = self.org_membership
        return membership.organization if membership else None

    @property
    def is_official(self) -> bool:
        membership = self.org_membership
        return bool(membership and membership.organization.kind == OrganizationKind.AGENCY)

    @property
    def is_org_admin(self) -> bool:
        membership = self.org_membership
        return bool(membership and membership.role == MembershipRole.ADMIN)

    def has_agency_permission(self, permission: str) -> bool:
        """Whether this user is an official holding `permission` (see AgencyPermission)."""
        return self.is_official and permission in self.org_membership.permissions


class OrganizationQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> OrganizationQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_official:
            return self.all()
        membership = user.org_membership
        return self.filter(pk=membership.organization_id) if membership else self.none()

    def editable_by(self, user) -> OrganizationQuerySet:
        if not user.is_authenticated or not user.is_org_admin:
            return self.none()
        return self.filter(pk=user.org_membership.organization_id)


def _new_webhook_secret() -> str:
    return secrets.token_hex(32)


class NamedInBothLanguages:
    """`display_name`: the English name (`name_en`) on English pages when there is one, else the
    Chinese `name`. For records whose names people write in both languages."""

    @property
    def display_name(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        return (self.name_en or self.name) if language.startswith("en") else self.name

    @property
    def other_name(self) -> str:
        """The name in the other language, to show beside `display_name` ("" if there is none)."""
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language.startswith("en"):
            return self.name if self.name_en else ""
        return self.name_en


class Organization(NamedInBothLanguages, models.Model):
    """An enterprise, supplier or agency. Every signed-in user acts for one through a membership."""

    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganizationKind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    province = models.CharField(_("省份"), max_length=50)
    city = models.CharField(_("城市"), max_length=50, blank=True)
    contact_email = models.EmailField(_("联系邮箱"))
    webhook_url = models.URLField(
        _("Webhook 地址"),
        blank=True,
        max_length=500,
        validators=[validate_webhook_url],
        help_text=_("平台以签名的 JSON POST 推送通知到此地址。"),
    )
    webhook_secret = models.CharField(_("Webhook 签名密钥"), max_length=64, default=_new_webhook_secret, editable=False)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OrganizationKind.values), name="organization_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(OrganizationOwnedQuerySet):
    def members_of(self, organization_id: int) -> list[int]:
        """The active members of an organisation: the recipients of what is sent to it."""
        return list(
            self.filter(organization_id=organization_id, user__is_active=True).values_list("user_id", flat=True)
        )

    def officials_with(self, permission: str) -> list[int]:
        """The active officials holding an agency permission (AgencyPermission): the
        recipients of what is sent to the reviewers, the risk publishers or the organisers."""
        field = self.model.PERMISSION_FIELDS[permission]
        return list(
            self.filter(organization__kind=OrganizationKind.AGENCY, user__is_active=True, **{field: True}).values_list(
                "user_id", flat=True
            )
        )


class Membership(models.Model):
    """A user's place in an organisation: role, and for officials their agency permissions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("用户")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("组织")
    )
    role = models.CharField(_("角色"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    can_review = models.BooleanField(_("审核权限"), default=False)
    can_publish_risk = models.BooleanField(_("发布风险权限"), default=False)
    can_organise_training = models.BooleanField(_("组织培训权限"), default=False)
    created_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    PERMISSION_FIELDS = {
        AgencyPermission.REVIEW: "can_review",
        AgencyPermission.PUBLISH_RISK: "can_publish_risk",
        AgencyPermission.ORGANISE_TRAINING: "can_organise_training",
    }

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    @property
    def permissions(self) -> list[str]:
        return [perm for perm, field in self.PERMISSION_FIELDS.items() if getattr(self, field)]


class Country(models.Model):
    """An ISO 3166-1 country with its Chinese and English names and the portal's region."""

    code = models.CharField(_("代码"), max_length=2, primary_key=True)
    alpha3 = models.CharField(_("三位代码"), max_length=3, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)
    region = models.CharField(_("地区"), max_length=20, choices=Region.choices, db_index=True)

    class Meta:
        verbose_name = _("国家和地区")
        verbose_name_plural = _("国家和地区")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class NotificationQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        """An inbox is personal: everyone, officials included, sees only their own."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient_id=user.pk)

    def editable_by(self, user) -> NotificationQuerySet:
        """Reading and acknowledging are the recipient's own."""
        return self.visible_to(user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one user, shown in the in-app inbox and sent on the user's channels."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    kind = models.CharField(_("类别"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # The same texts in English, rendered when the notification was made (empty: as the Chinese).
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    body_en = models.TextField(_("英文内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    requires_ack = models.BooleanField(_("需要确认"), default=False)
    dedupe_key = models.CharField(_("去重键"), max_length=200)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        constraints = [
            # dedupe_key leads so that notify() finds the recipients already told with one index scan.
            models.UniqueConstraint(fields=["dedupe_key", "recipient"], name="notification_once_per_key"),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(requires_ack=True),
                name="notification_ack_only_if_required",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    def title_in(self, language: str) -> str:
        return (self.title_en or self.title) if language.startswith("en") else self.title

    def body_in(self, language: str) -> str:
        return (self.body_en or self.body) if language.startswith("en") else self.body

    def url_in(self, language: str) -> str:
        return localized_url(self.url, language)

    @property
    def display_title(self) -> str:
        return self.title_in(translation.get_language() or settings.LANGUAGE_CODE)

    @property
    def display_body(self) -> str:
        return self.body_in(translation.get_language() or settings.LANGUAGE_CODE)

    @property
    def display_url(self) -> str:
        return self.url_in(translation.get_language() or settings.LANGUAGE_CODE)


def localized_url(url: str, language: str) -> str:
    """A site path stored in Chinese (unprefixed) as the page of `language` (/en/...)."""
    if not url.startswith("/") or url.startswith("//") or language == settings.LANGUAGE_CODE:
        return url
    with translation.override(settings.LANGUAGE_CODE):  # the stored path is resolved as Chinese
        return translate_url(url, language)


class Delivery(models.Model):
    """One notification on one channel (email or webhook): the outbox row a Celery task works off.

    The in-app channel is the Notification row itself. A delivery stays `queued` until a worker
    sends it; `enqueued_at` says when its latest task was handed to the broker. The beat sweeper
    re-queues one whose task must have been lost (never handed over, or handed over longer ago
    than any wait in the broker can explain) and fails one past its retry window.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("通知")
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="queued"), name="delivery_queued_due"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}: {self.status}"


class NotificationPreference(models.Model):
    """A user's channels for one kind of notification. Without a row, every channel is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("用户"),
    )
    kind = models.CharField(_("类别"), max_length=30, choices=NotificationKind.choices)
    email = models.BooleanField(_("电子邮件"), default=True)
    webhook = models.BooleanField(_("Webhook"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"


class AuditEventQuerySet(OrganizationOwnedQuerySet):
    def editable_by(self, user) -> AuditEventQuerySet:
        """The audit trail is never edited."""
        return self.none()


class AuditEvent(models.Model):
    """Who did what to which record, and when. Written by service functions, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("组织")
    )
    action = models.CharField(_("操作"), max_length=60)
    target_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"

    @admin_display(description=_("操作"), ordering="action")
    def action_label(self) -> str:
        """The action's label, as its part declared it (portal.choices.register_audit_actions)."""
        return audit_action_label(self.action)


def import_storage():
    """The private storage (portal/storage.py): no URL, outside the web root."""
    return private_storage()


def import_upload_to(instance, filename: str) -> str:
    """`portal/importjob/<uuid4>.xlsx`: not guessable, nothing of the uploader's name."""
    return f"portal/importjob/{uuid.uuid4().hex}.xlsx"


class ImportJobQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        """An organisation's imports are its members' to see, officials' included: another
        organisation's job is a 404 to everyone."""
        membership = getattr(user, "org_membership", None) if user.is_authenticated else None
        if membership is None:
            return self.none()
        return self.filter(organization_id=membership.organization_id)


class ImportJob(models.Model):
    """One uploaded Excel file of a kind (portal.xlsx), imported by a Celery worker.

    The upload is checked in the request (size, archive, declared dimensions); the worker reads
    the rows and imports them all or nothing (`XlsxKind.import_rows`). `processed_rows` is the
    count at the end; while the job runs its live count is in the cache
    (`services.import_job_progress`), because the rows are written in one transaction that no
    other connection sees until it commits.
    """

    kind = models.CharField(_("数据类型"), max_length=40)
    #: The upload, until the job has finished (then deleted: the result is in the row).
    file = models.FileField(_("文件"), upload_to=import_upload_to, storage=import_storage, max_length=255, blank=True)
    filename = models.CharField(_("原文件名"), max_length=255, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("组织")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("上传人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("数据行数"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新建记录数"), default=0)
    updated_count = models.PositiveIntegerField(_("更新记录数"), default=0)
    #: [{"row": 3, "field": "country", "message": "..."}]; row 1 is the header, field "" the row.
    errors = models.JSONField(_("行错误"), default=list, blank=True)
    #: Why the file as a whole was refused (unreadable, missing); row errors are in `errors`.
    message = models.TextField(_("说明"), blank=True)
    #: The uploader's language: the worker writes the errors in it.
    language = models.CharField(_("语言"), max_length=10, blank=True)
    #: The ids of the records created, for the result page's links.
    created_ids = models.JSONField(_("新建记录编号"), default=list, blank=True)
    #: The worker's task id while it runs: a retry of the same task may take the job up again.
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-id"]
        indexes = [models.Index(fields=["organization", "-id"], name="import_job_by_org")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="import_job_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)
