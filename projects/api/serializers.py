"""Serializers of the project library. Contract values and staff numbers are shown only to
the owning organisation and to officials; to everyone else they are null."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.rows import RowListSerializer, RowSerializerMixin
from portal.api.serializers import ServiceCheckMixin, add_check_errors
from portal.models import Country

from .. import services
from ..choices import FIRST_YEAR, LAST_YEAR, Half
from ..models import (
    ExchangeRate,
    IntendedProjectSurvey,
    Project,
    ProjectReport,
    ProjectReportRevision,
    ProjectReview,
    ProjectStageChange,
    figures_visible,
)

PRIVATE_FIELDS = ("contract_value", "currency", "contract_value_usd", "chinese_staff", "local_staff")


class CountryCodeField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": _("未知国家代码 {pk_value}。")}

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


class ProjectSerializer(ServiceCheckMixin, RowSerializerMixin, serializers.ModelSerializer):
    country = CountryCodeField(queryset=Country.objects.all())
    country_name = serializers.CharField(source="country.name_zh", read_only=True)
    region = serializers.CharField(source="country.region", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    contract_value = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    currency = serializers.CharField(max_length=3, allow_blank=True, allow_null=True, required=False)
    contract_value_usd = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, allow_null=True)
    chinese_staff = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)
    local_staff = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "organization",
            "organization_name",
            "name",
            "name_en",
            "country",
            "country_name",
            "region",
            "location",
            "sector",
            "business_model",
            "stage",
            "contract_value",
            "currency",
            "contract_value_usd",
            "start_date",
            "planned_completion",
            "chinese_staff",
            "local_staff",
            "embassy_registered",
            "embassy_registered_on",
            "description",
            "filing_status",
            "submitted_at",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["organization", "filing_status", "submitted_at", "approved_at", "created_at", "updated_at"]
        # Shown only where figures_scope (projects/models.py) allows: null for everyone else.
        private_fields = PRIVATE_FIELDS
        private_flag = "figures_visible"
        list_serializer_class = RowListSerializer

    def validate_currency(self, value):
        return (value or "").upper()

    def service_check(self, values: dict, errors: dict) -> None:
        """The rules across fields and the exchange rate, beside the fields' own errors."""
        try:
            services.project_check(data=values, project=self.instance, refused=tuple(errors))
        except DjangoValidationError as error:
            add_check_errors(errors, error)

    def validate_chinese_staff(self, value):
        return value or 0

    def validate_local_staff(self, value):
        return value or 0

    def to_representation(self, instance):
        """Built directly from `Meta.fields` (portal/api/rows.py); a test pins it to DRF's own
        walk. Private figures are null unless the row's `figures_visible` says otherwise."""
        return self.represent_row(instance)

    def private_visible(self, instance) -> bool:
        if hasattr(instance, "figures_visible"):
            return bool(instance.figures_visible)
        request = self.context.get("request")
        return figures_visible(getattr(request, "user", None), instance.organization_id)


class ProjectDetailSerializer(ProjectSerializer):
    """A project as `GET /projects/{id}/` answers: with the actions open to the reader."""

    allowed_actions = serializers.ListField(
        child=serializers.ChoiceField(choices=["edit", "delete", "submit", "withdraw", "approve", "return", "report"]),
        read_only=True,
    )

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "allowed_actions"]


class ProjectReviewSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", read_only=True, allow_null=True)

    class Meta:
        model = ProjectReview
        fields = ["id", "action", "actor", "comment", "created_at"]


class ProjectStageChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", read_only=True, allow_null=True)

    class Meta:
        model = ProjectStageChange
        fields = ["id", "from_stage", "to_stage", "actor", "changed_at"]


class ProjectHistorySerializer(serializers.Serializer):
    reviews = ProjectReviewSerializer(many=True)
    stage_changes = ProjectStageChangeSerializer(many=True)


class ReviewDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReturnDecisionSerializer(serializers.Serializer):
    # Required, but by the service (after the reviewer's permission): an empty one is a 400 there.
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ProjectReportSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    half = serializers.ChoiceField(choices=Half.choices)
    revenue_usd = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    new_contracts_usd = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, required=False)
    chinese_staff = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    local_staff = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)

    class Meta:
        model = ProjectReport
        fields = [
            "id",
            "project",
            "year",
            "half",
            "revenue_usd",
            "new_contracts_usd",
            "chinese_staff",
            "local_staff",
            "notes",
            "created_at",
        ]
        read_only_fields = ["project", "created_at"]


class ProjectReportRevisionSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    previous = serializers.DictField(child=serializers.CharField(), help_text="The values before the correction.")

    class Meta:
        model = ProjectReportRevision
        fields = ["id", "previous", "actor", "created_at"]


class ProjectReportDetailSerializer(ProjectReportSerializer):
    """A report with its corrections, newest first; a PATCH corrects the figures."""

    year = serializers.IntegerField(read_only=True)
    half = serializers.IntegerField(read_only=True)
    revisions = ProjectReportRevisionSerializer(many=True, read_only=True)

    class Meta(ProjectReportSerializer.Meta):
        fields = [*ProjectReportSerializer.Meta.fields, "revisions"]


class StatisticsRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    contract_value_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    chinese_staff = serializers.IntegerField()
    local_staff = serializers.IntegerField()


class MapRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    alpha3 = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    region = serializers.CharField()
    count = serializers.IntegerField()
    value_usd = serializers.DecimalField(max_digits=20, decimal_places=2, required=False)


class SubsidyTierMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    amount_cny = serializers.DecimalField(max_digits=14, decimal_places=2)


class SubsidyEstimateSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    year = serializers.IntegerField()
    revenue_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    previous_revenue_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    first_time = serializers.BooleanField()
    growth = serializers.BooleanField()
    tiers = SubsidyTierMatchSerializer(many=True)
    estimate_cny = serializers.DecimalField(max_digits=14, decimal_places=2)


class ExchangeRateSerializer(serializers.ModelSerializer):
    usd_per_unit = serializers.DecimalField(max_digits=20, decimal_places=10, min_value=0)

    class Meta:
        model = ExchangeRate
        fields = ["currency", "usd_per_unit", "as_of", "source", "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"currency": {"validators": []}}


class SurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = IntendedProjectSurvey
        fields = ["id", "year", "opens_on", "closes_on", "reminded_at", "created_at"]
        read_only_fields = ["reminded_at", "created_at"]
        extra_kwargs = {"year": {"validators": [], "min_value": FIRST_YEAR, "max_value": LAST_YEAR}}


class SurveyAnswerSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField(source="organization.pk")
    organization_name = serializers.CharField(source="organization.name")
    answered = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    intended_projects = serializers.IntegerField()
