"""Admin of the project library. Workflow changes go through services (the API and pages)."""

from django.contrib import admin

from .models import (
    ExchangeRate,
    IntendedProjectSurvey,
    Project,
    ProjectReport,
    ProjectReview,
    ProjectStageChange,
    SubsidyTier,
    SurveyResponse,
)


class ProjectReviewInline(admin.TabularInline):
    model = ProjectReview
    extra = 0
    readonly_fields = ["action", "actor", "comment", "created_at"]
    can_delete = False


class ProjectStageChangeInline(admin.TabularInline):
    model = ProjectStageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "actor", "changed_at"]
    can_delete = False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "country", "sector", "stage", "filing_status", "contract_value_usd"]
    list_filter = ["filing_status", "stage", "sector", "business_model", "country__region"]
    list_select_related = ["organization", "country"]
    search_fields = ["name", "name_en", "location", "organization__name"]
    raw_id_fields = ["organization", "country", "created_by"]
    readonly_fields = ["filing_status", "submitted_at", "approved_at", "contract_value_usd", "created_at", "updated_at"]
    inlines = [ProjectReviewInline, ProjectStageChangeInline]


@admin.register(ProjectReport)
class ProjectReportAdmin(admin.ModelAdmin):
    list_display = ["project", "year", "half", "revenue_usd", "new_contracts_usd", "chinese_staff", "local_staff"]
    list_filter = ["year", "half"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "created_by"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "usd_per_unit", "as_of", "source", "updated_at", "updated_by"]
    search_fields = ["currency"]
    readonly_fields = ["updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


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


class SurveyResponseInline(admin.TabularInline):
    model = SurveyResponse
    extra = 0
    raw_id_fields = ["organization", "confirmed_by"]


@admin.register(IntendedProjectSurvey)
class IntendedProjectSurveyAdmin(admin.ModelAdmin):
    list_display = ["year", "opens_on", "closes_on", "reminded_at"]
    inlines = [SurveyResponseInline]


admin.site.register([ProjectReview, ProjectStageChange, SurveyResponse])
