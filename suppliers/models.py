"""The preferred supplier library (优质供应商库): categories and the certificates each
requires (data officials keep), a supplier's application and, once approved, its entry in the
public directory, its certificates and the history of every decision on it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.choices import AgencyPermission
from portal.files import PrivateFileField
from portal.models import (
    Country,
    NamedInBothLanguages,
    Organization,
    OrganizationOwnedQuerySet,
    ReviewHistory,
    ScopedQuerySet,
)

from .choices import EventStatus, RegistrationStatus, ReviewAction, SupplierStatus


class PublicQuerySet(ScopedQuerySet):
    """Reference data everyone reads; officials change it in the admin, never through the API."""

    def visible_to(self, user) -> PublicQuerySet:
        return self.all()


class CertificateKind(NamedInBothLanguages, models.Model):
    """A kind of qualification or certificate a supplier may hold (CMA, 安全生产许可证, ...)."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    description = models.TextField(_("说明"), blank=True, max_length=1000, validators=[MaxLengthValidator(1000)])

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("证书种类")
        verbose_name_plural = _("证书种类")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Category(NamedInBothLanguages, models.Model):
    """A supplier category (专业承包、绿色建材、装备制造、劳务分包、法务、税务 ...). Data: officials
    rename categories, add them and change the certificates they require in the admin."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("可申请"), default=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("供应商类别")
        verbose_name_plural = _("供应商类别")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class CategoryRequirement(models.Model):
    """One certificate a category requires: any one of `kinds` satisfies it (testing requires
    CMA or CNAS; labour subcontracting a labour-dispatch or a construction-labour qualification)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("类别")
    )
    kinds = models.ManyToManyField(CertificateKind, related_name="requirements", verbose_name=_("可接受的证书"))

    class Meta:
        verbose_name = _("类别所需证书")
        verbose_name_plural = _("类别所需证书")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.category_id}#{self.pk}"


class SupplierQuerySet(OrganizationOwnedQuerySet):
    def visible_to(self, user) -> SupplierQuerySet:
        """Officials see every supplier; a supplier its own; everyone the listed ones."""
        if user.is_authenticated and user.is_official:
            return self.all()
        membership = user.org_membership if user.is_authenticated else None
        if membership is None:
            return self.listed()
        return self.filter(Q(status=SupplierStatus.APPROVED) | Q(organization_id=membership.organization_id))

    def listed(self) -> SupplierQuerySet:
        """The public directory: approved suppliers (suspended and revoked ones are not listed)."""
        return self.filter(status=SupplierStatus.APPROVED)

    def applications_for(self, user) -> SupplierQuerySet:
        """Applications with their history: the applicant's own, and every one for officials."""
        if user.is_authenticated and user.is_official:
            return self.all()
        return self._own(user)


class Supplier(models.Model):
    """A supplier organisation's application to the library and, once approved, its entry in
    the directory: categories, countries served, capacity, references, contacts, products.
    One per organisation; its status moves through the workflow (suppliers/workflow.py)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="supplier", verbose_name=_("供应商")
    )
    status = models.CharField(_("状态"), max_length=20, choices=SupplierStatus.choices, default=SupplierStatus.DRAFT)
    categories = models.ManyToManyField(Category, related_name="suppliers", blank=True, verbose_name=_("类别"))
    countries_served = models.ManyToManyField(Country, related_name="suppliers", blank=True, verbose_name=_("服务国家"))
    description = models.TextField(_("企业简介"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)])
    capacity = models.TextField(_("供应能力"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    references = models.TextField(
        _("业绩与参考项目"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)]
    )
    products = models.TextField(_("主要产品与服务"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    stars = models.PositiveSmallIntegerField(
        _("星级"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)], editable=False
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("入库时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("最近决定时间"), null=True, blank=True)
    # The period of the current suspension or revocation (grounds are in the history).
    sanction_from = models.DateField(_("处理起始日期"), null=True, blank=True)
    sanction_until = models.DateField(_("处理截止日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        verbose_name = _("供应商")
        verbose_name_plural = _("供应商")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SupplierStatus.values), name="supplier_status_valid"),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__gte=1, stars__lte=5), name="supplier_stars_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(sanction_until__isnull=True)
                | Q(sanction_from__isnull=True)
                | Q(sanction_until__gte=models.F("sanction_from")),
                name="supplier_sanction_until_after_from",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="supplier_review_queue"),
        ]

    def __str__(self) -> str:
        return self.organization.name if self.organization_id else str(self.pk)

    @property
    def name(self) -> str:
        return self.organization.name

    @property
    def display_name(self) -> str:
        return self.organization.display_name


class CertificateQuerySet(OrganizationOwnedQuerySet):
    """Certificates and their scans are the supplier's and the officials'; nobody else's."""

    organization_field = "supplier__organization"


