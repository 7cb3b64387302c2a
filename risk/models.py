"""Models of the risk part: country risk levels with their history, reference ratings from other
sources with theirs, and the typical negative cases (典型负面案例) officials keep."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Country, ScopedQuerySet
from portal.permissions import has_agency_permission
from projects.choices import Sector

from .choices import CaseCategory, RatingSource, RiskLevel


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
