"""Models of the talent part: the talent pool (this module) and the twice-yearly trainings
(`talent/trainings/models.py`, imported below so that Django registers them under the `talent`
app). See docs/development/adding-a-model.md and docs/talent.md.

A profile is personal information under China's PIPL: it exists only with the person's consent
(`ConsentRecord`), withdrawing it hides the profile and erases the personal fields, and every
view of the contact details is logged (`ContactView`)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Country, ScopedQuerySet
from portal.permissions import is_enterprise, is_official, membership_of

from .choices import ApplicationStatus, CefrLevel, CertificateKind, ConsentAction, Education, LanguageCode
from .trainings import models as _trainings  # noqa: F401  (registers the training models)


class TalentProfileQuerySet(ScopedQuerySet):
    """Who reads a profile: enterprise members and officials search the active ones; the person
    sees their own (withdrawn too, to delete it); suppliers and the public see none. Who changes
    it: the person, or, for a profile entered by an enterprise for its staff, that enterprise's
    members (while consent stands)."""

    def active(self) -> TalentProfileQuerySet:
        return self.filter(consent_withdrawn_at__isnull=True)

    def visible_to(self, user) -> TalentProfileQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if is_official(user) or is_enterprise(user):
            return self.filter(Q(consent_withdrawn_at__isnull=True) | Q(owner=user))
        return self.filter(owner=user)

    def editable_by(self, user) -> TalentProfileQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        mine = Q(owner=user)
        if is_enterprise(user):
            organization_id = membership_of(user).organization_id
            mine |= Q(owner__isnull=True, entered_by_id=organization_id, consent_withdrawn_at__isnull=True)
        return self.filter(mine)


class TalentProfile(models.Model):
    """A professional in the talent pool (人才档案): kept by the person (`owner`), or entered by
    an enterprise (`entered_by`) for its own staff with the person's consent. `phone` and `email`
    are the contact details, shown only to verified enterprises and officials."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="talent_profile",
        verbose_name=_("本人账号"),
    )
    entered_by = models.ForeignKey(
        "portal.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="talent_profiles",
        verbose_name=_("录入单位"),
    )
    full_name = models.CharField(_("姓名"), max_length=100)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    current_employer = models.CharField(_("现工作单位"), max_length=200, blank=True)
    occupation = models.CharField(_("职业"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("联系邮箱"), blank=True)
    desired_countries = models.ManyToManyField(Country, related_name="+", blank=True, verbose_name=_("意向国家"))
    available_from = models.DateField(_("可到岗日期"), null=True, blank=True)
    skills = models.TextField(_("专业技能"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    consent_at = models.DateTimeField(_("同意时间"))
    consent_text_version = models.CharField(_("同意书版本"), max_length=20)
    consent_withdrawn_at = models.DateTimeField(_("撤回同意时间"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TalentProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("人才档案")
        verbose_name_plural = _("人才档案")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(entered_by__isnull=False), name="talent_profile_has_keeper"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.consent_withdrawn_at is None


class TalentLanguage(models.Model):
    """A language the person speaks (ISO 639-1) at a CEFR level."""

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("语言"), max_length=2, choices=LanguageCode.choices)
    level = models.CharField(_("水平"), max_length=2, choices=CefrLevel.choices)

    class Meta:
        verbose_name = _("语言能力")
        verbose_name_plural = _("语言能力")
        ordering = ["-level", "code"]
        # The search's EXISTS on a language at a level is answered from the index alone.
        indexes = [models.Index(fields=["code", "level", "profile"], name="talent_language_search")]
        constraints = [
            models.UniqueConstraint(fields=["profile", "code"], name="talent_language_once"),
            models.CheckConstraint(condition=Q(level__in=CefrLevel.values), name="talent_language_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.level}"


class TalentCertificate(models.Model):
    """A professional certificate; one without `valid_until` does not expire."""

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("证书类型"), max_length=20, choices=CertificateKind.choices)
    number = models.CharField(_("证书编号"), max_length=60, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("资格证书")
        verbose_name_plural = _("资格证书")
        ordering = ["kind", "id"]
        # The search's EXISTS on a valid certificate of a kind is answered from the index alone.
        indexes = [models.Index(fields=["kind", "valid_until", "profile"], name="talent_certificate_search")]

    def __str__(self) -> str:
        return self.get_kind_display()


class TalentExperience(models.Model):
    """Overseas experience: a country, optionally a project registered on the portal, a role
    and dates (`date_to` empty: still there)."""

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="experiences")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("国家"))
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("项目")
    )
    role = models.CharField(_("担任职务"), max_length=100)
    date_from = models.DateField(_("开始日期"))
    date_to = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("海外经历")
        verbose_name_plural = _("海外经历")
        ordering = ["-date_from", "id"]
        indexes = [models.Index(fields=["country", "profile"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=F("date_from")), name="talent_experience_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.role}"


class ContactView(models.Model):
    """One view of a profile's contact details: who (and for which organisation), when. The
    person reads this log on their profile page ("谁查看了我的联系方式")."""

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="contact_views")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("查看人")
    )
    viewer_organization = models.ForeignKey(
        "portal.Organization", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("查看单位")
    )
    viewed_at = models.DateTimeField(_("查看时间"), default=timezone.now)

    class Meta:
        verbose_name = _("联系方式查看记录")
        verbose_name_plural = _("联系方式查看记录")
        ordering = ["-viewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.profile_id}"


class ConsentRecord(models.Model):
    """The person's consent given or withdrawn, with the version and the purpose text shown.
    Kept when consent is withdrawn; removed with the profile when the person deletes it."""

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="consent_records")
    action = models.CharField(_("操作"), max_length=10, choices=ConsentAction.choices)
    text_version = models.CharField(_("同意书版本"), max_length=20)
    purpose_text = models.TextField(_("告知的处理目的"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("授权同意记录")
        verbose_name_plural = _("授权同意记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.action} {self.text_version}"


# --- Openings (岗位) and applications ------------------------------------------------------


class OpeningQuerySet(ScopedQuerySet):
    """Open openings are public (talents find them); a closed one stays with its enterprise and
    the officials. The enterprise's members change their own."""

    def open(self) -> OpeningQuerySet:
        return self.filter(closed_at__isnull=True, closes_on__gte=timezone.localdate())

    def visible_to(self, user) -> OpeningQuerySet:
        if user is not None and user.is_authenticated and is_official(user):
            return self.all()
        visible = Q(closed_at__isnull=True, closes_on__gte=timezone.localdate())
        membership = membership_of(user) if user is not None and user.is_authenticated else None
        if membership is not None:
            visible |= Q(organization_id=membership.organization_id)
        return self.filter(visible)

    def editable_by(self, user) -> OpeningQuerySet:
        if user is None or not user.is_authenticated or not is_enterprise(user):
            return self.none()
        return self.filter(organization_id=membership_of(user).organization_id)


class Opening(models.Model):
    """A post an enterprise offers abroad (岗位), for one of its projects or for a country."""

    organization = models.ForeignKey(
        "portal.Organization", on_delete=models.CASCADE, related_name="openings", verbose_name=_("企业")
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="openings",
        verbose_name=_("项目"),
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("工作国家"))
    title = models.CharField(_("岗位名称"), max_length=100)
    requirements = models.TextField(_("任职要求"), max_length=3000, validators=[MaxLengthValidator(3000)])
    language = models.CharField(_("语言要求"), max_length=2, choices=LanguageCode.choices, blank=True)
    level = models.CharField(_("最低语言水平"), max_length=2, choices=CefrLevel.choices, blank=True)
    certificate = models.CharField(_("所需证书"), max_length=20, choices=CertificateKind.choices, blank=True)
    positions = models.PositiveSmallIntegerField(_("招聘人数"), default=1)
    closes_on = models.DateField(_("截止日期"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OpeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["country", "closes_on"], name="opening_country_closes")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and self.closes_on >= timezone.localdate()


class ApplicationQuerySet(ScopedQuerySet):
    """An application is the applicant's and the opening enterprise's (and the officials')."""

    def visible_to(self, user) -> ApplicationQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if is_official(user):
            return self.all()
        mine = Q(profile__owner=user)
        membership = membership_of(user)
        if membership is not None:
            mine |= Q(opening__organization_id=membership.organization_id)
        return self.filter(mine)

    def editable_by(self, user) -> ApplicationQuerySet:
        if user is None or not user.is_authenticated or not is_enterprise(user):
            return self.none()
        return self.filter(opening__organization_id=membership_of(user).organization_id)


class Application(models.Model):
    """A talent's application to an opening, moved by the enterprise through received,
    shortlisted, rejected or hired; both sides are told at each step."""

    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="applications", verbose_name=_("岗位"))
    profile = models.ForeignKey(
        TalentProfile, on_delete=models.CASCADE, related_name="applications", verbose_name=_("人才档案")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.RECEIVED
    )
    note = models.TextField(_("求职说明"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位申请")
        verbose_name_plural = _("岗位申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["opening", "profile"], name="application_once_per_opening"),
        ]

    def __str__(self) -> str:
        return f"{self.opening_id}: {self.profile_id}"