class Certificate(models.Model):
    """A supplier's qualification certificate with its scan (a private PDF, JPEG or PNG)."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("供应商")
    )
    kind = models.ForeignKey(
        CertificateKind, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("证书种类")
    )
    number = models.CharField(_("证书编号"), max_length=100)
    issuer = models.CharField(_("发证机关"), max_length=200)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))
    file = PrivateFileField(_("证书文件"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("供应商证书")
        verbose_name_plural = _("供应商证书")
        ordering = ["valid_until", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="certificate_until_after_from"
            ),
        ]
        indexes = [models.Index(fields=["valid_until"], name="certificate_expiry")]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"

    @property
    def organization(self) -> Organization:
        return self.supplier.organization

    @property
    def title(self) -> str:
        """The download's name: the kind and the number."""
        return f"{self.kind.name} {self.number}"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_until


class SupplierReview(ReviewHistory):
    """One step of a supplier's history: submitted, returned with questions, approved, rejected
    with a reason, suspended / revoked with grounds and a period, reinstated. Never edited."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="history", verbose_name=_("供应商"))
    action = models.CharField(_("操作"), max_length=20, choices=ReviewAction.choices)
    period_from = models.DateField(_("起始日期"), null=True, blank=True)
    period_until = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta(ReviewHistory.Meta):
        verbose_name = _("供应商审核记录")
        verbose_name_plural = _("供应商审核记录")

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.action}"


# --- Ratings, supply chains, performance reviews ---------------------------------------------


class RatingCriterion(NamedInBothLanguages, models.Model):
    """A criterion officials score (1-5) when they set a supplier's star rating (星级评定,
    seed 004 五): qualification, product quality, capacity ... Data, kept in the admin."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("星级评定指标")
        verbose_name_plural = _("星级评定指标")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SupplierRating(models.Model):
    """An official's star rating of a supplier: the stars, the score of each criterion and a
    comment. The latest one is the supplier's `stars`; the earlier ones stay as its history."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("供应商"))
    stars = models.PositiveSmallIntegerField(_("星级"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    scores = models.JSONField(_("各项评分"), default=dict)
    comment = models.TextField(_("评定意见"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("评定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5")]

    def __str__(self) -> str:
        return f"{self.supplier_id}: {self.stars}"


class SupplyChainQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> SupplyChainQuerySet:
        """Officials see every supply chain; an enterprise its projects'; a supplier the links
        that name it."""
        if not user.is_authenticated:
            return self.none()
        if user.is_official:
            return self.all()
        membership = user.org_membership
        if membership is None:
            return self.none()
        org = membership.organization_id
        return self.filter(Q(project__organization_id=org) | Q(supplier__organization_id=org))

    def editable_by(self, user) -> SupplyChainQuerySet:
        membership = user.org_membership if user.is_authenticated else None
        if membership is None:
            return self.none()
        return self.filter(project__organization_id=membership.organization_id)


class SupplyChainLink(models.Model):
    """A preferred supplier recorded on an enterprise's project (the project's supply chain,
    seed 000 一: 总包、分包、供应): for which category, what scope, the contract value, the dates."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="supply_chain", verbose_name=_("项目")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="supply_links", verbose_name=_("供应商")
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别"))
    scope = models.CharField(_("供应范围"), max_length=500, blank=True)
    contract_value = models.DecimalField(
        _("合同金额"), max_digits=18, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("币种"), max_length=3, blank=True)
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = SupplyChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目供应链")
        verbose_name_plural = _("项目供应链")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "supplier", "category"], name="supply_link_once"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="supply_link_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(contract_value__isnull=True) | Q(contract_value__gte=0), name="supply_link_value_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} ← {self.supplier_id}"

    @property
    def organization(self) -> Organization:
        return self.project.organization


# The criteria of a performance review: each a 1-5 score column of PerformanceReview.
REVIEW_CRITERIA = ("quality", "delivery", "compliance", "communication")


def _score_field(label):
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(5)])


class PerformanceReviewQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> PerformanceReviewQuerySet:
        """Signed-in users read reviews (the public reads the averages in the directory)."""
        if not user.is_authenticated:
            return self.none()
        return self.all()

    def editable_by(self, user) -> PerformanceReviewQuerySet:
        membership = user.org_membership if user.is_authenticated else None
        if membership is None:
            return self.none()
        return self.filter(organization_id=membership.organization_id)


