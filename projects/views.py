"""Pages of the project library (namespace `projects`): the list with its four libraries, a
project's page with the filing workflow and the half-yearly reports, the enterprise's workspace,
the review queue, the annual survey, the statistics and the overseas map (海外图谱).

Thin, like portal/views.py: a page reads through `Project.objects.visible_to(user)`
(portal/viewmixins.py) and the API's FilterSet (as a filter bar, projects/forms.py), checks the
shape of the input with a form and calls a service (projects/services.py), which owns the rule.
A service's ValidationError goes back onto the form or into a message; its PermissionError
becomes a message. Contract values and staff numbers are shown by the API's rule
(`figures_scope` in projects/models.py): to the owning organisation and to officials only.
"""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.choices import OrganizationKind, Region
from portal.forms import add_service_errors
from portal.models import Country
from portal.viewmixins import get_editable_or_403, get_scoped_or_404

from . import selectors, services
from .choices import FilingStatus, Library
from .forms import (
    MapFilterSet,
    ProjectForm,
    ProjectPageFilterSet,
    ProjectProgressForm,
    ReportForm,
    ReviewForm,
    ReviewQueueFilterSet,
    StatisticsFilterSet,
    SurveyOpenForm,
    country_label,
)
from .models import IntendedProjectSurvey, Project, ProjectReport, SurveyResponse, figures_scope

PAGE_SIZE = 20
# The filter of the list that each statistics dimension's rows link to.
DIMENSION_FILTERS = {
    "country": "country",
    "region": "region",
    "sector": "sector",
    "stage": "stage",
    "business_model": "business_model",
    "year": "year",
}
# How many rows of a dimension the bar chart shows (the table shows them all).
CHART_ROWS = 20


# --- Who may do what ------------------------------------------------------------------------


def _is_enterprise(user) -> bool:
    membership = user.org_membership if user.is_authenticated else None
    return bool(membership and membership.organization.kind == OrganizationKind.ENTERPRISE)


def _is_official(user) -> bool:
    return user.is_authenticated and user.is_official


def _is_reviewer(user) -> bool:
    return user.is_authenticated and user.has_agency_permission("review")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _error_text(error: ValidationError | PermissionError) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _render(request, template: str, context: dict, **kwargs) -> HttpResponse:
    """Render a page of the section with its navigation (what the user may open)."""
    user = request.user
    context["section"] = {
        "enterprise": _is_enterprise(user),
        "official": _is_official(user),
        "reviewer": _is_reviewer(user),
    }
    return render(request, template, context, **kwargs)


def _filter_query(request, *drop: str) -> str:
    """The page's query string without `page` (and `drop`), for pagination and tab links."""
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


def _join_query(*parts: str) -> str:
    return "&".join(part for part in parts if part)


# --- The list -------------------------------------------------------------------------------


def project_list(request):
    """Projects the user may see, filtered like the API, in the four libraries (tabs)."""
    user = request.user
    queryset = Project.objects.visible_to(user).with_figures_for(user).select_related("organization", "country")
    queryset = queryset.order_by("-id")
    filterset = ProjectPageFilterSet(request.GET, queryset=queryset, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"project": project, "details": project.figures_visible} for project in page]
    current = request.GET.get("library", "")
    base = _filter_query(request, "library")
    tabs = [{"key": "", "label": _("全部项目"), "query": base, "current": current not in Library.values}]
    tabs += [
        {"key": key, "label": label, "query": _join_query(base, f"library={key}"), "current": current == key}
        for key, label in Library.choices
    ]
    context = {
        "filterset": filterset,
        "page_obj": page,
        "paginator": page.paginator,
        "rows": rows,
        "tabs": tabs,
        "filter_query": _filter_query(request),
        "show_status": user.is_authenticated and (user.is_official or user.org_membership is not None),
        "show_values": any(row["details"] for row in rows),
        "can_create": _is_enterprise(user),
    }
    return _render(request, "projects/project_list.html", context)


