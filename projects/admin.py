"""Admin of the project library. The filing workflow and its history are shown here, never
moved or rewritten; rates are set through their service (see portal/admin.py)."""

from django.contrib import admin

from portal.admin import ServiceAdminMixin, ServiceModelForm, ViewOnlyAdminMixin

from . import services
from .models import (
    EmergencyDrill,
    EmergencyPlan,
    ExchangeRate,
    IntendedProjectSurvey,
    PlanObligation,
    Project,
    ProjectReport,
    ProjectReportRevision,
    ProjectReview,
    ProjectStageChange,
    SubsidyTier,
    SurveyResponse,
)


class ProjectReviewInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = ProjectReview
    extra = 0
    fields = ["action", "actor", "comment", "created_at"]


class ProjectStageChangeInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = ProjectStageChange
    extra = 0
    fields = ["from_stage", "to_stage", "actor", "changed_at"]


# Every field of a project belongs to the filing workflow in projects/services.py: the filing
# status and its dates are the workflow itself, a key field changed on an approved project
# sends it back to review, the USD value and search text are derived on save, a stage change
# is history. So the admin shows projects and their history; enterprises edit them and
# officials review them through the pages and the API.
@admin.register(Project)
class ProjectAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organization", "country", "sector", "stage", "filing_status", "contract_value_usd"]
    list_filter = ["filing_status", "stage", "sector", "business_model", "country__region"]
    list_select_related = ["organization", "country"]
    search_fields = ["name", "name_en", "location", "organization__name"]
    inlines = [ProjectReviewInline, ProjectStageChangeInline]


@admin.register(ProjectReview)
class ProjectReviewAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "action", "actor", "created_at"]
    list_filter = ["action"]
    list_select_related = ["project", "actor"]
    search_fields = ["project__name", "actor__username"]


@admin.register(ProjectStageChange)
class ProjectStageChangeAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "from_stage", "to_stage", "actor", "changed_at"]
    list_filter = ["to_stage"]
    list_select_related = ["project", "actor"]
    search_fields = ["project__name", "actor__username"]


class ProjectReportRevisionInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = ProjectReportRevision
    extra = 0
    fields = ["previous", "actor", "created_at"]


# A report is filed and corrected by its enterprise (services.report_create, report_correct),
# each correction keeping the values it replaced: an edit here would leave no such trace.
@admin.register(ProjectReport)
class ProjectReportAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "year", "half", "revenue_usd", "new_contracts_usd", "chinese_staff", "local_staff"]
    list_filter = ["year", "half"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "created_by"]
    inlines = [ProjectReportRevisionInline]


class ExchangeRateForm(ServiceModelForm):
    """Saves through `exchange_rate_set`, which checks the currency, the rate and the actor:
    a rate is an official's decision, so the admin user needs the review permission here as
    in the API (a superuser without it sees the service's refusal on the form)."""

    def save_through_service(self, actor):
        data = self.cleaned_data
        return services.exchange_rate_set(
            actor=actor,
            currency=data.get("currency", self.instance.currency),
            usd_per_unit=data["usd_per_unit"],
            as_of=data["as_of"],
            source=data["source"],
        )


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = ExchangeRateForm
    list_display = ["currency", "usd_per_unit", "as_of", "source", "updated_at", "updated_by"]
    search_fields = ["currency"]
    fields = ["currency", "usd_per_unit", "as_of", "source", "updated_by"]

    def get_readonly_fields(self, request, obj=None):
        # A saved rate keeps its currency: the service sets rates by currency.
        return ["currency", "updated_by"] if obj is not None else ["updated_by"]

    def has_delete_permission(self, request, obj=None):
        # No service deletes a rate: without one every project in that currency fails to save.
        return False


@admin.register(SubsidyTier)
class SubsidyTierAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "first_time_only",
        "requires_growth",
        "min_revenue_usd",
        "max_revenue_usd",
        "amount_cny",
        "active",
    ]
    list_editable = ["active"]


class SurveyResponseInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = SurveyResponse
    extra = 0
    fields = ["organization", "confirmed_by", "confirmed_at"]


@admin.register(IntendedProjectSurvey)
class IntendedProjectSurveyAdmin(admin.ModelAdmin):
    list_display = ["year", "opens_on", "closes_on", "reminded_at"]
    readonly_fields = ["reminded_at"]  # the reminder task's
    inlines = [SurveyResponseInline]


# An enterprise's confirmation of a survey is history (survey_respond writes it).
@admin.register(SurveyResponse)
class SurveyResponseAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["survey", "organization", "confirmed_by", "confirmed_at"]
    list_select_related = ["survey", "organization", "confirmed_by"]
    search_fields = ["organization__name"]


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Plans are kept by the enterprise on the project's emergency page (the service closes
    obligations and replaces files); the admin reads them."""

    list_display = ["project", "reviewed_on", "updated_by", "updated_at"]
    search_fields = ["project__name"]
    list_select_related = ["project", "updated_by"]


@admin.register(EmergencyDrill)
class EmergencyDrillAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "held_on", "participants", "created_by"]
    list_select_related = ["project", "created_by"]
    date_hierarchy = "held_on"


@admin.register(PlanObligation)
class PlanObligationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "level", "due_on", "opened_at", "closed_at"]
    list_filter = ["level"]
    list_select_related = ["project"]
