"""Admin of the supplier library. Officials keep the categories, the certificates each
requires, the certificate kinds, the rating criteria and the scorecard (weights summing to 100,
standings) here. Applications, certificates and their history belong
to the workflow (suppliers/services.py): the admin shows them, the pages and the API move them."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.forms.models import BaseModelFormSet
from django.utils.translation import gettext as _

from portal.admin import ViewOnlyAdminMixin

from .models import (
    Category,
    CategoryRequirement,
    Certificate,
    CertificateKind,
    EventRegistration,
    MatchmakingEvent,
    PerformanceReview,
    RatingCriterion,
    ScorecardCriterion,
    ScorecardStanding,
    Supplier,
    SupplierRating,
    SupplierReview,
    SupplyChainLink,
)


class CategoryRequirementInline(admin.TabularInline):
    model = CategoryRequirement
    extra = 1
    fields = ["kinds"]
    verbose_name = CategoryRequirement._meta.verbose_name
    verbose_name_plural = CategoryRequirement._meta.verbose_name_plural


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["name", "name_en", "code"]
    inlines = [CategoryRequirementInline]


@admin.register(CertificateKind)
class CertificateKindAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code"]
    search_fields = ["name", "name_en", "code"]


class SupplierReviewInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = SupplierReview
    extra = 0
    fields = ["action", "actor", "comment", "period_from", "period_until", "created_at"]


class CertificateInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = Certificate
    extra = 0
    fields = ["kind", "number", "issuer", "valid_from", "valid_until", "created_at"]


@admin.register(Supplier)
class SupplierAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "status", "stars", "submitted_at", "approved_at"]
    list_filter = ["status", "categories", "stars"]
    list_select_related = ["organization"]
    search_fields = ["organization__name", "organization__name_en", "products"]
    inlines = [CertificateInline, SupplierReviewInline]


@admin.register(Certificate)
class CertificateAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["supplier", "kind", "number", "issuer", "valid_until"]
    list_filter = ["kind"]
    list_select_related = ["supplier__organization", "kind"]
    search_fields = ["number", "issuer", "supplier__organization__name"]
    exclude = ["file"]  # a private scan has no URL; it is downloaded from the application's page


@admin.register(SupplierReview)
class SupplierReviewAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["supplier", "action", "actor", "created_at"]
    list_filter = ["action"]
    list_select_related = ["supplier__organization", "actor"]
    search_fields = ["supplier__organization__name", "actor__username"]


@admin.register(RatingCriterion)
class RatingCriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "position", "active"]
    list_editable = ["position", "active"]


class WeightsFormSet(BaseModelFormSet):
    """The scorecard's weights are changed together, on the list, and must sum to 100."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        edited = {form.instance.pk: form.cleaned_data.get("weight", form.instance.weight) for form in self.forms}
        others = ScorecardCriterion.objects.exclude(pk__in=edited).aggregate(total=Sum("weight"))["total"] or 0
        total = others + sum(edited.values())
        if total != 100:
            raise ValidationError(_("各项权重之和必须为 100，当前为 %(total)s。") % {"total": total})


class WeightForm(forms.ModelForm):
    class Meta:
        model = ScorecardCriterion
        fields = ["name", "name_en", "weight"]

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if self.instance.pk and weight != self.instance.weight:
            others = (
                ScorecardCriterion.objects.exclude(pk=self.instance.pk).aggregate(total=Sum("weight"))["total"] or 0
            )
            if others + weight != 100:
                raise ValidationError(_("各项权重之和必须为 100：请在列表页同时调整各项权重。"))
        return weight


@admin.register(ScorecardCriterion)
class ScorecardCriterionAdmin(admin.ModelAdmin):
    form = WeightForm
    list_display = ["name", "name_en", "code", "weight"]
    list_editable = ["weight"]

    def has_add_permission(self, request):
        return False  # the four criteria are the review's four scores

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changelist_formset(self, request, **kwargs):
        return super().get_changelist_formset(request, formset=WeightsFormSet, **kwargs)


@admin.register(ScorecardStanding)
class ScorecardStandingAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "min_score", "flag_to_reviewers"]


@admin.register(SupplierRating)
class SupplierRatingAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["supplier", "stars", "rated_by", "created_at"]
    list_select_related = ["supplier__organization", "rated_by"]


@admin.register(SupplyChainLink)
class SupplyChainLinkAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "supplier", "category", "contract_value", "currency", "start_date", "end_date"]
    list_select_related = ["project", "supplier__organization", "category"]
    search_fields = ["project__name", "supplier__organization__name"]


@admin.register(PerformanceReview)
class PerformanceReviewAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["supplier", "project", "organization", "quality", "delivery", "compliance", "communication"]
    list_select_related = ["supplier__organization", "project", "organization"]


class EventRegistrationInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = EventRegistration
    fields = ["organization", "attendees", "contact_name", "contact_phone", "status", "created_at"]
    readonly_fields = fields


@admin.register(MatchmakingEvent)
class MatchmakingEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Events are created, published and cancelled on their pages (invitations, notices, the
    calendar's SEQUENCE); the admin shows them with their registrations."""

    list_display = ["title", "country", "city", "starts_at", "status", "capacity"]
    list_filter = ["status", "country"]
    search_fields = ["title", "city"]
    inlines = [EventRegistrationInline]
