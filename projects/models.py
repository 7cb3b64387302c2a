"""The overseas project library: projects, their filing history, stage changes and
half-yearly reports; the exchange rates and subsidy tiers officials maintain; the annual
survey of intended projects."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.choices import OrganizationKind
from portal.files import PrivateFileField
from portal.models import Country, NamedInBothLanguages, Organization, ReviewHistory, ScopedQuerySet

from .choices import FIRST_YEAR, LAST_YEAR, BusinessModel, FilingStatus, Half, ReviewAction, Sector, Stage


class ExchangeRate(models.Model):
    """How many US dollars one unit of a currency is worth; officials keep these current."""

    currency = models.CharField(_("币种"), max_length=3, unique=True)
    usd_per_unit = models.DecimalField(_("折合美元"), max_digits=20, decimal_places=10)
    as_of = models.DateField(_("汇率日期"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("更新人")
    )

    class Meta:
        verbose_name = _("汇率")
        verbose_name_plural = _("汇率")
        ordering = ["currency"]
        constraints = [models.CheckConstraint(condition=Q(usd_per_unit__gt=0), name="exchange_rate_positive")]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.usd_per_unit} USD ({self.as_of})"


def figures_scope(user) -> bool | int:
    """The one rule for a project's private figures (contract values and staff numbers).

    True: every project's (officials); an organisation id: that enterprise's own projects (its
    members); False: none (the public, suppliers, people without an organisation). The API,
    the pages, the filters and the Excel export all decide through this function, by way of
    `ProjectQuerySet.with_figures_for` / `with_visible_figures` or `figures_visible`.
    """
    if user is None or not user.is_authenticated:
        return False
    if user.is_official:
        return True
    membership = user.org_membership
    if membership is None or membership.organization.kind != OrganizationKind.ENTERPRISE:
        return False
    return membership.organization_id


def figures_visible(user, organization_id: int) -> bool:
    """Whether `user` may see the figures of a project of `organization_id` (figures_scope)."""
    scope = figures_scope(user)
    return scope is True or (scope is not False and scope == organization_id)


class ProjectQuerySet(ScopedQuerySet):
    def with_figures_for(self, user) -> ProjectQuerySet:
        """Annotate each project with `figures_visible`: whether `user` may see its figures."""
        scope = figures_scope(user)
        if isinstance(scope, bool):
            expression = Value(scope, output_field=models.BooleanField())
        else:
            expression = ExpressionWrapper(Q(organization_id=scope), output_field=models.BooleanField())
        return self.annotate(figures_visible=expression)

    def with_visible_figures(self, user) -> ProjectQuerySet:
        """Only the projects whose figures `user` may see: a filter on contract values goes
        through this, so that it cannot probe anyone else's figures."""
        scope = figures_scope(user)
        if scope is True:
            return self
        if scope is False:
            return self.none()
        return self.filter(organization_id=scope)

    def visible_to(self, user) -> ProjectQuerySet:
        """Officials see every project; an organisation its own; everyone else approved ones."""
        if user.is_authenticated and user.is_official:
            return self.all()
        membership = user.org_membership if user.is_authenticated else None
        if membership is None:
            return self.filter(filing_status=FilingStatus.APPROVED)
        return self.filter(Q(filing_status=FilingStatus.APPROVED) | Q(organization_id=membership.organization_id))

    def editable_by(self, user) -> ProjectQuerySet:
        """Any member of the owning organisation may edit its projects (workflow rules apply)."""
        membership = user.org_membership if user.is_authenticated else None
        if membership is None:
            return self.none()
        return self.filter(organization_id=membership.organization_id)


