"""Admin of the risk part. Levels and ratings are changed through the API and pages (the
services keep the history and the reason); the admin reads them."""

from django.contrib import admin

from portal.admin import ViewOnlyAdminMixin

from .models import (
    BulletinHistory,
    CountryRisk,
    CountryRiskChange,
    Follow,
    NegativeCase,
    ReferenceRating,
    ReferenceRatingChange,
    RiskBulletin,
    RollCall,
    RollCallEntry,
    RollCallReport,
)


class ReferenceRatingInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = ReferenceRating
    extra = 0


@admin.register(CountryRisk)
class CountryRiskAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["country", "level", "reviewed_at", "reviewed_by"]
    list_filter = ["level", "country__region"]
    search_fields = ["country__code", "country__name_zh", "country__name_en"]
    list_select_related = ["country", "reviewed_by"]
    inlines = [ReferenceRatingInline]


@admin.register(CountryRiskChange)
class CountryRiskChangeAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["country_risk", "old_level", "new_level", "actor", "created_at"]
    list_filter = ["new_level"]
    list_select_related = ["country_risk", "actor"]


@admin.register(ReferenceRatingChange)
class ReferenceRatingChangeAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["rating", "old_grade", "new_grade", "as_of", "actor", "created_at"]
    list_select_related = ["rating", "actor"]


@admin.register(NegativeCase)
class NegativeCaseAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Cases are kept on the pages and the API (/risk/cases/), where the rules and the audit are."""

    list_display = ["title", "country", "category", "sector", "occurred_on", "created_by"]
    list_filter = ["category", "sector", "country__region"]
    search_fields = ["title", "summary", "country__name_zh", "country__code"]
    list_select_related = ["country", "created_by"]
    date_hierarchy = "occurred_on"


class BulletinHistoryInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = BulletinHistory
    extra = 0


@admin.register(RiskBulletin)
class RiskBulletinAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Bulletins are drafted, published and cancelled on the pages and the API (the workflow
    keeps the history and alerts the audience); the admin reads them."""

    list_display = ["title", "category", "severity", "status", "published_at", "expires_at"]
    list_filter = ["status", "severity", "category"]
    search_fields = ["title", "body"]
    list_select_related = ["published_by"]
    inlines = [BulletinHistoryInline]


@admin.register(Follow)
class FollowAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "country", "category", "created_at"]
    list_filter = ["category"]
    list_select_related = ["user", "country"]


@admin.register(RollCall)
class RollCallAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Roll-calls are opened, reported on and closed on the pages and the API (the services
    keep every report and freeze the figures); the admin reads them."""

    list_display = ["title", "severity", "status", "starts_at", "ends_at", "opened_by", "closed_at"]
    list_filter = ["status", "severity"]
    search_fields = ["title"]
    list_select_related = ["opened_by"]


@admin.register(RollCallEntry)
class RollCallEntryAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["rollcall", "organization", "project", "status", "injured", "missing", "reported_at"]
    list_filter = ["status"]
    search_fields = ["organization__name", "project__name"]
    list_select_related = ["rollcall", "organization", "project"]


@admin.register(RollCallReport)
class RollCallReportAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["entry", "status", "injured", "missing", "evacuated", "reported_by", "reported_at"]
    list_filter = ["status"]
    list_select_related = ["entry", "reported_by"]
