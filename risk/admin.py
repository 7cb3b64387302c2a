"""Admin of the risk part. Levels and ratings are changed through the API and pages (the
services keep the history and the reason); the admin reads them."""

from django.contrib import admin

from portal.admin import ViewOnlyAdminMixin

from .models import CountryRisk, CountryRiskChange, NegativeCase, ReferenceRating, ReferenceRatingChange


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