class PerformanceReview(models.Model):
    """An enterprise's review of a supplier's performance on one of its projects on which the
    supplier is recorded: quality, delivery, compliance, communication (1-5) and a comment.
    One per supplier and project."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("供应商"))
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("项目"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("评价企业")
    )
    quality = _score_field(_("质量"))
    delivery = _score_field(_("交付"))
    compliance = _score_field(_("合规"))
    communication = _score_field(_("沟通"))
    comment = models.TextField(_("评价"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    objects = PerformanceReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("履约评价")
        verbose_name_plural = _("履约评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "project"], name="performance_review_once"),
            *(
                models.CheckConstraint(condition=Q(**{f"{c}__gte": 1, f"{c}__lte": 5}), name=f"review_{c}_1_to_5")
                for c in REVIEW_CRITERIA
            ),
        ]
        indexes = [models.Index(fields=["supplier", "created_at"], name="performance_review_period")]

    def __str__(self) -> str:
        return f"{self.supplier_id}@{self.project_id}"


class ScorecardCriterion(NamedInBothLanguages, models.Model):
    """The weight of one review criterion in the performance score (ERPNext's supplier
    scorecard). Data: the weights of the four sum to 100, checked where they are changed."""

    code = models.CharField(
        _("指标"), max_length=20, unique=True, choices=[(c, c) for c in REVIEW_CRITERIA], editable=False
    )
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    weight = models.PositiveSmallIntegerField(_("权重"), validators=[MaxValueValidator(100)])

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("履约评分指标")
        verbose_name_plural = _("履约评分指标")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ScorecardStanding(NamedInBothLanguages, models.Model):
    """A standing for a performance score (0-30 very poor, 30-50 poor, 50-80 average, 80-100
    excellent): from `min_score` (inclusive) up to the next standing. Data."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    min_score = models.DecimalField(
        _("最低分"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    flag_to_reviewers = models.BooleanField(_("提醒审核人员"), default=False)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("履约评分等级")
        verbose_name_plural = _("履约评分等级")
        ordering = ["min_score"]
        constraints = [models.UniqueConstraint(fields=["min_score"], name="standing_min_score_once")]

    def __str__(self) -> str:
        return self.name


# --- Matchmaking events (对接会) ----------------------------------------------------------------


class MatchmakingEventQuerySet(ScopedQuerySet):
    """Published and cancelled events are public; drafts only for officials with `review`."""

    def visible_to(self, user) -> MatchmakingEventQuerySet:
        if user.is_authenticated and user.has_agency_permission(AgencyPermission.REVIEW):
            return self.all()
        return self.exclude(status=EventStatus.DRAFT)

    def editable_by(self, user) -> MatchmakingEventQuerySet:
        if user.is_authenticated and user.has_agency_permission(AgencyPermission.REVIEW):
            return self.all()
        return self.none()


class MatchmakingEvent(models.Model):
    """A matchmaking event with firms in a key country: who is invited follows from its country,
    categories and sectors; capacity counts attendees (each registration names how many)."""

    title = models.CharField(_("对接会名称"), max_length=200)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="matchmaking_events", verbose_name=_("国家")
    )
    city = models.CharField(_("城市"), max_length=100)
    venue = models.CharField(_("地点"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)])
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    registration_deadline = models.DateTimeField(_("报名截止时间"))
    categories = models.ManyToManyField(
        Category, related_name="matchmaking_events", blank=True, verbose_name=_("供应商类别")
    )
    # Project sectors (projects.choices.Sector values) the event is about; JSON, as the trainings' topics.
    sectors = models.JSONField(_("行业"), default=list, blank=True)
    capacity = models.PositiveIntegerField(
        _("名额（人）"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    # RFC 5545 SEQUENCE: bumped on every change after publishing (portal/calendar.py).
    sequence = models.PositiveIntegerField(_("日历版本号"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = MatchmakingEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("对接会")
        verbose_name_plural = _("对接会")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="matchmaking_ends_after_start",
                violation_error_message=_("结束时间须晚于开始时间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    def registration_open(self, now=None) -> bool:
        return self.is_published and (now or timezone.now()) < self.registration_deadline

    def sector_labels(self) -> list[str]:
        from projects.choices import Sector

        labels = dict(Sector.choices)
        return [str(labels.get(s, s)) for s in self.sectors]


class EventRegistrationQuerySet(ScopedQuerySet):
    """Reviewers see every registration; an organisation's members its own."""

    def visible_to(self, user) -> EventRegistrationQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.has_agency_permission(AgencyPermission.REVIEW):
            return self.all()
        membership = user.org_membership
        if membership is None or user.is_official:
            return self.none()
        return self.filter(organization_id=membership.organization_id)

    def editable_by(self, user) -> EventRegistrationQuerySet:
        return self.visible_to(user)

    def active(self) -> EventRegistrationQuerySet:
        return self.filter(status=RegistrationStatus.REGISTERED)


class EventRegistration(models.Model):
    """One organisation's registration for an event: how many attend, and whom to call."""

    event = models.ForeignKey(MatchmakingEvent, on_delete=models.CASCADE, related_name="registrations")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="matchmaking_registrations", verbose_name=_("单位")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("报名人")
    )
    attendees = models.PositiveSmallIntegerField(
        _("参会人数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    note = models.CharField(_("对接需求"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = EventRegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("对接会报名")
        verbose_name_plural = _("对接会报名")
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], name="matchmaking_one_registration_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.organization}"
