"""Serializers of the risk API: shape only; the rules are in risk/services.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.serializers import ServiceCheckMixin, add_check_errors
from portal.models import Country

from .. import bulletins as services_bulletins
from .. import services
from ..choices import AudienceReason, BulletinCategory, BulletinStatus
from ..models import (
    BulletinHistory,
    CountryRisk,
    CountryRiskChange,
    Follow,
    NegativeCase,
    ReferenceRating,
    RiskBulletin,
)


class ReferenceRatingSerializer(ServiceCheckMixin, serializers.ModelSerializer):
    source_label = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = ReferenceRating
        fields = ["id", "source", "source_label", "source_name", "grade", "scale_max", "as_of"]
        read_only_fields = ["id"]
        # Uniqueness is the service's (it updates the existing rating of the same source).
        validators = []

    def service_check(self, values: dict, errors: dict) -> None:
        try:
            services.rating_check(data=values, refused=tuple(errors))
        except DjangoValidationError as error:
            add_check_errors(errors, error)


class CountryRiskChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default="", read_only=True)

    class Meta:
        model = CountryRiskChange
        fields = ["old_level", "new_level", "reason", "changes", "actor", "created_at"]


class CountryRiskSerializer(ServiceCheckMixin, serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    name_zh = serializers.CharField(source="country.name_zh", read_only=True)
    name_en = serializers.CharField(source="country.name_en", read_only=True)
    region = serializers.CharField(source="country.region", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    ratings = ReferenceRatingSerializer(many=True, read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=2000)
    indicators = serializers.JSONField(required=False)

    class Meta:
        model = CountryRisk
        fields = [
            "country",
            "name_zh",
            "name_en",
            "region",
            "level",
            "level_label",
            "indicators",
            "summary",
            "reviewed_at",
            "ratings",
            "reason",
        ]
        read_only_fields = ["reviewed_at"]
        extra_kwargs = {"level": {"required": False}}

    def service_check(self, values: dict, errors: dict) -> None:
        instance = self.instance if isinstance(self.instance, CountryRisk) else None
        try:
            services.country_risk_check(data=values, country_risk=instance, refused=tuple(errors))
        except DjangoValidationError as error:
            add_check_errors(errors, error)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["country"].read_only = True
        return fields


class CountryRiskDetailSerializer(CountryRiskSerializer):
    history = CountryRiskChangeSerializer(many=True, read_only=True)

    class Meta(CountryRiskSerializer.Meta):
        fields = [*CountryRiskSerializer.Meta.fields, "history"]


class BulletinHistorySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default="", read_only=True)

    class Meta:
        model = BulletinHistory
        fields = ["action", "actor", "comment", "created_at"]


class BulletinSerializer(ServiceCheckMixin, serializers.ModelSerializer):
    """A bulletin; `countries` are ISO codes. Drafts are written here; publishing, cancelling and
    updating a published bulletin (a new draft naming it in `supersedes`) are the services'."""

    countries = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Country.objects.all(), allow_empty=True, required=False
    )
    supersedes = serializers.PrimaryKeyRelatedField(
        queryset=RiskBulletin.objects.filter(status=BulletinStatus.PUBLISHED), required=False, allow_null=True
    )
    negative_cases = serializers.PrimaryKeyRelatedField(queryset=NegativeCase.objects.all(), many=True, required=False)
    in_force = serializers.SerializerMethodField()
    requires_ack = serializers.BooleanField(read_only=True)
    cap_url = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField()

    class Meta:
        model = RiskBulletin
        fields = [
            "id",
            "countries",
            "title",
            "body",
            "title_en",
            "body_en",
            "category",
            "severity",
            "urgency",
            "certainty",
            "effective_at",
            "expires_at",
            "status",
            "supersedes",
            "superseded_by",
            "change_note",
            "minor_update",
            "ack_deadline_hours",
            "requires_ack",
            "negative_cases",
            "in_force",
            "published_at",
            "cancelled_at",
            "superseded_at",
            "cap_url",
        ]
        read_only_fields = ["status", "published_at", "cancelled_at", "superseded_at"]
        extra_kwargs = {"ack_deadline_hours": {"required": False}}

    @extend_schema_field(serializers.BooleanField())
    def get_in_force(self, obj) -> bool:
        return obj.is_in_force()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cap_url(self, obj) -> str | None:
        if obj.status == BulletinStatus.DRAFT:
            return None
        return reverse("risk:cap", kwargs={"pk": obj.pk})

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, obj) -> int | None:
        updates = [u.pk for u in obj.updates.all() if u.status != BulletinStatus.DRAFT]
        return updates[0] if updates else None

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is None or isinstance(self.instance, list | tuple):
            fields["countries"].required = True
        return fields

    def service_check(self, values: dict, errors: dict) -> None:
        instance = self.instance if isinstance(self.instance, RiskBulletin) else None
        try:
            services_bulletins.bulletin_check(data=values, bulletin=instance, refused=tuple(errors))
        except DjangoValidationError as error:
            add_check_errors(errors, error)

    def validate(self, attrs):
        instance = self.instance if isinstance(self.instance, RiskBulletin) else None
        try:
            services_bulletins.bulletin_check(data=attrs, bulletin=instance)
        except DjangoValidationError as error:
            errors: dict = {}
            add_check_errors(errors, error)
            raise serializers.ValidationError(errors) from None
        return attrs


