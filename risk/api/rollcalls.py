"""Safety roll-calls (平安报备) over the API, under the pages' scope (risk/rollcalls.py holds
the rules): officials see every roll-call and row, an organisation's members those of their own
projects, nobody else any.

- `/api/v1/risk/rollcalls/` (`?status=open|closed`): the roll-calls; `POST` (officials with
  `publish_risk`) starts one by hand: `title`, `countries` (codes), `severity` (severe or
  extreme), `starts_at` (now unless given), `ends_at`, `remind_every_hours` (by severity unless
  given). The detail adds `figures`: projects, Chinese and local staff by status, the injured,
  missing and evacuated (an organisation's own; the frozen final figures once closed).
- `{id}/reports/`: `GET` the projects of the roll-call the user may see, the unreported first,
  each with its reports (`?status=`); `POST` (an organisation's members) reports on one:
  `project`, `status` (safe, affected, unreachable), `injured`, `missing`, `evacuated`, `note`.
- `{id}/board/`: one row per organisation, the silent ones first (an organisation: its own).
- `POST {id}/close/` (officials with `publish_risk`): closes it, freezing the figures.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import ChoiceFilter
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from portal.api.base import ScopedViewSetMixin
from portal.api.filters import RequestedFiltersBackend
from portal.api.pagination import PagePagination
from portal.filters import FilterSet
from portal.models import Country
from portal.permissions import is_official

from .. import rollcalls
from ..choices import RollCallStatus, SafetyStatus
from ..models import RollCall, RollCallEntry, RollCallReport, is_publisher


class RollCallFilterSet(FilterSet):
    status = ChoiceFilter(choices=RollCallStatus.choices, label=gettext_lazy("状态"))

    class Meta:
        model = RollCall
        fields = []


class EntryFilterSet(FilterSet):
    """The rows of `{id}/reports/` (no model: the action's queryset is the roll-calls')."""

    status = ChoiceFilter(choices=SafetyStatus.choices, label=gettext_lazy("状态"))


class StatusFiguresSerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    chinese_staff = serializers.IntegerField()
    local_staff = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    statuses = serializers.DictField(child=StatusFiguresSerializer(), help_text="pending, safe, affected, unreachable")
    projects = serializers.IntegerField()
    chinese_staff = serializers.IntegerField()
    local_staff = serializers.IntegerField()
    injured = serializers.IntegerField()
    missing = serializers.IntegerField()
    evacuated = serializers.IntegerField()
    organizations = serializers.IntegerField()
    silent_organizations = serializers.IntegerField()


class RollCallSerializer(serializers.ModelSerializer):
    countries = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Country.objects.all(), required=False
    )
    remind_every_hours = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.CharField(required=False, allow_blank=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)

    class Meta:
        model = RollCall
        fields = [
            "id",
            "title",
            "bulletin",
            "countries",
            "severity",
            "starts_at",
            "ends_at",
            "remind_every_hours",
            "status",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = ["bulletin", "status", "opened_at", "closed_at"]


class RollCallDetailSerializer(RollCallSerializer):
    figures = serializers.SerializerMethodField()

    class Meta(RollCallSerializer.Meta):
        fields = [*RollCallSerializer.Meta.fields, "figures"]

    @extend_schema_field(FiguresSerializer)
    def get_figures(self, rollcall) -> dict:
        scope = rollcalls.organization_scope(self.context["request"].user)
        return FiguresSerializer(rollcalls.figures(rollcall, organization_id=scope)).data


class ReportSerializer(serializers.ModelSerializer):
    reported_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RollCallReport
        fields = ["status", "injured", "missing", "evacuated", "note", "reported_by", "reported_at"]


class EntrySerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    reported_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reports = ReportSerializer(many=True, read_only=True)

    class Meta:
        model = RollCallEntry
        fields = [
            "project",
            "project_name",
            "organization",
            "organization_name",
            "chinese_staff",
            "local_staff",
            "status",
            "injured",
            "missing",
            "evacuated",
            "note",
            "reported_by",
            "reported_at",
            "reports",
        ]


class ReportInputSerializer(serializers.Serializer):
    """Shape only: whole numbers where numbers go; risk.rollcalls.report_check has the rules
    (a negative count is its 400, with the field)."""

    project = serializers.IntegerField()
    status = serializers.CharField(required=False, allow_blank=True)
    injured = serializers.IntegerField(required=False, allow_null=True)
    missing = serializers.IntegerField(required=False, allow_null=True)
    evacuated = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class BoardRowSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization__name")
    projects = serializers.IntegerField()
    chinese_staff = serializers.IntegerField()
    local_staff = serializers.IntegerField()
    pending = serializers.IntegerField()
    safe = serializers.IntegerField()
    affected = serializers.IntegerField()
    unreachable = serializers.IntegerField()
    injured = serializers.IntegerField()
    missing = serializers.IntegerField()
    last_reported_at = serializers.DateTimeField(allow_null=True)
    silent = serializers.SerializerMethodField()

    def get_silent(self, row) -> bool:
        return row["last_reported_at"] is None


class RollCallViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Safety roll-calls (平安报备), the newest first: officials see all, an organisation those
    asking about its projects (another's are a 404)."""

    queryset = RollCall.objects.prefetch_related(Prefetch("countries", queryset=Country.objects.only("code")))
    serializer_class = RollCallSerializer
    filterset_class = RollCallFilterSet
    filter_backends = [RequestedFiltersBackend]
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PagePagination
    editable_actions = frozenset({"close"})

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("reports", "board"):
            return queryset.prefetch_related(None)  # the rows' actions don't show the countries
        return queryset

    def get_serializer_class(self):
        return RollCallDetailSerializer if self.action == "retrieve" else RollCallSerializer

    def create(self, request, *args, **kwargs):
        if not is_publisher(request.user):
            raise PermissionDenied(_("只有具有发布风险权限的主管部门人员可以发起平安报备。"))
        serializer = RollCallSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}
        data["countries"] = list(serializer.validated_data.get("countries") or [])
        rollcall = rollcalls.rollcall_start(actor=request.user, data=data)
        return Response(
            RollCallDetailSerializer(rollcall, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=RollCallDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the roll-call: no more reports or reminders; the figures are frozen."""
        rollcall = rollcalls.rollcall_close(actor=request.user, rollcall=self.get_object())
        return Response(RollCallDetailSerializer(rollcall, context=self.get_serializer_context()).data)

    @extend_schema(request=ReportInputSerializer, responses=EntrySerializer(many=True))
    @action(
        detail=True,
        methods=["get", "post"],
        filterset_class=EntryFilterSet,
        filter_backends=[RequestedFiltersBackend],
        pagination_class=PagePagination,
    )
    def reports(self, request, pk=None):
        """GET: the projects the user may see with their reports, the unreported first; POST: a
        report on one of the organisation's projects."""
        rollcall = self.get_object()
        if request.method == "POST":
            if is_official(request.user) or request.user.org_membership is None:
                raise PermissionDenied(_("只有项目所属单位的成员可以报送平安报备。"))
            serializer = ReportInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            entry = rollcalls.rollcall_report(
                actor=request.user, rollcall=rollcall, project_id=data.pop("project"), data=data
            )
            entry = self._entries(rollcall).get(pk=entry.pk)
            return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)
        queryset = self.filter_queryset(self._entries(rollcall))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    def _entries(self, rollcall):
        return (
            rollcalls.entries_for(rollcall, self.request.user)
            .select_related(None)
            .select_related("project", "organization", "reported_by")
            .prefetch_related(
                Prefetch("reports", queryset=RollCallReport.objects.select_related("reported_by").order_by("-id"))
            )
        )

    @extend_schema(responses=BoardRowSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, filter_backends=[], pagination_class=PagePagination)
    def board(self, request, pk=None):
        """One row per organisation: its projects and staff, how many are in each status, when it
        last reported; the silent organisations first (an organisation: its own row)."""
        rollcall = self.get_object()
        rows = rollcalls.board(rollcall, organization_id=rollcalls.organization_scope(request.user))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(BoardRowSerializer(page, many=True).data)
