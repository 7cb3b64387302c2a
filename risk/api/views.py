"""The risk part's API resources: configuration over the shared scoped ViewSets."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.base import ScopedViewSetMixin
from portal.api.pagination import PagePagination
from portal.models import Country
from portal.permissions import has_agency_permission

from .. import bulletins, selectors, services
from ..filtersets import BulletinFilterSet, CountryRiskFilterSet, FollowFilterSet
from ..models import BulletinHistory, CountryRisk, CountryRiskChange, Follow, NegativeCase, RiskBulletin, is_publisher
from .serializers import (
    BulletinCancelSerializer,
    BulletinDetailSerializer,
    BulletinSerializer,
    CountryRiskDetailSerializer,
    CountryRiskSerializer,
    DispatchSerializer,
    FollowSerializer,
    PreviewSerializer,
    ReferenceRatingSerializer,
)


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


class BulletinViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Risk bulletins: published and cancelled ones are public, drafts are seen by officials with
    `publish_risk` only (others get a 404). Those officials draft (`POST`; an update of a
    published bulletin is a new draft naming it in `supersedes`), change drafts (`PATCH`),
    preview the audience, publish, cancel and follow the dispatch."""

    queryset = RiskBulletin.objects.prefetch_related(
        Prefetch("countries", queryset=Country.objects.only("code")),
        Prefetch("updates", queryset=RiskBulletin.objects.only("pk", "status", "supersedes_id")),
        Prefetch("negative_cases", queryset=NegativeCase.objects.only("pk")),
    ).order_by("-published_at", "-created_at", "-id")
    serializer_class = BulletinSerializer
    filterset_class = BulletinFilterSet
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = PagePagination
    search_fields = ["title", "body", "title_en"]
    editable_actions = frozenset({"publish", "cancel", "preview", "dispatch_progress"})
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("history", queryset=BulletinHistory.objects.select_related("actor"))
            )
        elif self.action == "dispatch_progress":
            queryset = queryset.prefetch_related(None)  # the bulletin's own fields are enough
        return queryset

    def get_serializer_class(self):
        return BulletinDetailSerializer if self.action == "retrieve" else BulletinSerializer

    def create(self, request, *args, **kwargs):
        if not is_publisher(request.user):
            self.permission_denied(request)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = bulletins.bulletin_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = bulletins.bulletin_update(
            actor=self.request.user, bulletin=serializer.instance, data=serializer.validated_data
        )

    def _fresh(self, bulletin):
        return BulletinDetailSerializer(self.get_queryset().get(pk=bulletin.pk), context=self.get_serializer_context())

    @extend_schema(request=None, responses=BulletinDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft; its audience is alerted after commit (a minor update alerts no one)."""
        bulletin = bulletins.bulletin_publish(actor=request.user, bulletin=self.get_object())
        return Response(self._fresh(bulletin).data)

    @extend_schema(request=BulletinCancelSerializer, responses=BulletinDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw a published bulletin (its CAP document becomes a Cancel message)."""
        bulletin = self.get_object()
        serializer = BulletinCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bulletin = bulletins.bulletin_cancel(actor=request.user, bulletin=bulletin, **serializer.validated_data)
        return Response(self._fresh(bulletin).data)

    @extend_schema(responses=PreviewSerializer)
    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def preview(self, request, pk=None):
        """Who the bulletin reaches: people by reason (a person may count under several) and the
        distinct total, each told once."""
        return Response(PreviewSerializer(selectors.audience_counts(self.get_object())).data)

    @extend_schema(
        responses=DispatchSerializer,
        parameters=[
            OpenApiParameter("page", int, description="The page of `organizations` (silent ones first)."),
            OpenApiParameter("page_size", int, description="Organisations a page (default 50, at most 200)."),
        ],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="dispatch",
        url_name="dispatch",
        permission_classes=[permissions.IsAuthenticated],
    )
    def dispatch_progress(self, request, pk=None):
        """How the alert is going: recipients (by reason, as counted when the alert went out),
        deliveries by channel and status, and a page of the organisations with their
        acknowledgements, silent ones first (`organizations_next` follows the pages; the page
        `/risk/bulletins/{id}/dispatch/?format=csv` exports every silent organisation)."""
        bulletin = self.get_object()
        summary = selectors.dispatch_summary(bulletin)
        pages = PagePagination()
        organizations = pages.paginate_queryset(summary["organizations"], request, view=self)
        summary.update(
            recipients_by_reason=selectors.alert_audience_counts(bulletin)["by_reason"],
            organizations=organizations,
            organizations_count=len(summary["organizations"]),
            organizations_next=pages.get_next_link(),
            organizations_previous=pages.get_previous_link(),
            silent_count=len(summary["silent"]),
            silent=[row for row in organizations if selectors.is_silent(row)],
        )
        return Response(DispatchSerializer(summary).data)


class FollowViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's follows (countries, bulletin categories, or a category in one
    country); others' follows are a 404."""

    queryset = Follow.objects.select_related("country")
    serializer_class = FollowSerializer
    filterset_class = FollowFilterSet
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PagePagination

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = bulletins.follow_create(
            actor=self.request.user, country=data.get("country"), category=data.get("category") or ""
        )

    def perform_destroy(self, instance):
        bulletins.follow_delete(actor=self.request.user, follow=instance)
