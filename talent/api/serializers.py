"""Serializers of the talent pool's API; the rules are the services' (talent/services.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.models import Country
from projects.models import Project

from .. import selectors, services
from ..models import TalentCertificate, TalentExperience, TalentLanguage, TalentProfile


class TalentLanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = TalentLanguage
        fields = ["code", "level"]


class TalentCertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = TalentCertificate
        fields = ["kind", "number", "valid_until"]


class TalentExperienceSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all(), required=False, allow_null=True)

    class Meta:
        model = TalentExperience
        fields = ["country", "project", "role", "date_from", "date_to"]


class MatchReasonSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    reason = serializers.CharField()


class TalentProfileSerializer(serializers.ModelSerializer):
    """A profile. `phone` and `email` (the contact details) appear only on a single profile read
    by a viewer allowed to see them (verified enterprises, officials, the person), and each such
    read is logged; lists never carry them. `consent` must be true to create a profile: it is the
    person's agreement to the purpose text of docs/talent.md (version `consent_text_version`)."""

    languages = TalentLanguageSerializer(many=True, required=False)
    certificates = TalentCertificateSerializer(many=True, required=False)
    experiences = TalentExperienceSerializer(many=True, required=False)
    desired_countries = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Country.objects.all(), required=False
    )
    consent = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text=str(services.CONSENT_PURPOSE),
    )
    entered_by = serializers.PrimaryKeyRelatedField(read_only=True)
    match_score = serializers.SerializerMethodField()
    match_reasons = serializers.SerializerMethodField()

    CONTACT_FIELDS = ("phone", "email")

    class Meta:
        model = TalentProfile
        fields = [
            "id",
            "full_name",
            "education",
            "current_employer",
            "occupation",
            "phone",
            "email",
            "languages",
            "certificates",
            "experiences",
            "desired_countries",
            "available_from",
            "skills",
            "entered_by",
            "consent",
            "consent_at",
            "consent_text_version",
            "consent_withdrawn_at",
            "match_score",
            "match_reasons",
            "updated_at",
        ]
        read_only_fields = ["consent_at", "consent_text_version", "consent_withdrawn_at", "updated_at"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_match_score(self, obj) -> int | None:
        return getattr(obj, "match_score", None)

    @extend_schema_field(MatchReasonSerializer(many=True))
    def get_match_reasons(self, obj) -> list[dict]:
        return [{"points": points, "reason": reason} for points, reason in selectors.reasons(obj)]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        shown = self.context.get("contacts_shown_for", ())
        if instance.pk not in shown:
            for name in self.CONTACT_FIELDS:
                data.pop(name, None)
        return data

    def service_arguments(self) -> dict:
        """The validated body as the service's keyword arguments."""
        data = dict(self.validated_data)
        data.pop("consent", None)
        arguments = {}
        for name in ("languages", "certificates", "experiences", "desired_countries"):
            if name in data:
                arguments[name] = [dict(row) if isinstance(row, dict) else row for row in data.pop(name)]
        arguments["data"] = data
        return arguments


class TalentExportSerializer(serializers.Serializer):
    """Everything held about the person (see talent.selectors.profile_export_data)."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    languages = TalentLanguageSerializer(many=True)
    certificates = TalentCertificateSerializer(many=True)
    experiences = serializers.ListField(child=serializers.DictField())
    consent_records = serializers.ListField(child=serializers.DictField())
    contact_views = serializers.ListField(child=serializers.DictField())
