"""The risk part's API resources: configuration over the shared scoped ViewSets."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.base import ScopedViewSetMixin
from portal.api.pagination import PagePagination
from portal.permissions import has_agency_permission

from .. import services
from ..filtersets import CountryRiskFilterSet
from ..models import CountryRisk, CountryRiskChange
from .serializers import CountryRiskDetailSerializer, CountryRiskSerializer, ReferenceRatingSerializer


class CountryRiskViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Country risk levels (public), each with its reference ratings; the detail adds the history
    of changes. Officials with `publish_risk` set levels (`reason` required) and ratings."""

    queryset = CountryRisk.objects.select_related("country").prefetch_related("ratings")
    serializer_class = CountryRiskSerializer
    filterset_class = CountryRiskFilterSet
    # Anyone reads; writing asks for a signed-in user (401), then `publish_risk` (403, scope).
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = PagePagination
    search_fields = ["country__name_zh", "country__name_en", "country__code"]
    editable_actions = frozenset({"ratings"})
    lookup_value_regex = "[A-Za-z]{2}"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("history", queryset=CountryRiskChange.objects.select_related("actor"))
            )
        return queryset

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()

    def get_serializer_class(self):
        return CountryRiskDetailSerializer if self.action == "retrieve" else CountryRiskSerializer

    def create(self, request, *args, **kwargs):
        if not has_agency_permission(request.user, "publish_risk"):
            self.permission_denied(request)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.country_risk_set(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.country_risk_set(
            actor=self.request.user, country_risk=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(request=ReferenceRatingSerializer, responses=ReferenceRatingSerializer)
    @action(detail=True, methods=["post"])
    def ratings(self, request, pk=None):
        """Record a reference rating (MFA, Sinosure 1-9, other governments) as given."""
        country_risk = self.get_object()
        serializer = ReferenceRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = services.rating_set(actor=request.user, country_risk=country_risk, data=serializer.validated_data)
        return Response(ReferenceRatingSerializer(rating).data, status=status.HTTP_201_CREATED)