class Project(NamedInBothLanguages, models.Model):
    """An overseas contracting or investment project of an enterprise, filed with the agency."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="projects", verbose_name=_("企业")
    )
    name = models.CharField(_("项目名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="projects", verbose_name=_("国家"))
    location = models.CharField(_("项目地点"), max_length=200, blank=True)
    sector = models.CharField(_("行业"), max_length=20, choices=Sector.choices)
    business_model = models.CharField(_("业务模式"), max_length=30, choices=BusinessModel.choices)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.INTENDED)
    contract_value = models.DecimalField(
        _("合同金额"), max_digits=18, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("币种"), max_length=3, blank=True)
    contract_value_usd = models.DecimalField(
        _("合同金额（美元）"), max_digits=18, decimal_places=2, null=True, blank=True, editable=False
    )
    start_date = models.DateField(_("开工日期"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工日期"), null=True, blank=True)
    chinese_staff = models.PositiveIntegerField(_("中方人员"), default=0)
    local_staff = models.PositiveIntegerField(_("外籍（当地）人员"), default=0)
    embassy_registered = models.BooleanField(_("已在驻外使（领）馆报到登记"), default=False)
    embassy_registered_on = models.DateField(_("报到登记日期"), null=True, blank=True)
    description = models.TextField(_("项目简介"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)])
    filing_status = models.CharField(
        _("备案状态"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    # Lower-cased names and location plus their single characters and character pairs, so that
    # a GIN index on its tsvector finds Chinese substrings of any length (see projects/search.py).
    search_text = models.TextField(editable=False, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    # Changing one of these on an approved project sends it back to review.
    KEY_FIELDS = ("country_id", "sector", "business_model", "contract_value", "currency")

    class Meta:
        verbose_name = _("海外项目")
        verbose_name_plural = _("海外项目")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(contract_value__gte=0), name="project_value_not_negative"),
            models.CheckConstraint(
                condition=Q(contract_value__isnull=True) | ~Q(currency=""), name="project_value_has_currency"
            ),
            models.CheckConstraint(
                condition=Q(planned_completion__isnull=True)
                | Q(start_date__isnull=True)
                | Q(planned_completion__gte=models.F("start_date")),
                name="project_completion_after_start",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values) & Q(filing_status__in=FilingStatus.values),
                name="project_stage_and_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["country", "stage", "-id"], name="project_country_stage"),
            models.Index(fields=["filing_status", "submitted_at"], name="project_review_queue"),
            models.Index(fields=["organization", "-id"], name="project_by_org"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectReview(ReviewHistory):
    """One step of a project's filing history: submitted, approved, returned, withdrawn."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("项目"))
    action = models.CharField(_("操作"), max_length=20, choices=ReviewAction.choices)

    class Meta(ReviewHistory.Meta):
        verbose_name = _("备案审核记录")
        verbose_name_plural = _("备案审核记录")

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class ProjectStageChange(models.Model):
    """A change of a project's stage, with who made it and when."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("项目"))
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("操作人"))
    changed_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage}"


class ProjectReportQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> ProjectReportQuerySet:
        """Reports are the enterprise's and the officials'; the public never sees them."""
        if not user.is_authenticated:
            return self.none()
        if user.is_official:
            return self.all()
        membership = user.org_membership
        if membership is None:
            return self.none()
        return self.filter(project__organization_id=membership.organization_id)

    def editable_by(self, user) -> ProjectReportQuerySet:
        """The reporting enterprise's members; officials read reports but do not change them."""
        membership = user.org_membership if user.is_authenticated else None
        if membership is None:
            return self.none()
        return self.filter(project__organization_id=membership.organization_id)


