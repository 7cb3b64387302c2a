"""`/api/v1/openings/` (岗位): open openings are public; an enterprise posts, changes and closes
its own; a talent with a profile applies (`{id}/apply/`); the opening's enterprise and officials
read its applications (`{id}/applications/`) and the enterprise moves them
(`/api/v1/opening-applications/{id}/move/`); a talent lists their own applications at
`/api/v1/opening-applications/`. The rules are in talent/openings.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.response import Response

from portal.api.base import ScopedViewSetMixin
from portal.api.filters import RequestedFiltersBackend
from portal.api.pagination import PagePagination
from portal.api.serializers import ServiceCheckMixin, add_check_errors
from portal.models import Country
from portal.permissions import is_enterprise, is_official
from projects.models import Project

from .. import openings
from ..choices import ApplicationStatus
from ..filtersets import OpeningFilterSet
from ..models import Application, Opening


class OpeningSerializer(ServiceCheckMixin, serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all(), required=False)
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all(), required=False, allow_null=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    application_count = serializers.IntegerField(source="applied", read_only=True, default=None)

    class Meta:
        model = Opening
        fields = [
            "id",
            "organization",
            "organization_name",
            "project",
            "country",
            "title",
            "requirements",
            "language",
            "level",
            "certificate",
            "positions",
            "closes_on",
            "is_open",
            "closed_at",
            "application_count",
            "created_at",
        ]
        read_only_fields = ["organization", "closed_at", "created_at"]

    def service_check(self, values: dict, errors: dict) -> None:
        try:
            openings.opening_check(actor=self.context["request"].user, data=values, refused=tuple(errors))
        except DjangoValidationError as error:
            add_check_errors(errors, error)


class OpeningApplicationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="profile.full_name", read_only=True)
    opening_title = serializers.CharField(source="opening.title", read_only=True)

    class Meta:
        model = Application
        fields = ["id", "opening", "opening_title", "profile", "name", "status", "note", "created_at", "updated_at"]
        read_only_fields = fields


class ApplySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class MoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)


class OpeningViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Openings abroad: filters `country` (codes, comma-separated), `language`, `certificate`,
    `?search=`; soonest closing first."""

    queryset = Opening.objects.select_related("organization", "country")
    serializer_class = OpeningSerializer
    filterset_class = OpeningFilterSet
    filter_backends = [RequestedFiltersBackend]  # ?search= is the FilterSet's
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = PagePagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    editable_actions = frozenset({"close"})

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.annotate(applied=Count("applications")).order_by("closes_on", "-id")
        return queryset

    def create(self, request, *args, **kwargs):
        if not is_enterprise(request.user):
            self.permission_denied(request, message=str(openings.ENTERPRISES_ONLY))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = openings.opening_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = openings.opening_update(
            actor=self.request.user, opening=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(request=None, responses=OpeningSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request, pk=None):
        """Stop taking applications."""
        opening = openings.opening_close(actor=request.user, opening=self.get_object())
        return Response(OpeningSerializer(opening, context=self.get_serializer_context()).data)

    @extend_schema(request=ApplySerializer, responses={201: OpeningApplicationSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def apply(self, request, pk=None):
        """Apply with one's talent profile (once per opening, while it is open)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated
        opening = self.get_object()
        if not openings.may_apply(request.user):
            raise PermissionDenied(openings.PROFILE_FIRST)
        serializer = ApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = openings.application_create(actor=request.user, opening=opening, **serializer.validated_data)
        return Response(OpeningApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=OpeningApplicationSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=PagePagination)
    def applications(self, request, pk=None):
        """The applications the opening received: its enterprise and officials."""
        if not request.user.is_authenticated:
            raise NotAuthenticated
        opening = self.get_object()
        if not (openings.owns(request.user, opening) or is_official(request.user)):
            raise NotFound
        queryset = Application.objects.filter(opening=opening).select_related("profile", "opening").order_by("-id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(OpeningApplicationSerializer(page, many=True).data)


class OpeningApplicationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Applications: a talent's own, an enterprise's received ones, officials' all; the
    enterprise moves one on with `{id}/move/` (`status`: shortlisted, rejected or hired)."""

    queryset = Application.objects.select_related("profile", "opening")
    serializer_class = OpeningApplicationSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PagePagination
    filter_backends = []
    editable_actions = frozenset({"move"})

    @extend_schema(request=MoveSerializer, responses=OpeningApplicationSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        if not is_enterprise(request.user):
            raise PermissionDenied(openings.ENTERPRISES_ONLY)
        application = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = openings.application_move(
            actor=request.user, application=application, status=serializer.validated_data["status"]
        )
        return Response(OpeningApplicationSerializer(application).data)
