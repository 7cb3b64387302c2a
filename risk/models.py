"""Models of the risk part: country risk levels with their history, reference ratings from other
sources with theirs, the typical negative cases (典型负面案例) officials keep, risk bulletins
with their history, and what users follow."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Country, OrganizationOwnedQuerySet, ReviewHistory, ScopedQuerySet
from portal.permissions import has_agency_permission, is_official
from projects.choices import Sector

from .choices import (
    ACK_SEVERITIES,
    BulletinAction,
    BulletinCategory,
    BulletinStatus,
    CaseCategory,
    Certainty,
    RatingSource,
    RiskLevel,
    RollCallStatus,
    SafetyStatus,
    Severity,
    Urgency,
)


class PublicRiskQuerySet(ScopedQuerySet):
    """Country levels and ratings are public; only officials with `publish_risk` change them."""

    def visible_to(self, user) -> PublicRiskQuerySet:
        return self.all()

    def editable_by(self, user) -> PublicRiskQuerySet:
        return self.all() if has_agency_permission(user, "publish_risk") else self.none()


class CountryRiskQuerySet(PublicRiskQuerySet):
    def stale(self, *, now=None) -> CountryRiskQuerySet:
        """Levels 3-4 not reviewed for 6 months, the others for 12."""
        now = now or timezone.now()
        return self.filter(
            models.Q(level__gte=RiskLevel.CAREFUL, reviewed_at__lt=now - STALE_AFTER[True])
            | models.Q(level__lt=RiskLevel.CAREFUL, reviewed_at__lt=now - STALE_AFTER[False])
        )


# How long a review holds, by whether the level is 3-4 (True) or not.
STALE_AFTER = {True: timezone.timedelta(days=182), False: timezone.timedelta(days=365)}


class CountryRisk(models.Model):
    """A country's risk level as the portal publishes it: the level (1-4), an indicator per
    bulletin category (1-4, same scale), a summary and when an official last reviewed it.
    Every change leaves a CountryRiskChange."""

    country = models.OneToOneField(
        Country, on_delete=models.PROTECT, primary_key=True, related_name="risk", verbose_name=_("国家和地区")
    )
    level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices, db_index=True)
    indicators = models.JSONField(_("分项指标"), default=dict, blank=True)
    summary = models.TextField(_("风险概述"), blank=True, validators=[MaxLengthValidator(5000)])
    reviewed_at = models.DateTimeField(_("最近评估时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评估人"),
    )

    objects = CountryRiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("国别风险")
        verbose_name_plural = _("国别风险")
        ordering = ["country_id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="risk_level_1_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.country_id}: {self.get_level_display()}"

    @property
    def is_high(self) -> bool:
        return self.level >= RiskLevel.CAREFUL


class CountryRiskChange(models.Model):
    """One change of a country's level, indicators or summary: who, why, old → new."""

    country_risk = models.ForeignKey(
        CountryRisk, on_delete=models.CASCADE, related_name="history", verbose_name=_("国别风险")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("操作人")
    )
    reason = models.TextField(_("调整理由"), validators=[MaxLengthValidator(2000)])
    old_level = models.PositiveSmallIntegerField(_("原等级"), choices=RiskLevel.choices, null=True, blank=True)
    new_level = models.PositiveSmallIntegerField(_("新等级"), choices=RiskLevel.choices)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = PublicRiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("国别风险变更")
        verbose_name_plural = _("国别风险变更")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.country_risk_id}: {self.old_level} → {self.new_level}"


class ReferenceRating(models.Model):
    """A rating of a country from another source, kept as given (e.g. Sinosure's grade 5 of 9),
    one per country and source; its changes are ReferenceRatingChange rows."""

    country_risk = models.ForeignKey(
        CountryRisk, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("国别风险")
    )
    source = models.CharField(_("来源"), max_length=20, choices=RatingSource.choices)
    source_name = models.CharField(
        _("来源名称"), max_length=100, blank=True, help_text=_("其他国家政府或其他来源时填写，如“英国外交部”。")
    )
    grade = models.CharField(_("评级"), max_length=50)
    scale_max = models.PositiveSmallIntegerField(
        _("评级上限"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    as_of = models.DateField(_("评级日期"))

    objects = PublicRiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("参考评级")
        verbose_name_plural = _("参考评级")
        ordering = ["source", "source_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_risk", "source", "source_name"], name="risk_one_rating_per_source"
            ),
        ]

    def __str__(self) -> str:
        scale = f"/{self.scale_max}" if self.scale_max else ""
        return f"{self.get_source_display()}: {self.grade}{scale}"


