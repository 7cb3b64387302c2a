"""`/api/v1/risk/cases/`: the typical negative cases, public; officials with `publish_risk`
create, change and delete them (the rules are in risk/cases.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions, serializers

from portal.api.base import ScopedModelViewSet
from portal.api.filters import RequestedFiltersBackend
from portal.api.pagination import PagePagination
from portal.api.serializers import ServiceCheckMixin, add_check_errors
from portal.models import Country
from portal.permissions import has_agency_permission

from .. import cases
from ..filtersets import NegativeCaseFilterSet
from ..models import NegativeCase


class NegativeCaseSerializer(ServiceCheckMixin, serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    country_name = serializers.CharField(source="country.name_zh", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    sector_label = serializers.CharField(source="get_sector_display", read_only=True)

    class Meta:
        model = NegativeCase
        fields = [
            "id",
            "title",
            "country",
            "country_name",
            "sector",
            "sector_label",
            "category",
            "category_label",
            "occurred_on",
            "summary",
            "lessons",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def service_check(self, values: dict, errors: dict) -> None:
        try:
            cases.case_check(data=values, refused=tuple(errors))
        except DjangoValidationError as error:
            add_check_errors(errors, error)


class NegativeCaseViewSet(ScopedModelViewSet):
    """Typical negative cases (典型负面案例), newest first: filters `country` (codes,
    comma-separated), `category` (repeatable), `sector`, `year`, `since` (recorded on or after a
    date) and `?search=` over the title, summary, lessons and country names."""

    queryset = NegativeCase.objects.select_related("country")
    serializer_class = NegativeCaseSerializer
    filterset_class = NegativeCaseFilterSet
    filter_backends = [RequestedFiltersBackend]  # ?search= is the FilterSet's (risk/cases.py)
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = PagePagination

    def create(self, request, *args, **kwargs):
        # Authorise before validating: a refused official gets 403, not a 400 about the fields.
        if not has_agency_permission(request.user, "publish_risk"):
            self.permission_denied(request)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = cases.case_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = cases.case_update(
            actor=self.request.user, case=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        cases.case_delete(actor=self.request.user, case=instance)
