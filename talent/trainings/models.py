"""Models of the trainings (每半年一次“走出去”专题培训): sessions, their agenda, enrolments with a
waiting list, attendance and certificates, and who opted in to hear of new sessions.

Registered under the `talent` app (talent/models.py imports this module)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.choices import AgencyPermission
from portal.models import ScopedQuerySet

from .choices import EnrollmentStatus, Half, SessionStatus, TrainingTopic


def _check_in_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


class TrainingSessionQuerySet(ScopedQuerySet):
    """Published and cancelled sessions are public; drafts only for organisers."""

    def visible_to(self, user) -> TrainingSessionQuerySet:
        if user.is_authenticated and user.has_agency_permission(AgencyPermission.ORGANISE_TRAINING):
            return self.all()
        return self.exclude(status=SessionStatus.DRAFT)

    def editable_by(self, user) -> TrainingSessionQuerySet:
        if user.is_authenticated and user.has_agency_permission(AgencyPermission.ORGANISE_TRAINING):
            return self.all()
        return self.none()

    def published(self) -> TrainingSessionQuerySet:
        return self.filter(status=SessionStatus.PUBLISHED)


class TrainingSession(models.Model):
    title = models.CharField(_("培训名称"), max_length=200)
    # A list of TrainingTopic values (JSON, so that it works on every database the portal runs on).
    topics = models.JSONField(_("专题"), default=list, blank=True)
    description = models.TextField(_("培训简介"), blank=True, max_length=5000)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    half = models.PositiveSmallIntegerField(_("半年"), choices=Half.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    venue = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.URLField(_("线上参会链接"), blank=True)
    capacity = models.PositiveIntegerField(_("名额"), validators=[MinValueValidator(1)])
    registration_deadline = models.DateTimeField(_("报名截止时间"))
    status = models.CharField(
        _("状态"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.DRAFT, db_index=True
    )
    # RFC 5545 SEQUENCE: bumped on every change after publishing (portal/calendar.py).
    sequence = models.PositiveIntegerField(_("日历版本号"), default=0)
    countries = models.ManyToManyField("portal.Country", blank=True, verbose_name=_("涉及国家"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["year", "half"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="training_half_1_or_2"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == SessionStatus.PUBLISHED

    def registration_open(self, now=None) -> bool:
        return self.is_published and (now or timezone.now()) < self.registration_deadline

    def topic_labels(self) -> list[str]:
        labels = dict(TrainingTopic.choices)
        return [str(labels.get(t, t)) for t in self.topics]


class AgendaItem(models.Model):
    """One talk of a session; it may name countries and link a typical negative case of the risk
    part (`negative_case`); `negative_case_ref` names a case that is not on the portal."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    title = models.CharField(_("议题"), max_length=200)
    speaker = models.CharField(_("主讲人"), max_length=100, blank=True)
    countries = models.ManyToManyField("portal.Country", blank=True, verbose_name=_("涉及国家"))
    negative_case = models.ForeignKey(
        "risk.NegativeCase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("典型负面案例"),
    )
    negative_case_ref = models.CharField(
        _("其他负面案例"), max_length=200, blank=True, help_text=_("平台案例库以外的案例名称。")
    )

    class Meta:
        verbose_name = _("培训议程")
        verbose_name_plural = _("培训议程")
        ordering = ["session", "position", "id"]

    def __str__(self) -> str:
        return self.title


class EnrollmentQuerySet(ScopedQuerySet):
    """Organisers see every enrolment; a person their own; an organisation's admin those of
    its members."""

    def visible_to(self, user) -> EnrollmentQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.has_agency_permission(AgencyPermission.ORGANISE_TRAINING):
            return self.all()
        membership = user.org_membership
        if membership is not None and not user.is_official:
            return self.filter(Q(user=user) | Q(organization_id=membership.organization_id))
        return self.filter(user=user)

    def editable_by(self, user) -> EnrollmentQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.has_agency_permission(AgencyPermission.ORGANISE_TRAINING):
            return self.all()
        return self.filter(user=user)

    def holding_seat(self) -> EnrollmentQuerySet:
        return self.filter(status__in=[EnrollmentStatus.ENROLLED, EnrollmentStatus.OFFERED])


class Enrollment(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_enrollments")
    # The organisation the person enrolled for (their membership then), for its training record.
    organization = models.ForeignKey(
        "portal.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=20, choices=EnrollmentStatus.choices, db_index=True)
    # Position on the waiting list: the time one joined it.
    waiting_since = models.DateTimeField(_("候补时间"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("递补确认截止"), null=True, blank=True)
    attended = models.BooleanField(_("已出勤"), default=False)
    attended_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    check_in_code = models.CharField(_("签到码"), max_length=6, default=_check_in_code)
    certificate_code = models.UUIDField(_("证书编号"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训报名")
        verbose_name_plural = _("培训报名")
        ordering = ["session", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="training_one_enrollment_per_user")]
        indexes = [models.Index(fields=["status", "offer_expires_at"])]

    def __str__(self) -> str:
        return f"{self.session} · {self.user}"


class TrainingNoticeOptIn(models.Model):
    """A person (e.g. a talent without an organisation) who asked to hear of new sessions."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_opt_in")
    created_at = models.DateTimeField(_("订阅时间"), default=timezone.now)

    class Meta:
        verbose_name = _("培训通知订阅")
        verbose_name_plural = _("培训通知订阅")

    def __str__(self) -> str:
        return str(self.user)