class ReferenceRatingChange(models.Model):
    """A reference rating as it was before a change (or when first recorded)."""

    rating = models.ForeignKey(
        ReferenceRating, on_delete=models.CASCADE, related_name="history", verbose_name=_("参考评级")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("操作人")
    )
    old_grade = models.CharField(_("原评级"), max_length=50, blank=True)
    new_grade = models.CharField(_("新评级"), max_length=50)
    scale_max = models.PositiveSmallIntegerField(_("评级上限"), null=True, blank=True)
    as_of = models.DateField(_("评级日期"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = PublicRiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("参考评级变更")
        verbose_name_plural = _("参考评级变更")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rating_id}: {self.old_grade} → {self.new_grade}"


class NegativeCase(models.Model):
    """A typical negative case (典型负面案例): what a firm did wrong abroad and what others should
    learn, kept by officials with `publish_risk`, public and searchable; bulletins and training
    agendas may link it."""

    title = models.CharField(_("案例名称"), max_length=200)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="negative_cases", verbose_name=_("国家")
    )
    sector = models.CharField(_("行业"), max_length=20, choices=Sector.choices, blank=True)
    category = models.CharField(_("案例类别"), max_length=30, choices=CaseCategory.choices)
    summary = models.TextField(_("案情概要"), validators=[MaxLengthValidator(5000)])
    lessons = models.TextField(_("经验教训"), validators=[MaxLengthValidator(5000)])
    occurred_on = models.DateField(_("发生日期"))
    source = models.CharField(_("信息来源"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PublicRiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("典型负面案例")
        verbose_name_plural = _("典型负面案例")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["country", "-occurred_on"], name="risk_case_country_date")]

    def __str__(self) -> str:
        return self.title


# --- Bulletins ------------------------------------------------------------------------------


def is_publisher(user, obj=None) -> bool:
    """An official holding `publish_risk` (takes the record for workflow predicates)."""
    return has_agency_permission(user, "publish_risk")


class BulletinQuerySet(ScopedQuerySet):
    """Drafts are seen by officials with `publish_risk` only; published and cancelled bulletins
    are public. Those officials change them (through the services)."""

    def visible_to(self, user) -> BulletinQuerySet:
        return self.all() if is_publisher(user) else self.exclude(status=BulletinStatus.DRAFT)

    def editable_by(self, user) -> BulletinQuerySet:
        return self.all() if is_publisher(user) else self.none()

    def in_force(self, *, now=None) -> BulletinQuerySet:
        """Published, in effect now, not expired and not superseded by an update."""
        now = now or timezone.now()
        return self.filter(
            status=BulletinStatus.PUBLISHED, effective_at__lte=now, expires_at__gt=now, superseded_at__isnull=True
        )


#: Hours an organisation has to acknowledge an alert, by severity (CONTRACT: 24 h; 2 h extreme).
ACK_DEADLINE_HOURS = {Severity.EXTREME: 2}
DEFAULT_ACK_DEADLINE_HOURS = 24