# --- One project ----------------------------------------------------------------------------


def _detail_context(request, project: Project, **forms) -> dict:
    user = request.user
    details = project.figures_visible
    member = user.is_authenticated and Project.objects.editable_by(user).filter(pk=project.pk).exists()
    status = project.filing_status
    reviewer = _is_reviewer(user)
    context = {
        "project": project,
        "details": details,
        "member": member,
        "can_edit": member and status in services.EDITABLE_STATUSES,
        "can_delete": member and status in services.DELETABLE_STATUSES,
        "can_submit": member and status in services.SUBMITTABLE_STATUSES,
        "can_withdraw": member and status == FilingStatus.SUBMITTED,
        "can_report": member and status == FilingStatus.APPROVED,
        "can_review": reviewer and status == FilingStatus.SUBMITTED,
        "reviews": list(project.reviews.select_related("actor")) if details else [],
        "stage_changes": project.stage_changes.select_related("actor") if details else [],
        "reports": ProjectReport.objects.visible_to(user).filter(project=project).order_by("-year", "-half"),
    }
    if context["can_review"]:
        context["review_form"] = forms.get("review_form") or ReviewForm()
    if context["can_report"]:
        context["report_form"] = forms.get("report_form") or ReportForm()
        context["progress_form"] = forms.get("progress_form") or ProjectProgressForm(instance=project)
    if _is_official(user):
        year = timezone.localdate().year - 1
        context["subsidy"] = selectors.subsidy_estimate(project.organization, year)
    return context


def _project_or_404(request, pk: int) -> Project:
    queryset = Project.objects.with_figures_for(request.user).select_related("organization", "country")
    return get_scoped_or_404(queryset, request.user, pk=pk)


def _editable_or_403(request, pk: int) -> Project:
    queryset = Project.objects.with_figures_for(request.user).select_related("organization", "country")
    return get_editable_or_403(queryset, request.user, pk=pk)


def project_detail(request, pk: int):
    """A project: public fields for everyone who may see it; values, staff, the filing history
    and the reports for its organisation and officials; the actions each may take."""
    project = _project_or_404(request, pk)
    return _render(request, "projects/project_detail.html", _detail_context(request, project))


