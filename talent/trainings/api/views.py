"""API of the trainings: thin ViewSets whose workflow steps call services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.response import Response

from portal.api.base import ScopedModelViewSet
from portal.api.pagination import PagePagination
from portal.choices import AgencyPermission

from .. import selectors, services
from ..filtersets import EnrollmentFilterSet, TrainingSessionFilterSet
from ..models import Enrollment, TrainingSession
from .serializers import (
    AttendanceSerializer,
    CancelSerializer,
    CheckInSerializer,
    EnrollmentSerializer,
    TrainingSessionDetailSerializer,
    TrainingSessionSerializer,
)


class TrainingSessionViewSet(ScopedModelViewSet):
    """Training sessions. Anyone reads published ones; organisers (`organise_training`) create,
    edit, publish and cancel; signed-in users enrol (POST) or cancel (DELETE) on `enroll/`."""

    queryset = selectors.sessions_with_counts(TrainingSession.objects.all()).order_by("-starts_at", "-id")
    serializer_class = TrainingSessionSerializer
    filterset_class = TrainingSessionFilterSet
    pagination_class = PagePagination
    permission_classes = [permissions.AllowAny]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    editable_actions = frozenset({"publish", "cancel", "attendance", "enrollments_write"})
    search_fields = ["title", "venue"]

    def get_serializer_class(self):
        return TrainingSessionDetailSerializer if self.action == "retrieve" else TrainingSessionSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("countries", "agenda__countries")
        elif self.action in ("list", "create", "update", "partial_update", "publish", "cancel"):
            queryset = queryset.prefetch_related("countries")
        return queryset

    def _signed_in(self):
        if not self.request.user.is_authenticated:
            raise NotAuthenticated

    def _reread(self, pk):
        return self.get_queryset().get(pk=pk)

    def create(self, request, *args, **kwargs):
        self._signed_in()
        if not request.user.has_agency_permission(AgencyPermission.ORGANISE_TRAINING):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        countries = data.pop("countries", ())
        session = services.session_create(actor=request.user, countries=countries, **data)
        return Response(self.get_serializer(self._reread(session.pk)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        self._signed_in()
        session = self.get_object()
        serializer = self.get_serializer(session, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        countries = data.pop("countries", None)
        session = services.session_update(actor=request.user, session=session, countries=countries, **data)
        return Response(self.get_serializer(self._reread(session.pk)).data)

    def destroy(self, request, *args, **kwargs):
        """Deleting is cancelling: a session once announced stays in the calendar as cancelled."""
        self._signed_in()
        session = self.get_object()
        services.session_cancel(actor=request.user, session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=TrainingSessionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        self._signed_in()
        session = services.session_publish(actor=request.user, session=self.get_object())
        return Response(self.get_serializer(self._reread(session.pk)).data)

    @extend_schema(request=CancelSerializer, responses=TrainingSessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        self._signed_in()
        session = self.get_object()
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_cancel(actor=request.user, session=session, reason=serializer.validated_data.get("reason", ""))
        return Response(self.get_serializer(self._reread(session.pk)).data)

    @extend_schema(request=None, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post", "delete"], permission_classes=[permissions.IsAuthenticated])
    def enroll(self, request, pk=None):
        session = self.get_object()
        if request.method == "DELETE":
            enrollment = get_object_or_404(Enrollment, session=session, user=request.user)
            services.enrollment_cancel(actor=request.user, enrollment=enrollment)
            return Response(status=status.HTTP_204_NO_CONTENT)
        enrollment = services.enroll(actor=request.user, session=session)
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"], url_path="accept-offer", permission_classes=[permissions.IsAuthenticated])
    def accept_offer(self, request, pk=None):
        session = self.get_object()
        enrollment = get_object_or_404(Enrollment, session=session, user=request.user)
        enrollment = services.offer_accept(actor=request.user, enrollment=enrollment)
        return Response(EnrollmentSerializer(enrollment).data)

    @extend_schema(request=CheckInSerializer, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"], url_path="check-in", permission_classes=[permissions.IsAuthenticated])
    def check_in(self, request, pk=None):
        session = self.get_object()
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = services.check_in(actor=request.user, session=session, code=serializer.validated_data["code"])
        return Response(EnrollmentSerializer(enrollment).data)

    @extend_schema(request=AttendanceSerializer, responses=None)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        self._signed_in()
        session = self.get_object()
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = services.attendance_mark(
            actor=request.user,
            session=session,
            attended_ids=serializer.validated_data["attended"],
            absent_ids=serializer.validated_data.get("absent", []),
        )
        return Response({"changed": changed})

    @extend_schema(responses=EnrollmentSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def enrollments(self, request, pk=None):
        """The session's enrolments the reader may see: all for organisers, their own
        organisation's and their own for others."""
        session = self.get_object()
        queryset = (
            Enrollment.objects.visible_to(request.user)
            .filter(session=session)
            .select_related("user", "organization")
            .order_by("status", "waiting_since", "created_at", "id")
        )
        queryset = EnrollmentFilterSet(request.query_params, queryset=queryset, request=request).qs
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(EnrollmentSerializer(page, many=True).data)
