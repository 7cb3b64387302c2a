"""API of the project library: thin ViewSets whose workflow steps call services."""

from collections.abc import Mapping

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from portal import xlsx
from portal.api.base import ScopedModelViewSet
from portal.api.filters import RequestedFiltersBackend
from portal.api.pagination import CursorPagePagination, PagePagination
from portal.api.parsers import FormParser
from portal.filters import integer_schema
from portal.models import Organization
from portal.permissions import HasAgencyPermission, IsEnterprise, IsOfficial

from .. import selectors, services
from ..choices import FIRST_YEAR, LAST_YEAR, FilingStatus
from ..filtersets import ProjectFilterSet, ProjectReportFilterSet
from ..models import ExchangeRate, IntendedProjectSurvey, Project, ProjectReport, figures_scope
from ..resources import (
    MAX_EXPORT_ROWS,
    ProjectImportErrorsSerializer,
    ProjectImportFileSerializer,
    ProjectImportResultSerializer,
    ProjectXlsx,
)
from ..workflow import FILING
from .serializers import (
    ExchangeRateSerializer,
    MapRowSerializer,
    ProjectDetailSerializer,
    ProjectHistorySerializer,
    ProjectReportDetailSerializer,
    ProjectReportSerializer,
    ProjectSerializer,
    ReturnDecisionSerializer,
    ReviewDecisionSerializer,
    StatisticsRowSerializer,
    SubsidyEstimateSerializer,
    SurveyAnswerSerializer,
    SurveySerializer,
)