@login_required
def project_create(request):
    """An enterprise registers a project; it is saved as a draft until submitted."""
    _require(_is_enterprise(request.user))
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("项目已保存为草稿。核对无误后请提交备案。"))
            return redirect("projects:detail", pk=project.pk)
    return _render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request, pk: int):
    """Edit a project (draft, returned, withdrawn or approved; an approved project whose key
    details change goes back to review)."""
    project = _editable_or_403(request, pk)
    if project.filing_status not in services.EDITABLE_STATUSES:
        messages.warning(request, _("待审核的项目不能修改，请先撤回备案。"))
        return redirect("projects:detail", pk=project.pk)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        was_approved = project.filing_status == FilingStatus.APPROVED
        try:
            project = services.project_update(actor=request.user, project=project, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionError as error:
            messages.error(request, str(error))
        else:
            if was_approved and project.filing_status == FilingStatus.SUBMITTED:
                messages.warning(request, _("项目关键信息已变更，已重新提交主管部门审核。"))
            else:
                messages.success(request, _("项目信息已保存。"))
            return redirect("projects:detail", pk=project.pk)
    return _render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
def project_delete(request, pk: int):
    """GET asks for confirmation; POST deletes the (unfiled) project."""
    project = _editable_or_403(request, pk)
    if project.filing_status not in services.DELETABLE_STATUSES:
        messages.error(request, _("已提交或已备案的项目不能删除。"))
        return redirect("projects:detail", pk=project.pk)
    if request.method == "POST":
        try:
            services.project_delete(actor=request.user, project=project)
        except (ValidationError, PermissionError) as error:
            messages.error(request, _error_text(error))
            return redirect("projects:detail", pk=project.pk)
        messages.success(request, _("已删除项目“%(name)s”。") % {"name": project.name})
        return redirect("projects:workspace")
    return _render(request, "projects/project_confirm_delete.html", {"project": project})


def _workflow_step(service, success: str):
    """A POST on a project of the user's organisation that calls `service(actor=, project=)`."""

    @login_required
    @require_POST
    def view(request, pk: int):
        project = _editable_or_403(request, pk)
        try:
            service(actor=request.user, project=project)
        except (ValidationError, PermissionError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, str(success))
        return redirect("projects:detail", pk=project.pk)

    return view


project_submit = _workflow_step(services.project_submit, gettext_lazy("已提交备案，请等待主管部门审核。"))
project_withdraw = _workflow_step(services.project_withdraw, gettext_lazy("已撤回备案，可修改后重新提交。"))


@login_required
@require_POST
def project_review(request, pk: int, decision: str):
    """An official with `review` approves or returns a submitted filing."""
    project = _project_or_404(request, pk)
    _require(_is_reviewer(request.user))
    form = ReviewForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if decision == "approve":
                services.project_approve(actor=request.user, project=project, comment=comment)
            else:
                services.project_return(actor=request.user, project=project, comment=comment)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                messages.error(request, _error_text(error))
                return redirect("projects:detail", pk=project.pk)
        except PermissionError as error:
            messages.error(request, str(error))
            return redirect("projects:detail", pk=project.pk)
        else:
            if decision == "approve":
                messages.success(request, _("已通过“%(name)s”的备案。") % {"name": project.name})
            else:
                messages.success(request, _("已将“%(name)s”退回企业修改。") % {"name": project.name})
            return redirect("projects:review_queue")
    context = _detail_context(request, project, review_form=form)
    return _render(request, "projects/project_detail.html", context)


@login_required
@require_POST
def report_create(request, pk: int):
    """The enterprise files a half-yearly report on an approved project."""
    project = _editable_or_403(request, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_create(actor=request.user, project=project, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionError as error:
            messages.error(request, str(error))
            return redirect("projects:detail", pk=project.pk)
        else:
            messages.success(
                request,
                _("已报送 %(year)s 年%(half)s的项目情况。") % {"year": report.year, "half": report.get_half_display()},
            )
            return redirect("projects:detail", pk=project.pk)
    context = _detail_context(request, project, report_form=form)
    return _render(request, "projects/project_detail.html", context)


@login_required
@require_POST
def project_progress(request, pk: int):
    """After approval: the stage, staffing and embassy registration (services.project_update)."""
    project = _editable_or_403(request, pk)
    form = ProjectProgressForm(request.POST, instance=project)
    if form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionError as error:
            messages.error(request, str(error))
            return redirect("projects:detail", pk=project.pk)
        else:
            messages.success(request, _("项目进展已更新。"))
            return redirect("projects:detail", pk=project.pk)
    project.refresh_from_db()
    context = _detail_context(request, project, progress_form=form)
    return _render(request, "projects/project_detail.html", context)


# --- The enterprise's workspace -------------------------------------------------------------


@login_required
def workspace(request):
    """The enterprise's own projects by filing status, its subsidy estimate and the open survey."""
    user = request.user
    _require(_is_enterprise(user))
    organization = user.org_membership.organization
    projects = list(Project.objects.editable_by(user).select_related("country").order_by("-updated_at", "-id"))
    groups = []
    for status, label in FilingStatus.choices:
        items = [p for p in projects if p.filing_status == status]
        groups.append({"status": status, "label": label, "projects": items, "count": len(items)})
    # Returned filings need the enterprise's attention first.
    order = [FilingStatus.RETURNED, FilingStatus.DRAFT, FilingStatus.WITHDRAWN, FilingStatus.SUBMITTED]
    groups.sort(key=lambda g: order.index(g["status"]) if g["status"] in order else len(order))
    today = timezone.localdate()
    surveys = (
        IntendedProjectSurvey.objects.filter(opens_on__lte=today, closes_on__gte=today)
        .annotate(answered=Exists(SurveyResponse.objects.filter(survey=OuterRef("pk"), organization=organization)))
        .order_by("-year")
    )
    context = {
        "organization": organization,
        "groups": groups,
        "total": len(projects),
        "estimates": [selectors.subsidy_estimate(organization, year) for year in (today.year - 1, today.year)],
        "surveys": surveys,
    }
    return _render(request, "projects/workspace.html", context)


@login_required
@require_POST
def survey_respond(request, pk: int):
    """The enterprise confirms its intended projects are up to date for the survey."""
    survey = get_object_or_404(IntendedProjectSurvey, pk=pk)
    try:
        services.survey_respond(actor=request.user, survey=survey)
    except (ValidationError, PermissionError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已确认本企业 %(year)s 年度意向项目。") % {"year": survey.year})
    return redirect("projects:workspace")


# --- Officials: review queue and surveys ----------------------------------------------------


@login_required
def review_queue(request):
    """Submitted filings, oldest first, for officials with `review`."""
    _require(_is_reviewer(request.user))
    queryset = Project.objects.visible_to(request.user).select_related("organization", "country")
    filterset = ReviewQueueFilterSet(request.GET, queryset=queryset, request=request)
    page = Paginator(selectors.review_queue(filterset.qs), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page_obj": page,
        "paginator": page.paginator,
        "projects": page.object_list,
        "filter_query": _filter_query(request),
    }
    return _render(request, "projects/review_queue.html", context)


@login_required
def survey_list(request):
    """The annual surveys of intended projects; an official with `review` opens the next one."""
    _require(_is_reviewer(request.user))
    form = SurveyOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_open(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已发起 %(year)s 年度意向项目调查，企业将收到通知。") % {"year": survey.year})
            return redirect("projects:survey_detail", pk=survey.pk)
    surveys = IntendedProjectSurvey.objects.annotate(answered=Count("responses")).order_by("-year")
    return _render(request, "projects/survey_list.html", {"form": form, "surveys": surveys})


@login_required
def survey_detail(request, pk: int):
    """Who has answered a survey, enterprise by enterprise."""
    _require(_is_reviewer(request.user))
    survey = get_object_or_404(IntendedProjectSurvey, pk=pk)
    answers = selectors.survey_answers(survey)
    context = {
        "survey": survey,
        "answers": answers,
        "answered": sum(1 for row in answers if row["answered"]),
    }
    return _render(request, "projects/survey_detail.html", context)


# --- Statistics and the map -----------------------------------------------------------------


def _statistics(request):
    """The dimension and the rows of the statistics page (and its export)."""
    by = request.GET.get("by", "country")
    if by not in selectors.STAT_DIMENSIONS:
        by = "country"
    queryset = Project.objects.visible_to(request.user)
    filterset = StatisticsFilterSet(request.GET, queryset=queryset, request=request)
    queryset = filterset.qs
    if not request.GET.getlist("filing_status"):
        queryset = queryset.filter(filing_status=FilingStatus.APPROVED)  # as the API does
    rows = selectors.project_statistics(queryset, by)
    if by == "country" and (get_language() or "").startswith("en"):
        names = dict(Country.objects.filter(code__in=[r["key"] for r in rows]).values_list("code", "name_en"))
        for row in rows:
            row["label"] = names.get(row["key"], row["label"])
    return by, filterset, rows


@login_required
def statistics(request):
    """Counts, contract value in USD and staff by a dimension, for officials."""
    _require(_is_official(request.user))
    by, filterset, rows = _statistics(request)
    query = _filter_query(request, "by")
    link_filter = DIMENSION_FILTERS[by]
    for row in rows:
        row["query"] = _join_query(_filter_query(request, "by", link_filter), f"{link_filter}={row['key']}")
    totals = {
        "count": sum(r["count"] for r in rows),
        "contract_value_usd": sum((r["contract_value_usd"] for r in rows), Decimal(0)),
        "chinese_staff": sum(r["chinese_staff"] for r in rows),
        "local_staff": sum(r["local_staff"] for r in rows),
    }
    chart = {
        "labels": [r["label"] for r in rows[:CHART_ROWS]],
        "count": [r["count"] for r in rows[:CHART_ROWS]],
        "value": [float(r["contract_value_usd"]) for r in rows[:CHART_ROWS]],
        "names": {"count": _("项目数"), "value": _("合同金额（美元）")},
    }
    dimensions = [
        {"key": key, "label": label, "query": _join_query(query, f"by={key}"), "current": key == by}
        for key, label in _dimension_labels().items()
    ]
    context = {
        "by": by,
        "by_label": _dimension_labels()[by],
        "filterset": filterset,
        "rows": rows,
        "totals": totals,
        "chart": chart,
        "dimensions": dimensions,
        "export_query": _join_query(query, f"by={by}"),
    }
    return _render(request, "projects/statistics.html", context)


def _dimension_labels() -> dict[str, str]:
    return {
        "country": _("国家"),
        "region": _("地区"),
        "sector": _("行业"),
        "stage": _("阶段"),
        "business_model": _("业务模式"),
        "year": _("开工年度"),
    }


@login_required
def statistics_export(request):
    """The statistics table as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
    the Chinese names)."""
    _require(_is_official(request.user))
    by, _filterset, rows = _statistics(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="project-statistics-{by}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [_("代码"), _dimension_labels()[by], _("项目数"), _("合同金额（美元）"), _("中方人员"), _("外籍（当地）人员")]
    )
    for row in rows:
        writer.writerow(
            [
                row["key"],
                row["label"],
                row["count"],
                row["contract_value_usd"],
                row["chinese_staff"],
                row["local_staff"],
            ]
        )
    return response


def project_map(request):
    """The overseas map (海外图谱): approved projects by country, coloured by count (everyone) or
    contract value in USD (officials), each country linking to the filtered list."""
    user = request.user
    with_values = figures_scope(user) is True  # sums over every enterprise's figures
    metric = request.GET.get("metric", "count")
    if metric != "value" or not with_values:
        metric = "count"
    filterset = MapFilterSet(request.GET, queryset=Project.objects.visible_to(user), request=request)
    rows = selectors.project_map(filterset.qs, with_values=with_values)
    english = (get_language() or "").startswith("en")
    regions = dict(Region.choices)
    countries = Country.objects.values_list("code", "name_zh", "name_en")
    names = {code: country_label(zh, en) for code, zh, en in countries}
    filters = _filter_query(request, "metric")
    list_query = _join_query(filters, f"filing_status={FilingStatus.APPROVED}")
    data = []
    for row in rows:
        row["name"] = row["name_en"] if english else row["name_zh"]
        row["region_label"] = regions.get(row["region"], row["region"])
        row["query"] = _join_query(f"country={row['code']}", list_query)
        item = {"code": row["code"], "name": row["name"], "count": row["count"]}
        if with_values:
            item["value"] = float(row["value_usd"])
        data.append(item)
    context = {
        "filterset": filterset,
        "rows": sorted(rows, key=lambda r: (-r["count"], r["code"])),
        "map_data": data,
        "country_names": names,
        "map_labels": {
            "count": _("项目数"),
            "value": _("合同金额（美元）"),
            "none": _("暂无已备案项目"),
            "failed": _("地图加载失败，请查看下表。"),
            "high": _("多"),
            "low": _("少"),
        },
        "metric": metric,
        "with_values": with_values,
        "metric_links": [
            {"key": "count", "label": _("按项目数"), "query": _join_query(filters, "metric=count")},
            {"key": "value", "label": _("按合同金额"), "query": _join_query(filters, "metric=value")},
        ],
        "list_url": reverse("projects:list"),
        "list_query": list_query,
        "total": sum(r["count"] for r in rows),
    }
    return _render(request, "projects/map.html", context)
