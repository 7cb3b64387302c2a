"""Django admin for the portal's models. Changes that carry rules go through services."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AuditEvent, Country, Delivery, Membership, Notification, NotificationPreference, Organization, User


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
    readonly_fields = ["webhook_secret", "created_at"]
    actions = ["mark_verified"]

    @admin.action(description=_("标记为已核验"))
    def mark_verified(self, request, queryset):
        count = queryset.filter(verified_at__isnull=True).update(verified_at=timezone.now())
        for org in queryset:
            services.audit_record(actor=request.user, action="organization.verify", target=org)
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


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = [
        "channel",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "enqueued_at",
        "sent_at",
        "created_at",
    ]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "requires_ack", "created_at", "read_at", "acknowledged_at"]
    list_filter = ["kind", "requires_ack"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username", "dedupe_key"]
    raw_id_fields = ["recipient"]
    inlines = [DeliveryInline]
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "notification", "channel", "status", "attempts", "next_attempt_at", "enqueued_at", "sent_at"]
    list_filter = ["channel", "status"]
    list_select_related = ["notification"]
    raw_id_fields = ["notification"]
    actions = ["requeue"]

    @admin.action(description=_("重新排队发送"))
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
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "organization", "action", "target_type", "target_id"]
    list_filter = ["action"]
    list_select_related = ["actor", "organization"]
    search_fields = ["action", "target_id", "actor__username"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
