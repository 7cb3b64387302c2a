"""Serializers of the project library. Contract values and staff numbers are shown only to
the owning organisation and to officials; to everyone else they are null."""

from decimal import ROUND_HALF_EVEN, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.models import Country

from ..choices import Half
from ..models import ExchangeRate, IntendedProjectSurvey, Project, ProjectReport, ProjectReview, ProjectStageChange

PRIVATE_FIELDS = ("contract_value", "currency", "contract_value_usd", "chinese_staff", "local_staff")


class CountryCodeField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": _("未知国家代码 {pk_value}（unknown country code）。")}

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


def can_see_details(user, project_org_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_official:
        return True
    membership = user.org_membership
    return membership is not None and membership.organization_id == project_org_id


class ProjectSerializer(serializers.ModelSerializer):
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

    def validate_currency(self, value):
        return (value or "").upper()

    def validate_chinese_staff(self, value):
        return value or 0

    def validate_local_staff(self, value):
        return value or 0

    # The list endpoint reads these columns as values() rows; to_representation takes a row or
    # a model instance.
    ROW_COLUMNS = (
        "id",
        "organization_id",
        "organization__name",
        "name",
        "name_en",
        "country_id",
        "country__name_zh",
        "country__region",
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
    )

    @classmethod
    def as_row(cls, project) -> dict:
        if isinstance(project, dict):
            return project
        row = {c: getattr(project, c) for c in cls.ROW_COLUMNS if "__" not in c}
        row["organization__name"] = project.organization.name
        row["country__name_zh"] = project.country.name_zh
        row["country__region"] = project.country.region
        return row

    def to_representation(self, instance):
        """The fields, built directly: DRF's generic walk over 27 fields cost ~0.2 ms a row, the
        bulk of a 50-row list page. Values are written as DRF's fields write them (a test pins
        this to ModelSerializer's output)."""
        p = self.as_row(instance)
        request = self.context.get("request")
        details = can_see_details(getattr(request, "user", None), p["organization_id"])
        return {
            "id": p["id"],
            "organization": p["organization_id"],
            "organization_name": p["organization__name"],
            "name": p["name"],
            "name_en": p["name_en"],
            "country": p["country_id"],
            "country_name": p["country__name_zh"],
            "region": p["country__region"],
            "location": p["location"],
            "sector": p["sector"],
            "business_model": p["business_model"],
            "stage": p["stage"],
            "contract_value": _money(p["contract_value"]) if details else None,
            "currency": p["currency"] if details else None,
            "contract_value_usd": _money(p["contract_value_usd"]) if details else None,
            "start_date": _date(p["start_date"]),
            "planned_completion": _date(p["planned_completion"]),
            "chinese_staff": p["chinese_staff"] if details else None,
            "local_staff": p["local_staff"] if details else None,
            "embassy_registered": p["embassy_registered"],
            "embassy_registered_on": _date(p["embassy_registered_on"]),
            "description": p["description"],
            "filing_status": p["filing_status"],
            "submitted_at": _datetime(p["submitted_at"]),
            "approved_at": _datetime(p["approved_at"]),
            "created_at": _datetime(p["created_at"]),
            "updated_at": _datetime(p["updated_at"]),
        }


_CENT = Decimal("0.01")


def _money(value):
    """As DRF's DecimalField(decimal_places=2) writes it: a string with two decimals."""
    return None if value is None else f"{Decimal(value).quantize(_CENT, rounding=ROUND_HALF_EVEN):f}"


def _date(value):
    return None if value is None else value.isoformat()


def _datetime(value):
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone, "Z" for UTC."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


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
    comment = serializers.CharField(max_length=2000)


class ProjectReportSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
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
        extra_kwargs = {"notes": {"max_length": 5000}}


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
        extra_kwargs = {"year": {"validators": [], "min_value": 2000, "max_value": 2100}}


class SurveyAnswerSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField(source="organization.pk")
    organization_name = serializers.CharField(source="organization.name")
    answered = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    intended_projects = serializers.IntegerField()
