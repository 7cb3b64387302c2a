"""Serializers of the trainings' API; the rules are the services'."""

from rest_framework import serializers

from portal.models import Country

from ..choices import TrainingTopic
from ..models import AgendaItem, Enrollment, TrainingSession


class AgendaItemSerializer(serializers.ModelSerializer):
    countries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["position", "starts_at", "title", "speaker", "countries", "negative_case", "negative_case_ref"]


class TrainingSessionSerializer(serializers.ModelSerializer):
    topics = serializers.ListField(child=serializers.ChoiceField(choices=TrainingTopic.choices), allow_empty=False)
    countries = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Country.objects.all(), required=False
    )
    seats_taken = serializers.IntegerField(read_only=True)
    waiting_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "title",
            "topics",
            "description",
            "year",
            "half",
            "starts_at",
            "ends_at",
            "venue",
            "online_url",
            "capacity",
            "registration_deadline",
            "countries",
            "status",
            "sequence",
            "published_at",
            "seats_taken",
            "waiting_count",
        ]
        read_only_fields = ["status", "sequence", "published_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data.setdefault("seats_taken", getattr(instance, "seats_taken", None))
        return data


class TrainingSessionDetailSerializer(TrainingSessionSerializer):
    agenda = AgendaItemSerializer(many=True, read_only=True)

    class Meta(TrainingSessionSerializer.Meta):
        fields = [*TrainingSessionSerializer.Meta.fields, "agenda"]


class EnrollmentSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.__str__", read_only=True)
    organization = serializers.CharField(source="organization.name", read_only=True, default="")

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "session",
            "user",
            "organization",
            "status",
            "waiting_since",
            "offer_expires_at",
            "attended",
            "attended_at",
            "created_at",
        ]
        read_only_fields = fields


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AttendanceSerializer(serializers.Serializer):
    attended = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=5000)
    absent = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=5000, required=False
    )


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=6, min_length=6)