class ProjectViewSet(ScopedModelViewSet):
    """Overseas projects. The public sees approved projects without values or staff numbers."""

    # The columns the serializer writes, and of the joined rows only what it shows: building
    # fewer model fields is a third of a 50-row page's Python time. search_text is never loaded.
    queryset = Project.objects.select_related("organization", "country").only(
        *(f.name for f in Project._meta.concrete_fields if f.name != "search_text"),
        "organization__name",
        "country__name_zh",
        "country__region",
    )
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    filter_backends = [RequestedFiltersBackend]  # ?search= is part of the FilterSet (projects/search.py)
    pagination_class = CursorPagePagination
    editable_actions = frozenset({"submit", "withdraw", "reports_create"})

    def get_queryset(self):
        return super().get_queryset().with_figures_for(self.request.user)

    def list(self, request, *args, **kwargs):
        # Rows as dicts (values()): building three model instances a row was half the page's time.
        # The page's SQL is compiled once per request shape (portal/api/statements.py). A reader
        # who may see no project's figures (the public) is not sent them: a fifth of the values
        # the driver would decode for nothing.
        columns = ProjectSerializer.row_columns(private=figures_scope(request.user) is not False)
        page = self.paginate_values((*columns, "figures_visible"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={200: ProjectDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        """A project, with the actions you may take on it now (`allowed_actions`)."""
        project = self.get_object()
        data = self.get_serializer(project).data
        data["allowed_actions"] = sorted(selectors.allowed_actions(obj=project, user=request.user))
        return Response(data)

    def perform_create(self, serializer):
        serializer.instance = services.project_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.project_update(
            actor=self.request.user, project=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.project_delete(actor=self.request.user, project=instance)

    def _respond(self, project):
        project = self.get_queryset().get(pk=project.pk)
        return Response(self.get_serializer(project).data)

    @extend_schema(request=None, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the project for filing (备案)."""
        return self._respond(services.project_submit(actor=request.user, project=self.get_object()))

    @extend_schema(request=None, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a submitted filing."""
        return self._respond(services.project_withdraw(actor=request.user, project=self.get_object()))

    @extend_schema(request=ReviewDecisionSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted filing (officials with `review`)."""
        project = self.get_object()  # a record outside the user's scope is a 404 before any 400
        FILING.authorise("approve", obj=project, actor=request.user)  # and a 403 before any 400
        serializer = ReviewDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_approve(actor=request.user, project=project, **serializer.validated_data)
        return self._respond(project)

    @extend_schema(request=ReturnDecisionSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return a submitted filing with a comment saying what to correct (officials with `review`)."""
        project = self.get_object()  # a record outside the user's scope is a 404 before any 400
        FILING.authorise("return", obj=project, actor=request.user)  # and a 403 before any 400
        serializer = ReturnDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_return(actor=request.user, project=project, **serializer.validated_data)
        return self._respond(project)

    @extend_schema(responses={200: ProjectHistorySerializer})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def history(self, request, pk=None):
        """The filing history with officials' comments and the stage changes (owner and officials)."""
        project = self.get_object()
        if not project.figures_visible:
            raise PermissionDenied
        data = {
            "reviews": project.reviews.select_related("actor"),
            "stage_changes": project.stage_changes.select_related("actor"),
        }
        return Response(ProjectHistorySerializer(data).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("year", integer_schema(), required=False),
            OpenApiParameter("half", integer_schema(), required=False),
        ],
        responses={200: ProjectReportSerializer(many=True)},
    )
    # No filterset_class here: get_object() filters *projects* with it, and a report FilterSet
    # over the project queryset is an AssertionError (a 500 on ?year=). The reports are
    # filtered below.
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=PagePagination)
    def reports(self, request, pk=None):
        """The project's half-yearly reports (owner and officials)."""
        project = self.get_object()
        queryset = ProjectReport.objects.visible_to(request.user).filter(project=project).order_by("-year", "-half")
        queryset = ProjectReportFilterSet(request.query_params, queryset=queryset, request=request).qs
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ProjectReportSerializer(page, many=True).data)

    @extend_schema(request=ProjectReportSerializer, responses={201: ProjectReportSerializer})
    @reports.mapping.post
    def reports_create(self, request, pk=None):
        """File a half-yearly report (one per half-year)."""
        project = self.get_object()
        FILING.authorise("report", obj=project, actor=request.user)
        serializer = ProjectReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_create(actor=request.user, project=project, data=serializer.validated_data)
        return Response(ProjectReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("report_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=ProjectReportDetailSerializer,
        responses={200: ProjectReportDetailSerializer},
    )
    @action(
        detail=True,
        methods=["get", "patch"],
        url_path=r"reports/(?P<report_id>[0-9]{1,18})",
        filterset_class=None,
        pagination_class=None,
    )
    def report(self, request, pk=None, report_id=None):
        """One report with its corrections; PATCH corrects its figures (the project's
        organisation, while the project is not under review). The half-year does not change."""
        project = self.get_object()
        reports = ProjectReport.objects.visible_to(request.user).filter(project=project)
        report = get_object_or_404(reports.prefetch_related("revisions__actor"), pk=report_id)
        if request.method == "PATCH":
            for field in ("year", "half"):
                if field in request.data and str(request.data[field]) != str(getattr(report, field)):
                    raise ValidationError({field: _("报告期不能更正；请更正数值，或报送另一个半年度。")})
            serializer = ProjectReportDetailSerializer(report, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            services.report_correct(actor=request.user, report=report, data=serializer.validated_data)
            report = reports.prefetch_related("revisions__actor").get(pk=report.pk)
        return Response(ProjectReportDetailSerializer(report).data)

    @extend_schema(
        parameters=[OpenApiParameter("by", OpenApiTypes.STR, enum=[*selectors.STAT_DIMENSIONS], required=False)],
        responses={200: StatisticsRowSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None, permission_classes=[IsOfficial])
    def statistics(self, request):
        """Counts, contract value in USD and staff by country, region, sector, stage, business
        model or start year, over the filtered projects (approved ones unless filing_status is given)."""
        by = request.query_params.get("by", "country")
        if by not in selectors.STAT_DIMENSIONS:
            raise ValidationError({"by": _("可选：%(dims)s") % {"dims": ", ".join(selectors.STAT_DIMENSIONS)}})
        queryset = self.filter_queryset(self.get_queryset())
        if "filing_status" not in request.query_params:
            queryset = queryset.filter(filing_status=FilingStatus.APPROVED)
        return Response(StatisticsRowSerializer(selectors.project_statistics(queryset, by), many=True).data)

    @extend_schema(responses={200: MapRowSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None, permission_classes=[permissions.AllowAny])
    def map(self, request):
        """Approved projects per country for the overseas map; USD values for officials only."""
        queryset = self.filter_queryset(self.get_queryset())
        with_values = figures_scope(request.user) is True  # sums over every enterprise's figures
        return Response(MapRowSerializer(selectors.project_map(queryset, with_values=with_values), many=True).data)

    @extend_schema(responses={200: ProjectSerializer(many=True)})
    @action(
        detail=False,
        methods=["get"],
        url_path="review-queue",
        pagination_class=PagePagination,
        permission_classes=[HasAgencyPermission("review")],
    )
    def review_queue(self, request):
        """Submitted filings, oldest first (officials)."""
        queryset = selectors.review_queue(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("year", integer_schema(FIRST_YEAR, LAST_YEAR), required=False),
            OpenApiParameter("organization", integer_schema(1), required=False),
        ],
        responses={200: SubsidyEstimateSerializer},
    )
    @action(detail=False, methods=["get"], url_path="subsidy-estimate", filterset_class=None, pagination_class=None)
    def subsidy_estimate(self, request):
        """The subsidy estimate for an organisation and year from its reports (seed 002, 十)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated
        try:
            year = int(request.query_params.get("year", timezone.localdate().year - 1))
        except ValueError as exc:
            raise ValidationError({"year": _("年度必须是整数。")}) from exc
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValidationError({"year": _("年度超出范围。")})
        org_id = request.query_params.get("organization")
        if org_id is None:
            organization = request.user.organization
            if organization is None:
                raise ValidationError({"organization": _("请指定企业。")})
        else:
            if not str(org_id).isdigit():
                raise ValidationError({"organization": _("企业编号无效。")})
            organization = get_object_or_404(Organization.objects.visible_to(request.user), pk=org_id)
        estimate = selectors.subsidy_estimate(organization, year)
        return Response(SubsidyEstimateSerializer(estimate).data)

    # --- Excel export and import (projects/resources.py, portal/xlsx.py) ---------------------

    @extend_schema(
        # The list's filters, documented from the FilterSet as on the list.
        responses={(200, xlsx.CONTENT_TYPE): OpenApiTypes.BINARY},
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        renderer_classes=[JSONRenderer, xlsx.XlsxRenderer],
    )
    def export(self, request):
        """The projects you can see, filtered as the list is, as an Excel workbook. Contract values
        and staff numbers only where you may see them; for the public there are no such columns."""
        # The export writes more of the organisation and country than the list's columns.
        queryset = self.filter_queryset(
            Project.objects.visible_to(request.user).select_related("organization", "country").defer("search_text")
        )
        if queryset[: MAX_EXPORT_ROWS + 1].count() > MAX_EXPORT_ROWS:
            raise ValidationError(
                {"detail": _("一次最多导出 %(max)d 个项目，请增加筛选条件。") % {"max": MAX_EXPORT_ROWS}}
            )
        content = ProjectXlsx().export(user=request.user, queryset=queryset)
        filename = f"projects-{timezone.localdate().isoformat()}.xlsx"
        return HttpResponse(
            content,
            content_type=xlsx.CONTENT_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @extend_schema(
        request={"multipart/form-data": ProjectImportFileSerializer},
        responses={201: ProjectImportResultSerializer, 400: ProjectImportErrorsSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
        permission_classes=[IsEnterprise],
    )
    def import_(self, request):
        """Register your enterprise's projects from an Excel file (the export's columns) as drafts.
        All or nothing: with any bad row nothing is imported, and every error is listed with its
        row number and column."""
        upload = ProjectImportFileSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            result = ProjectXlsx().import_file(upload.validated_data["file"], actor=request.user)
        except xlsx.XlsxError as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        if not result.ok:
            body = {
                "detail": _("未导入任何项目：%(n)d 处错误。") % {"n": len(result.errors)},
                "errors": [error.as_dict() for error in result.errors],
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        body = {"created": len(result.created), "ids": [project.pk for project in result.created]}
        return Response(body, status=status.HTTP_201_CREATED)


class ExchangeRateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Exchange rates to USD that contract values are converted with; officials with `review` set them."""

    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    lookup_field = "currency"
    lookup_value_regex = "[A-Za-z]{3}"
    search_fields = ["currency"]
    pagination_class = PagePagination

    def get_object(self):
        self.kwargs["currency"] = self.kwargs["currency"].upper()
        return super().get_object()

    def update(self, request, *args, **kwargs):
        """Create or change the rate of a currency."""
        if not isinstance(request.data, Mapping):  # e.g. a JSON list: a 400, not a TypeError
            raise ValidationError({"non_field_errors": [_("请求体必须是 JSON 对象。")]})
        serializer = self.get_serializer(data={**request.data, "currency": kwargs["currency"].upper()})
        serializer.is_valid(raise_exception=True)
        rate = services.exchange_rate_set(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(rate).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The annual survey of intended projects: officials open it, enterprises answer."""

    queryset = IntendedProjectSurvey.objects.all()
    serializer_class = SurveySerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PagePagination

    def perform_create(self, serializer):
        serializer.instance = services.survey_open(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """Confirm that your organisation's intended projects are up to date."""
        services.survey_respond(actor=request.user, survey=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: SurveyAnswerSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, permission_classes=[HasAgencyPermission("review")])
    def answers(self, request, pk=None):
        """Every enterprise and whether it has answered (officials)."""
        return Response(SurveyAnswerSerializer(selectors.survey_answers(self.get_object()), many=True).data)