class RiskBulletin(models.Model):
    """A risk bulletin (风险通报) for one or more countries. Officials with `publish_risk` draft,
    publish and cancel it (risk/workflow.py); publishing alerts everyone exposed (severe and
    extreme alerts must be acknowledged). An update is a new bulletin that `supersedes` a
    published one, which then leaves the lists (`superseded_at`); a `minor_update` tells no one."""

    countries = models.ManyToManyField(Country, related_name="risk_bulletins", verbose_name=_("国家和地区"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), validators=[MaxLengthValidator(20000)])
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    body_en = models.TextField(_("英文正文"), blank=True, validators=[MaxLengthValidator(20000)])
    category = models.CharField(_("类别"), max_length=20, choices=BulletinCategory.choices, db_index=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    urgency = models.CharField(_("紧迫程度"), max_length=10, choices=Urgency.choices, default=Urgency.EXPECTED)
    certainty = models.CharField(_("确定程度"), max_length=10, choices=Certainty.choices, default=Certainty.LIKELY)
    effective_at = models.DateTimeField(_("生效时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT, db_index=True
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("更新的通报"),
    )
    change_note = models.TextField(_("更新说明"), blank=True, validators=[MaxLengthValidator(2000)])
    minor_update = models.BooleanField(
        _("仅为更正"), default=False, help_text=_("更正错漏的小幅更新：更新通报和订阅源，不再次推送预警。")
    )
    ack_deadline_hours = models.PositiveSmallIntegerField(
        _("确认时限（小时）"),
        default=DEFAULT_ACK_DEADLINE_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    negative_cases = models.ManyToManyField(
        NegativeCase, blank=True, related_name="bulletins", verbose_name=_("相关负面案例")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("起草时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("被取代时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    # Who the alert reached, by reason, counted when it went out (risk.bulletins.bulletin_alert):
    # {"by_reason": [{"reason": ..., "people": ...}], "total": ...}. The dispatch view shows it
    # instead of recounting the audience's subqueries on every refresh; None before the alert.
    audience_counts = models.JSONField(_("预警受众人数"), null=True, blank=True, editable=False)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险通报")
        verbose_name_plural = _("风险通报")
        ordering = ["-published_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("effective_at")), name="risk_bulletin_expires_after_effect"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def requires_ack(self) -> bool:
        return self.severity in ACK_SEVERITIES

    @property
    def alert_key(self) -> str:
        """The dedupe key of the bulletin's alert: each person is told once per bulletin."""
        return f"risk-bulletin:{self.pk}:alert"

    @property
    def ack_deadline(self):
        if self.published_at is None:
            return None
        return self.published_at + timezone.timedelta(hours=self.ack_deadline_hours)

    def is_in_force(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == BulletinStatus.PUBLISHED
            and self.superseded_at is None
            and self.effective_at <= now < self.expires_at
        )


class BulletinHistory(ReviewHistory):
    """One step of a bulletin: published, cancelled, superseded by an update."""

    bulletin = models.ForeignKey(
        RiskBulletin, on_delete=models.CASCADE, related_name="history", verbose_name=_("风险通报")
    )
    action = models.CharField(_("操作"), max_length=20, choices=BulletinAction.choices)

    class Meta(ReviewHistory.Meta):
        verbose_name = _("风险通报记录")
        verbose_name_plural = _("风险通报记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.bulletin_id} {self.action}"


class FollowQuerySet(ScopedQuerySet):
    """A user sees and changes only their own follows."""

    def visible_to(self, user) -> FollowQuerySet:
        return self.filter(user=user) if user is not None and user.is_authenticated else self.none()

    def editable_by(self, user) -> FollowQuerySet:
        return self.visible_to(user)


class Follow(models.Model):
    """A signed-in user follows a country, a bulletin category, or a category in one country;
    they are told of every bulletin that matches."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="risk_follows", verbose_name=_("用户")
    )
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("国家和地区")
    )
    category = models.CharField(_("通报类别"), max_length=20, choices=BulletinCategory.choices, blank=True)
    created_at = models.DateTimeField(_("关注时间"), default=timezone.now)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("关注")
        verbose_name_plural = _("关注")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "country", "category"],
                condition=models.Q(country__isnull=False),
                name="risk_follow_country_once",
            ),
            models.UniqueConstraint(
                fields=["user", "category"], condition=models.Q(country__isnull=True), name="risk_follow_category_once"
            ),
            models.CheckConstraint(
                condition=models.Q(country__isnull=False) | ~models.Q(category=""), name="risk_follow_something"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.country_id or '*'} / {self.category or '*'}"


# --- Safety roll-calls (平安报备) ------------------------------------------------------------


class RollCallQuerySet(ScopedQuerySet):
    """Officials see every roll-call; an organisation's members see those that ask about its
    projects; nobody else sees any. Officials with `publish_risk` start and close them."""

    def visible_to(self, user) -> RollCallQuerySet:
        if is_official(user):
            return self.all()
        rows = RollCallEntry.objects.visible_to(user).filter(rollcall_id=models.OuterRef("pk"))
        return self.filter(models.Exists(rows))

    def editable_by(self, user) -> RollCallQuerySet:
        return self.all() if is_publisher(user) else self.none()


#: Hours between reminders to organisations that have not reported, by severity.
REMIND_EVERY_HOURS = {Severity.EXTREME: 2, Severity.SEVERE: 12}


class RollCall(models.Model):
    """A safety roll-call (平安报备): opened when a severe or extreme bulletin is published, or
    by an official for countries and a time window; every exposed project in those countries
    gets a row (RollCallEntry) its organisation reports on until the roll-call closes, when
    the figures are frozen in `final_figures`."""

    bulletin = models.ForeignKey(
        RiskBulletin,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rollcalls",
        verbose_name=_("风险通报"),
    )
    countries = models.ManyToManyField(Country, related_name="rollcalls", verbose_name=_("国家和地区"))
    title = models.CharField(_("标题"), max_length=200)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    starts_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    ends_at = models.DateTimeField(_("截止时间"))
    remind_every_hours = models.PositiveSmallIntegerField(
        _("提醒间隔（小时）"), validators=[MinValueValidator(1), MaxValueValidator(72)]
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=RollCallStatus.choices, default=RollCallStatus.OPEN, db_index=True
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    opened_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结束人"),
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    final_figures = models.JSONField(_("最终统计"), default=dict, blank=True)

    objects = RollCallQuerySet.as_manager()

    class Meta:
        verbose_name = _("平安报备")
        verbose_name_plural = _("平安报备")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="risk_rollcall_window"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == RollCallStatus.OPEN


class RollCallEntryQuerySet(OrganizationOwnedQuerySet):
    """Officials see every row; an organisation's members see and report on their own."""


class RollCallEntry(models.Model):
    """One project in a roll-call: its latest report (status, the injured, missing and
    evacuated, a note; who and when) over its staff as they were when the roll-call opened.
    Every report is kept as a RollCallReport."""

    rollcall = models.ForeignKey(RollCall, on_delete=models.CASCADE, related_name="entries", verbose_name=_("平安报备"))
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="rollcall_entries", verbose_name=_("项目")
    )
    organization = models.ForeignKey(
        "portal.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("单位")
    )
    chinese_staff = models.PositiveIntegerField(_("中方人员"), default=0)
    local_staff = models.PositiveIntegerField(_("外籍（当地）人员"), default=0)
    status = models.CharField(_("状态"), max_length=12, choices=SafetyStatus.choices, default=SafetyStatus.PENDING)
    injured = models.PositiveIntegerField(_("受伤人数"), default=0)
    missing = models.PositiveIntegerField(_("失联人数"), default=0)
    evacuated = models.PositiveIntegerField(_("撤离人数"), default=0)
    note = models.TextField(_("情况说明"), blank=True, validators=[MaxLengthValidator(2000)])
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报备人"),
    )
    reported_at = models.DateTimeField(_("报备时间"), null=True, blank=True)

    objects = RollCallEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("平安报备项目")
        verbose_name_plural = _("平安报备项目")
        ordering = ["rollcall", "organization", "project"]
        constraints = [
            models.UniqueConstraint(fields=["rollcall", "project"], name="risk_rollcall_project_once"),
        ]
        indexes = [
            models.Index(fields=["rollcall", "organization"], name="risk_rollcall_org"),
            models.Index(fields=["rollcall", "status"], name="risk_rollcall_status"),
        ]

    def __str__(self) -> str:
        return f"{self.rollcall_id}/{self.project_id}: {self.status}"


class RollCallReportQuerySet(OrganizationOwnedQuerySet):
    """As the rows they were sent for: officials see all, an organisation its own."""

    organization_field = "entry__organization"

    def editable_by(self, user) -> RollCallReportQuerySet:
        return self.none()  # a report is kept as it was sent


class RollCallReport(models.Model):
    """One report on a project in a roll-call, as it was sent: never changed."""

    entry = models.ForeignKey(
        RollCallEntry, on_delete=models.CASCADE, related_name="reports", verbose_name=_("报备项目")
    )
    status = models.CharField(_("状态"), max_length=12, choices=SafetyStatus.choices)
    injured = models.PositiveIntegerField(_("受伤人数"), default=0)
    missing = models.PositiveIntegerField(_("失联人数"), default=0)
    evacuated = models.PositiveIntegerField(_("撤离人数"), default=0)
    note = models.TextField(_("情况说明"), blank=True, validators=[MaxLengthValidator(2000)])
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("报备人")
    )
    reported_at = models.DateTimeField(_("报备时间"), default=timezone.now)

    objects = RollCallReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("平安报备记录")
        verbose_name_plural = _("平安报备记录")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.status}"
