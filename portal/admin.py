"""Django admin for the portal's models, and the pieces every part's admin shares.

The admin goes through the services like every other door: history is shown and never
written (`ViewOnlyAdminMixin`), fields a workflow owns are read-only, actions call services,
and a save that carries a rule is a service call (`ServiceModelForm`).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    AuditEvent,
    Country,
    Delivery,
    ImportJob,
    Membership,
    Notification,
    NotificationPreference,
    Organization,
    User,
)

# The portal's name on every admin page, in the page's language (/admin/ Chinese, /en/admin/).
admin.site.site_header = _("走出去企业服务平台 · 管理后台")
admin.site.site_title = _("走出去企业服务平台管理后台")
admin.site.index_title = _("平台管理")


class ViewOnlyAdminMixin:
    """Shown in the admin, never added, changed or deleted there. For history (reviews, stage
    changes, audit events, what was sent to whom) and for records whose every field a
    workflow owns. No retention rule deletes history yet; when one does, it will be a task,
    not a click. Works for ModelAdmins and inlines."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose validation and save are one service call.

    ModelForm validates the instance in `_post_clean`; here the service takes that place, so
    the rule is decided once, its `ValidationError` lands on the form's fields and its
    `PermissionError` on the form, and a refused save re-renders the page instead of a 500.
    The admin runs the whole view in one transaction, so the write commits with the page.
    Subclasses implement `save_through_service(actor)` and return the saved instance;
    `ServiceAdminMixin` supplies `actor`.
    """

    actor = None

    def save_through_service(self, actor) -> models.Model:
        raise NotImplementedError

    def _post_clean(self):
        if self.errors:
            return
        try:
            self.instance = self.save_through_service(self.actor)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, error)
        except PermissionError as error:
            self.add_error(None, str(error))

    def save(self, commit=True):
        return self.instance  # the service saved it while validating

    def save_m2m(self):
        pass


class ServiceAdminMixin:
    """Hands the signed-in user to a `ServiceModelForm` and leaves the saving to it."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form)(form.__name__, (form,), {"actor": request.user, "__module__": form.__module__})

    def save_model(self, request, obj, form, change):
        pass  # saved by the form's service call


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    fk_name = "user"
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "display_name", "email", "organization_name", "is_active", "is_staff"]
    list_select_related = ["membership__organization"]
    search_fields = ["username", "display_name", "email", "membership__organization__name"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("平台"), {"fields": ["display_name"]}))

    @admin.display(description=_("组织"))
    def organization_name(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.organization.name if membership else "—"


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "province", "city", "verified_at", "created_at"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "name_en", "credit_code"]
    # verified_at belongs to the verification service (the action below).
    readonly_fields = ["verified_at", "webhook_secret", "created_at"]
    actions = ["mark_verified"]

    @admin.action(description=_("标记为已核验"), permissions=["change"])
    def mark_verified(self, request, queryset):
        count = 0
        try:
            for organization in queryset.filter(verified_at__isnull=True):
                services.organization_verify(actor=request.user, organization=organization)
                count += 1
        except PermissionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, _("已核验 %(n)d 个组织。") % {"n": count}, messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "can_review", "can_publish_risk", "can_organise_training"]
    list_filter = ["role", "organization__kind"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "alpha3", "name_zh", "name_en", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name_zh", "name_en"]


class DeliveryInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["channel", "status", "attempts", "last_error", "next_attempt_at", "enqueued_at", "sent_at", "created_at"]


# What someone was told and whether they read or acknowledged it is history: notify() writes it.
@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "requires_ack", "created_at", "read_at", "acknowledged_at"]
    list_filter = ["kind", "requires_ack"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username", "dedupe_key"]
    raw_id_fields = ["recipient"]
    inlines = [DeliveryInline]
    date_hierarchy = "created_at"


# The outbox is the workers' to write; the one thing an administrator does to it is requeue.
@admin.register(Delivery)
class DeliveryAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "notification", "channel", "status", "attempts", "next_attempt_at", "enqueued_at", "sent_at"]
    list_filter = ["channel", "status"]
    list_select_related = ["notification"]
    raw_id_fields = ["notification"]
    actions = ["requeue"]

    def has_requeue_permission(self, request):
        return request.user.has_perm("portal.change_delivery")

    @admin.action(description=_("重新排队发送"), permissions=["requeue"])
    def requeue(self, request, queryset):
        count = services.deliveries_requeue(
            actor=request.user, delivery_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(request, _("已重新排队 %(n)d 条（已发送的不重发）。") % {"n": count}, messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email", "webhook"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "organization", "action_label", "target_type", "target_id"]
    list_filter = ["action"]
    list_select_related = ["actor", "organization"]
    search_fields = ["action", "target_id", "actor__username"]


# A job is the worker's to write; the admin shows what was uploaded and what came of it.
@admin.register(ImportJob)
class ImportJobAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "organization", "created_by", "status", "total_rows", "created_count", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["organization", "created_by"]
    search_fields = ["organization__name", "created_by__username", "filename"]
    date_hierarchy = "created_at"
    exclude = ["file"]  # a private file has no URL; its name says nothing
