"""Emergency plans, drills and plan obligations over the API, under the pages' scope: the
enterprise's members keep their projects' plans and drills, officials read them all, nobody
else sees any (projects/emergency.py holds the rules).

- `/api/v1/emergency-plans/` (`?project=`), `POST` multipart (`project`, `contacts`,
  `evacuation_routes`, `embassy`, `hospitals`, `file`) writes the project's plan, a first one or
  a revision; `{id}/download/` the file.
- `/api/v1/emergency-drills/` (`?project=`), `POST` (`project`, `held_on`, `participants`, `findings`).
- `/api/v1/plan-obligations/` (`?project=`, `?open=true`): the duties opened by level rises.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from portal.api.base import ScopedViewSetMixin
from portal.api.filters import RequestedFiltersBackend
from portal.api.pagination import PagePagination
from portal.files import PrivateFileDownloadMixin, PrivateFileSerializerField
from portal.filters import BooleanFilter, FilterSet, IdFilter
from portal.permissions import is_enterprise

from .. import emergency
from ..models import EmergencyDrill, EmergencyPlan, PlanObligation, Project


class PlanFilterSet(FilterSet):
    project = IdFilter(field_name="project_id", label=gettext_lazy("项目"))

    class Meta:
        model = EmergencyPlan
        fields = []


class DrillFilterSet(PlanFilterSet):
    class Meta:
        model = EmergencyDrill
        fields = []


class ObligationFilterSet(PlanFilterSet):
    open = BooleanFilter(field_name="closed_at", lookup_expr="isnull", label=gettext_lazy("未完成"))

    class Meta:
        model = PlanObligation
        fields = []


class EmergencyPlanSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    file = PrivateFileSerializerField(view_name="api:emergency-plan-download", required=False)

    class Meta:
        model = EmergencyPlan
        fields = [
            "id",
            "project",
            "contacts",
            "evacuation_routes",
            "embassy",
            "hospitals",
            "file",
            "reviewed_on",
            "updated_at",
        ]
        read_only_fields = ["reviewed_on", "updated_at"]
        extra_kwargs = {name: {"required": False, "allow_blank": True} for name in emergency.PLAN_FIELDS}
        validators = []  # one plan per project: the service revises the existing one


class EmergencyDrillSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())

    class Meta:
        model = EmergencyDrill
        fields = ["id", "project", "held_on", "participants", "findings", "created_at"]
        read_only_fields = ["created_at"]


class PlanObligationSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanObligation
        fields = ["id", "project", "level", "due_on", "opened_at", "closed_at"]


def require_enterprise(request) -> None:
    """Before any field is read: only an enterprise's members write plans and drills (officials
    read them)."""
    if not is_enterprise(request.user):
        raise PermissionDenied(_("只有项目所属企业的成员可以维护应急预案和演练。"))


def writable_project(request, project: Project) -> Project:
    """The project named in a write, if the user's organisation keeps it: another's (or one the
    user may not see) is a field error, as if it did not exist."""
    membership = request.user.org_membership
    if membership is None or project.organization_id != membership.organization_id:
        raise ValidationError({"project": [_("项目不存在。")]})
    return project


class EmergencyPlanViewSet(
    PrivateFileDownloadMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Emergency plans (应急预案) of the user's organisation's projects (officials: all)."""

    queryset = EmergencyPlan.objects.select_related("project")
    serializer_class = EmergencyPlanSerializer
    filterset_class = PlanFilterSet
    filter_backends = [RequestedFiltersBackend]  # the project filter; no search or ordering
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PagePagination
    download_filename_field = "title"

    def create(self, request, *args, **kwargs):
        require_enterprise(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = writable_project(request, data.pop("project"))
        existed = EmergencyPlan.objects.filter(project=project).exists()
        plan = emergency.plan_set(actor=request.user, project=project, data=data)
        return Response(
            self.get_serializer(plan).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class EmergencyDrillViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Drills (应急演练) of the user's organisation's projects (officials: all), newest first."""

    queryset = EmergencyDrill.objects.all()
    serializer_class = EmergencyDrillSerializer
    filterset_class = DrillFilterSet
    filter_backends = [RequestedFiltersBackend]
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PagePagination

    def create(self, request, *args, **kwargs):
        require_enterprise(request)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project = writable_project(self.request, data.pop("project"))
        serializer.instance = emergency.drill_add(actor=self.request.user, project=project, data=data)


class PlanObligationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Duties to update a plan, opened when a country's level rose to 3 or 4, due in 30 days."""

    queryset = PlanObligation.objects.all()
    serializer_class = PlanObligationSerializer
    filterset_class = ObligationFilterSet
    filter_backends = [RequestedFiltersBackend]
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PagePagination
