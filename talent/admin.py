"""Admin of the talent part. The pool is view-only here: every write has a rule (consent,
withdrawal, deletion) that lives in talent/services.py, and the contact details are not shown,
since a view here would escape the contact-view log. The trainings' admin lives in
talent/trainings/admin.py."""

from django.contrib import admin

from portal.admin import ViewOnlyAdminMixin

from .models import (
    Application,
    ConsentRecord,
    ContactView,
    Opening,
    TalentCertificate,
    TalentExperience,
    TalentLanguage,
    TalentProfile,
)
from .trainings import admin as _trainings_admin  # noqa: F401


class LanguageInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = TalentLanguage
    extra = 0


class CertificateInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = TalentCertificate
    extra = 0


class ExperienceInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = TalentExperience
    extra = 0
    fields = ["country", "project", "role", "date_from", "date_to"]


class ConsentInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = ConsentRecord
    extra = 0
    fields = ["action", "text_version", "actor", "at"]


@admin.register(TalentProfile)
class TalentProfileAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["full_name", "occupation", "owner", "entered_by", "consent_at", "consent_withdrawn_at"]
    list_filter = ["education", ("consent_withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["full_name", "occupation"]
    list_select_related = ["owner", "entered_by"]
    exclude = ["phone", "email"]
    inlines = [LanguageInline, CertificateInline, ExperienceInline, ConsentInline]


@admin.register(ContactView)
class ContactViewAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["profile", "viewer", "viewer_organization", "viewed_at"]
    list_select_related = ["profile", "viewer", "viewer_organization"]
    search_fields = ["profile__full_name", "viewer__username"]


@admin.register(Opening)
class OpeningAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Openings are posted and closed by their enterprise on the pages and the API."""

    list_display = ["title", "organization", "country", "closes_on", "closed_at"]
    list_filter = ["country__region"]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization", "country"]


@admin.register(Application)
class ApplicationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["opening", "profile", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["opening", "profile"]
