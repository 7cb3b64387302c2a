"""Admin of the trainings (imported by talent/admin.py)."""

from django.contrib import admin

from .models import AgendaItem, Enrollment, TrainingNoticeOptIn, TrainingSession


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    autocomplete_fields = ["countries", "negative_case"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "half", "starts_at", "capacity", "status"]
    list_filter = ["status", "year", "half"]
    search_fields = ["title", "venue"]
    readonly_fields = ["status", "sequence", "published_at", "cancelled_at", "created_by"]
    autocomplete_fields = ["countries"]
    inlines = [AgendaInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["session", "user", "organization", "status", "attended", "created_at"]
    list_filter = ["status", "attended"]
    search_fields = ["user__username", "user__display_name", "session__title"]
    raw_id_fields = ["session", "user", "organization"]
    readonly_fields = ["certificate_code", "check_in_code"]


@admin.register(TrainingNoticeOptIn)
class TrainingNoticeOptInAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
