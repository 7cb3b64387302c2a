"""API of the talent pool: a thin ViewSet whose writes call talent/services.py."""

from __future__ import annotations

from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.base import ScopedModelViewSet
from portal.api.pagination import PagePagination

from .. import selectors, services
from ..filtersets import TalentProfileFilterSet
from ..models import TalentProfile
from .serializers import TalentExportSerializer, TalentProfileSerializer


class TalentProfileViewSet(ScopedModelViewSet):
    """The talent pool (人才库). Enterprise members and officials search active profiles, ranked
    by the match score with its reasons (docs/talent.md); a talent reads and keeps their own;
    an enterprise enters profiles for its staff. Suppliers and the public see none. The contact
    details come only with a single profile, to verified enterprises, officials and the person,
    and each such read is logged for the person to see."""

    queryset = TalentProfile.objects.select_related("entered_by")
    serializer_class = TalentProfileSerializer
    filterset_class = TalentProfileFilterSet
    pagination_class = PagePagination
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    editable_actions = frozenset({"withdraw_consent", "export"})

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            queryset = selectors.list_rows(queryset)
        return queryset

    def filter_queryset(self, queryset):
        if self.action != "list":
            return super().filter_queryset(queryset)
        filterset = self.filterset_class(self.request.query_params, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        criteria = filterset.criteria()
        return selectors.with_match(filterset.qs, criteria, filtered=criteria.filtered())

    def _reread(self, pk):
        return selectors.list_rows(TalentProfile.objects.all()).get(pk=pk)

    def retrieve(self, request, *args, **kwargs):
        profile = self.get_object()
        shown = ()
        if services.may_see_contacts(request.user, profile):
            services.contact_view_record(viewer=request.user, profile=profile)
            shown = (profile.pk,)
        return Response(
            self.get_serializer(profile, context={**self.get_serializer_context(), "contacts_shown_for": shown}).data
        )

    def _mine(self, profile):
        """The person's own (or the entering enterprise's) view of the profile, contacts included."""
        context = {**self.get_serializer_context(), "contacts_shown_for": (profile.pk,)}
        return self.get_serializer(self._reread(profile.pk), context=context).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_create(
            actor=request.user,
            consent=serializer.validated_data.get("consent", False),
            **serializer.service_arguments(),
        )
        return Response(self._mine(profile), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        profile = self.get_object()
        serializer = self.get_serializer(profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(actor=request.user, profile=profile, **serializer.service_arguments())
        return Response(self._mine(profile))

    def destroy(self, request, *args, **kwargs):
        services.profile_delete(actor=request.user, profile=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=TalentExportSerializer)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Everything held about the person, contact-view log and consent records included."""
        data = services.profile_export(actor=request.user, profile=self.get_object())
        response = Response(data)
        response["Content-Disposition"] = f'attachment; filename="talent-{data["id"]}.json"'
        return response

    @extend_schema(request=None, responses=TalentProfileSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw-consent")
    def withdraw_consent(self, request, pk=None):
        """Withdraw consent: the profile is hidden at once and its personal fields erased."""
        profile = services.profile_withdraw_consent(actor=request.user, profile=self.get_object())
        return Response(self._mine(profile))