class ProjectReport(models.Model):
    """A half-yearly report on an approved project: revenue (完成营业额), new contracts, staff."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports", verbose_name=_("项目"))
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    half = models.PositiveSmallIntegerField(_("半年"), choices=Half.choices)
    revenue_usd = models.DecimalField(
        _("完成营业额（美元）"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )
    new_contracts_usd = models.DecimalField(
        _("新签合同额（美元）"), max_digits=18, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    chinese_staff = models.PositiveIntegerField(_("中方人员"), default=0)
    local_staff = models.PositiveIntegerField(_("外籍（当地）人员"), default=0)
    notes = models.TextField(_("说明"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("填报时间"), default=timezone.now)

    objects = ProjectReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目半年报")
        verbose_name_plural = _("项目半年报")
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "half"], name="report_once_per_half"),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="report_half_valid"),
            models.CheckConstraint(
                condition=Q(revenue_usd__gte=0) & Q(new_contracts_usd__gte=0), name="report_values_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}H{self.half}"


class ProjectReportRevision(models.Model):
    """A correction of a filed half-yearly report: the values it had before, who changed them
    and when (services.report_correct). Shown beside the report; never edited."""

    report = models.ForeignKey(
        ProjectReport, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("半年报")
    )
    previous = models.JSONField(_("更正前的数值"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("更正时间"), default=timezone.now)

    class Meta:
        verbose_name = _("半年报更正记录")
        verbose_name_plural = _("半年报更正记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class SubsidyTier(models.Model):
    """One tier of the overseas-contracting subsidy (seed 002, section 十). Data, not code:
    officials change amounts and thresholds in the admin."""

    name = models.CharField(_("名称"), max_length=100)
    first_time_only = models.BooleanField(_("仅限首次开展业务"), default=False)
    requires_growth = models.BooleanField(_("要求营业额比上年增长"), default=False)
    min_revenue_usd = models.DecimalField(_("营业额下限（美元）"), max_digits=18, decimal_places=2)
    min_inclusive = models.BooleanField(_("含下限"), default=True)
    max_revenue_usd = models.DecimalField(
        _("营业额上限（美元，含）"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    amount_cny = models.DecimalField(_("资助金额（元）"), max_digits=14, decimal_places=2)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("资助档位")
        verbose_name_plural = _("资助档位")
        ordering = ["min_revenue_usd"]

    def __str__(self) -> str:
        return self.name


class IntendedProjectSurvey(models.Model):
    """The annual survey of intended overseas investment (seed 001, item 16)."""

    year = models.PositiveSmallIntegerField(
        _("年度"), unique=True, validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("发起人")
    )
    reminded_at = models.DateTimeField(_("提醒发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("意向项目年度调查")
        verbose_name_plural = _("意向项目年度调查")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gt=models.F("opens_on")), name="survey_closes_after_open")
        ]

    def __str__(self) -> str:
        return str(self.year)


class SurveyResponse(models.Model):
    """An enterprise's answer to a survey: it confirmed or updated its intended projects."""

    survey = models.ForeignKey(
        IntendedProjectSurvey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("调查")
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("企业"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), default=timezone.now)

    class Meta:
        verbose_name = _("调查答复")
        verbose_name_plural = _("调查答复")
        constraints = [models.UniqueConstraint(fields=["survey", "organization"], name="survey_response_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.organization_id}"


# --- Emergency plans and drills (应急预案与演练) ---------------------------------------------


class ProjectOwnedQuerySet(ScopedQuerySet):
    """Records of a project that are the enterprise's and the officials' (never the public's):
    officials read them all, the enterprise's members read and keep their own."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_official:
            return self.all()
        membership = user.org_membership
        if membership is None:
            return self.none()
        return self.filter(project__organization_id=membership.organization_id)

    def editable_by(self, user):
        membership = user.org_membership if user.is_authenticated else None
        if membership is None or user.is_official:
            return self.none()
        return self.filter(project__organization_id=membership.organization_id)


class EmergencyPlan(models.Model):
    """A project's emergency plan (安全风险处置应急预案): the file and what everyone on site must
    find at once. Saving it counts as its review."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="emergency_plan", verbose_name=_("项目")
    )
    contacts = models.TextField(_("应急联系人"), validators=[MaxLengthValidator(2000)])
    evacuation_routes = models.TextField(_("撤离路线"), validators=[MaxLengthValidator(2000)])
    embassy = models.TextField(_("最近的使（领）馆"), validators=[MaxLengthValidator(1000)])
    hospitals = models.TextField(_("就近医院"), validators=[MaxLengthValidator(1000)])
    file = PrivateFileField(_("预案文件"))
    reviewed_on = models.DateField(_("最近修订日期"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project}"

    @property
    def organization(self) -> Organization:
        return self.project.organization

    @property
    def title(self) -> str:
        """The download's name."""
        return f"{self.project.name} 应急预案"


class EmergencyDrill(models.Model):
    """A drill of a project's emergency plan (应急演练): when, how many took part, what was learnt."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="drills", verbose_name=_("项目"))
    held_on = models.DateField(_("演练日期"))
    participants = models.PositiveIntegerField(_("参与人数"), validators=[MinValueValidator(1)])
    findings = models.TextField(_("发现的问题与改进"), blank=True, validators=[MaxLengthValidator(2000)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ProjectOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["project", "-held_on"], name="drill_project_date")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.held_on}"

    @property
    def organization(self) -> Organization:
        return self.project.organization


class PlanObligation(models.Model):
    """A duty to bring a project's plan up to date, opened when its country's level rises to 3
    or 4 and closed when the plan is saved; reminded 14, 7 and 1 days before it is due."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="plan_obligations", verbose_name=_("项目")
    )
    level = models.PositiveSmallIntegerField(_("触发时的风险等级"))
    due_on = models.DateField(_("截止日期"))
    opened_at = models.DateTimeField(_("产生时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ProjectOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急预案更新任务")
        verbose_name_plural = _("应急预案更新任务")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(closed_at__isnull=True), name="plan_obligation_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.due_on}"

    @property
    def organization(self) -> Organization:
        return self.project.organization
