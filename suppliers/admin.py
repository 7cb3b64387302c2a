"""Admin of the supplier library. Officials keep the categories, the certificates each
requires and the certificate kinds here. Applications, certificates and their history belong
to the workflow (suppliers/services.py): the admin shows them, the pages and the API move them."""

from django.contrib import admin

from portal.admin import ViewOnlyAdminMixin

from .models import Category, CategoryRequirement, Certificate, CertificateKind, Supplier, SupplierReview


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
