"""Serializers of the supplier library. The directory shows approved suppliers' public fields
(contacts to signed-in users); the application shows everything to its owner and officials."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.serializers import ServiceCheckMixin, add_check_errors
from portal.files import PrivateFileSerializerField
from portal.models import Country
from projects.models import Project

from .. import selectors, services
from ..models import (
    Category,
    Certificate,
    CertificateKind,
    PerformanceReview,
    Supplier,
    SupplierRating,
    SupplierReview,
    SupplyChainLink,
)


class CountryCodeField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": _("未知国家代码 {pk_value}。")}

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


class CategoryCodeField(serializers.SlugRelatedField):
    default_error_messages = {"does_not_exist": _("未知类别 {value}。")}

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)


class CertificateKindSerializer(serializers.ModelSerializer):
    required_by = serializers.SerializerMethodField(help_text="The codes of the categories that require this kind.")

    class Meta:
        model = CertificateKind
        fields = ["id", "code", "name", "name_en", "description", "required_by"]

    def get_required_by(self, kind) -> list[str]:
        return sorted({requirement.category.code for requirement in kind.requirements.all()})


class CategorySerializer(serializers.ModelSerializer):
    requirements = serializers.SerializerMethodField(
        help_text="Each requirement as the codes of the kinds that satisfy it (any one of them)."
    )

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "active", "requirements"]

    def get_requirements(self, category) -> list[list[str]]:
        return [[kind.code for kind in requirement.kinds.all()] for requirement in category.requirements.all()]


class ApplicationSerializer(ServiceCheckMixin, serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    categories = CategoryCodeField(many=True, queryset=Category.objects.all(), required=False)
    countries_served = CountryCodeField(many=True, queryset=Country.objects.all(), required=False)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "organization",
            "organization_name",
            "status",
            "categories",
            "countries_served",
            "description",
            "capacity",
            "references",
            "products",
            "contact_name",
            "contact_phone",
            "contact_email",
            "stars",
            "submitted_at",
            "approved_at",
            "decided_at",
            "sanction_from",
            "sanction_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "organization",
            "status",
            "stars",
            "submitted_at",
            "approved_at",
            "decided_at",
            "sanction_from",
            "sanction_until",
            "created_at",
            "updated_at",
        ]

    def service_check(self, values: dict, errors: dict) -> None:
        try:
            services.application_check(data=values, supplier=self.instance, refused=tuple(errors))
        except DjangoValidationError as error:
            add_check_errors(errors, error)


class ApplicationDetailSerializer(ApplicationSerializer):
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)
    missing_certificates = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "allowed_actions", "missing_certificates"]


class HistorySerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = SupplierReview
        fields = ["id", "action", "comment", "period_from", "period_until", "actor_name", "created_at"]

    def get_actor_name(self, review) -> str:
        return str(review.actor) if review.actor_id else ""


class DirectorySerializer(serializers.ModelSerializer):
    """An approved supplier as the public directory shows it."""

    name = serializers.CharField(source="organization.name", read_only=True)
    name_en = serializers.CharField(source="organization.name_en", read_only=True)
    province = serializers.CharField(source="organization.province", read_only=True)
    city = serializers.CharField(source="organization.city", read_only=True)
    categories = serializers.SerializerMethodField(help_text="Category codes.")
    countries_served = serializers.SerializerMethodField(help_text="ISO 3166-1 codes of the countries served.")
    contact = serializers.SerializerMethodField(help_text="Contact details, for signed-in users only (else null).")

    class Meta:
        model = Supplier
        fields = [
            "id",
            "name",
            "name_en",
            "province",
            "city",
            "categories",
            "countries_served",
            "description",
            "capacity",
            "products",
            "references",
            "stars",
            "approved_at",
            "contact",
        ]

    # The directory's rows carry their codes (selectors.attach_codes); otherwise the relations.
    def get_categories(self, supplier) -> list[str]:
        codes = getattr(supplier, "category_codes", None)
        return codes if codes is not None else [category.code for category in supplier.categories.all()]

    def get_countries_served(self, supplier) -> list[str]:
        codes = getattr(supplier, "country_codes", None)
        return codes if codes is not None else [country.pk for country in supplier.countries_served.all()]

    def get_contact(self, supplier) -> dict | None:
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return None
        return {"name": supplier.contact_name, "phone": supplier.contact_phone, "email": supplier.contact_email}


class CertificateSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", queryset=CertificateKind.objects.all())
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    file = PrivateFileSerializerField(view_name="api:supplier-certificate-download")

    class Meta:
        model = Certificate
        fields = [
            "id",
            "supplier",
            "kind",
            "kind_name",
            "number",
            "issuer",
            "valid_from",
            "valid_until",
            "file",
            "created_at",
        ]
        read_only_fields = ["supplier", "created_at"]

    def validate(self, attrs):
        try:
            services.certificate_check(data=attrs)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class SanctionSerializer(CommentSerializer):
    period_from = serializers.DateField(required=False, allow_null=True, default=None)
    period_until = serializers.DateField(required=False, allow_null=True, default=None)


class ScorecardFieldsMixin(serializers.Serializer):
    """The performance score of the reviews of the last twelve months, from the row's
    annotations (selectors.with_scorecard or attach_scorecard) and the scorecard in the context."""

    review_count = serializers.SerializerMethodField()
    average_review = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField(help_text="0-100 over the last twelve months; null without reviews.")
    standing = serializers.SerializerMethodField(
        help_text="very_poor, poor, average or excellent; null without reviews."
    )

    def _card(self, supplier) -> dict:
        cache = self.context.setdefault("_scorecards", {})
        if supplier.pk not in cache:
            cache[supplier.pk] = selectors.scorecard_of(supplier, self.context["scorecard"])
        return cache[supplier.pk]

    def get_review_count(self, supplier) -> int:
        return self._card(supplier)["review_count"]

    def get_average_review(self, supplier) -> float | None:
        return self._card(supplier)["average_review"]

    def get_score(self, supplier) -> float | None:
        return self._card(supplier)["score"]

    def get_standing(self, supplier) -> str | None:
        standing = self._card(supplier)["standing"]
        return standing.code if standing else None


class DirectoryRowSerializer(ScorecardFieldsMixin, DirectorySerializer):
    class Meta(DirectorySerializer.Meta):
        fields = [*DirectorySerializer.Meta.fields, "review_count", "average_review", "score", "standing"]


class RatingSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)
    scores = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RatingResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupplierRating
        fields = ["id", "supplier", "stars", "scores", "comment", "created_at"]


class PerformanceReviewSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    project_name = serializers.CharField(source="project.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = PerformanceReview
        fields = [
            "id",
            "supplier",
            "project",
            "project_name",
            "organization",
            "organization_name",
            "quality",
            "delivery",
            "compliance",
            "communication",
            "comment",
            "created_at",
        ]
        read_only_fields = ["supplier", "organization", "created_at"]


class SupplyChainLinkSerializer(serializers.ModelSerializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all())
    supplier_name = serializers.CharField(source="supplier.organization.name", read_only=True)
    category = CategoryCodeField(queryset=Category.objects.all())

    class Meta:
        model = SupplyChainLink
        fields = [
            "id",
            "project",
            "supplier",
            "supplier_name",
            "category",
            "scope",
            "contract_value",
            "currency",
            "start_date",
            "end_date",
            "created_at",
        ]
        read_only_fields = ["project", "created_at"]
