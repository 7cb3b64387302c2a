"""Serializers of the risk API: shape only; the rules are in risk/services.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from portal.api.serializers import ServiceCheckMixin, add_check_errors
from portal.models import Country

from .. import services
from ..models import CountryRisk, CountryRiskChange, ReferenceRating


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