class BulletinDetailSerializer(BulletinSerializer):
    history = BulletinHistorySerializer(many=True, read_only=True)

    class Meta(BulletinSerializer.Meta):
        fields = [*BulletinSerializer.Meta.fields, "history"]


class BulletinCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AudienceReasonSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=AudienceReason.choices)
    label = serializers.CharField()
    people = serializers.IntegerField()


class PreviewSerializer(serializers.Serializer):
    by_reason = AudienceReasonSerializer(many=True)
    total = serializers.IntegerField(help_text="Distinct people: each is told once however many reasons.")


class DeliveryCountSerializer(serializers.Serializer):
    channel = serializers.CharField()
    status = serializers.CharField()
    count = serializers.IntegerField()


class OrganizationAckSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField(allow_null=True)
    organization_name = serializers.CharField(allow_null=True)
    recipients = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    read = serializers.IntegerField()


class DispatchSerializer(serializers.Serializer):
    recipients = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    read = serializers.IntegerField()
    requires_ack = serializers.BooleanField()
    ack_deadline = serializers.DateTimeField(allow_null=True)
    recipients_by_reason = AudienceReasonSerializer(many=True)
    deliveries = DeliveryCountSerializer(many=True)
    organizations = OrganizationAckSerializer(many=True, help_text="One page (`?page=`), silent ones first.")
    organizations_count = serializers.IntegerField(help_text="Organisations told, on every page.")
    organizations_next = serializers.CharField(allow_null=True, help_text="The next page of `organizations`.")
    organizations_previous = serializers.CharField(allow_null=True)
    silent = OrganizationAckSerializer(many=True, help_text="The silent organisations of this page.")
    silent_count = serializers.IntegerField(help_text="Organisations none of whose members acknowledged.")


class FollowSerializer(ServiceCheckMixin, serializers.ModelSerializer):
    country = serializers.SlugRelatedField(
        slug_field="code", queryset=Country.objects.all(), required=False, allow_null=True
    )
    category = serializers.ChoiceField(choices=BulletinCategory.choices, required=False, allow_blank=True, default="")

    class Meta:
        model = Follow
        fields = ["id", "country", "category", "created_at"]
        read_only_fields = ["created_at"]
        validators = []

    def service_check(self, values: dict, errors: dict) -> None:
        try:
            services_bulletins.follow_check(user=self.context["request"].user, data=values, refused=tuple(errors))
        except DjangoValidationError as error:
            add_check_errors(errors, error)
