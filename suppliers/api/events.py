"""API of the matchmaking events (对接会): thin; the rules are suppliers.matchmaking's."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.response import Response

from portal.api.base import ScopedModelViewSet
from portal.api.pagination import PagePagination
from portal.choices import AgencyPermission
from portal.models import Country
from projects.choices import Sector

from .. import matchmaking
from ..choices import RegistrationStatus
from ..filtersets import MatchmakingEventFilterSet
from ..models import Category, EventRegistration, MatchmakingEvent


class MatchmakingEventSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    categories = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Category.objects.all(), required=False
    )
    sectors = serializers.ListField(child=serializers.ChoiceField(choices=Sector.choices), required=False)
    attendees_registered = serializers.IntegerField(read_only=True, default=0)
    organizations_registered = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = MatchmakingEvent
        fields = [
            "id",
            "title",
            "country",
            "city",
            "venue",
            "description",
            "starts_at",
            "ends_at",
            "registration_deadline",
            "categories",
            "sectors",
            "capacity",
            "status",
            "sequence",
            "published_at",
            "cancel_reason",
            "attendees_registered",
            "organizations_registered",
        ]
        read_only_fields = ["status", "sequence", "published_at", "cancel_reason"]


class EventRegistrationSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = EventRegistration
        fields = [
            "id",
            "event",
            "organization",
            "attendees",
            "contact_name",
            "contact_phone",
            "note",
            "status",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = ["id", "event", "organization", "status", "created_at", "cancelled_at"]


class EventCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MatchmakingEventViewSet(ScopedModelViewSet):
    """Matchmaking events. Anyone reads published ones; officials with `review` create, edit,
    publish and cancel (DELETE cancels); enterprises and approved suppliers register their
    organisation (POST `register/`) or withdraw (DELETE `register/`)."""

    queryset = MatchmakingEvent.objects.all()
    serializer_class = MatchmakingEventSerializer
    filterset_class = MatchmakingEventFilterSet
    pagination_class = PagePagination
    permission_classes = [permissions.AllowAny]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    editable_actions = frozenset({"publish", "cancel"})

    def get_queryset(self):
        queryset = matchmaking.events_with_counts(super().get_queryset()).order_by("-starts_at", "-id")
        return queryset.prefetch_related("categories")

    def _signed_in(self):
        if not self.request.user.is_authenticated:
            raise NotAuthenticated

    def _reread(self, pk):
        return self.get_queryset().get(pk=pk)

    def create(self, request, *args, **kwargs):
        self._signed_in()
        if not request.user.has_agency_permission(AgencyPermission.REVIEW):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        categories = data.pop("categories", ())
        event = matchmaking.event_create(actor=request.user, categories=categories, **data)
        return Response(self.get_serializer(self._reread(event.pk)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        self._signed_in()
        event = self.get_object()
        serializer = self.get_serializer(event, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        categories = data.pop("categories", None)
        event = matchmaking.event_update(actor=request.user, event=event, categories=categories, **data)
        return Response(self.get_serializer(self._reread(event.pk)).data)

    def destroy(self, request, *args, **kwargs):
        """Deleting is cancelling: an announced event stays in the feed as cancelled."""
        self._signed_in()
        matchmaking.event_cancel(actor=request.user, event=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=MatchmakingEventSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        self._signed_in()
        event = matchmaking.event_publish(actor=request.user, event=self.get_object())
        return Response(self.get_serializer(self._reread(event.pk)).data)

    @extend_schema(request=EventCancelSerializer, responses=MatchmakingEventSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        self._signed_in()
        event = self.get_object()
        serializer = EventCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        matchmaking.event_cancel(actor=request.user, event=event, reason=serializer.validated_data.get("reason", ""))
        return Response(self.get_serializer(self._reread(event.pk)).data)

    @extend_schema(request=EventRegistrationSerializer, responses=EventRegistrationSerializer)
    @action(detail=True, methods=["post", "delete"], permission_classes=[permissions.IsAuthenticated])
    def register(self, request, pk=None):
        event = self.get_object()
        if request.method == "DELETE":
            membership = request.user.org_membership
            registration = get_object_or_404(
                EventRegistration.objects.editable_by(request.user),
                event=event,
                organization_id=membership.organization_id if membership else None,
                status=RegistrationStatus.REGISTERED,
            )
            matchmaking.registration_cancel(actor=request.user, registration=registration)
            return Response(status=status.HTTP_204_NO_CONTENT)
        if not matchmaking.may_register(request.user):
            raise PermissionDenied(matchmaking.REGISTER_REFUSED)
        serializer = EventRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = matchmaking.register(actor=request.user, event=event, **serializer.validated_data)
        return Response(EventRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=EventRegistrationSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def registrations(self, request, pk=None):
        """The registrations the reader may see: all for reviewers, their own organisation's for others."""
        event = self.get_object()
        queryset = (
            EventRegistration.objects.visible_to(request.user)
            .filter(event=event)
            .select_related("organization")
            .order_by("created_at", "id")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(EventRegistrationSerializer(page, many=True).data)
