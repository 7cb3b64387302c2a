"""The list with its four libraries, a project's page, its forms and its filing workflow."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import xlsx
from portal.generic import ObjectActionView, ObjectListView, ServiceFormView, filter_query, join_query
from portal.permissions import is_enterprise, is_official

from .. import selectors, services
from ..choices import FilingStatus, Library, ReviewAction
from ..forms import ProjectForm, ProjectPageFilterSet, ProjectProgressForm, ReportForm, ReviewForm
from ..models import Project, ProjectReport, ProjectReportRevision, ProjectReview
from ..resources import MAX_EXPORT_ROWS, ProjectXlsx
from .base import ProjectObject, ProjectSection


class ProjectListView(ProjectSection, ObjectListView):
    """Projects the user may see, filtered like the API, in the four libraries (tabs)."""

    template_name = "projects/project_list.html"
    filterset_class = ProjectPageFilterSet

    def get_queryset(self):
        user = self.request.user
        queryset = Project.objects.visible_to(user).with_figures_for(user)
        return queryset.select_related("organization", "country").order_by("-id")

    def extra_context(self, page) -> dict:
        request, user = self.request, self.request.user
        rows = [{"project": project, "details": project.figures_visible} for project in page]
        current = request.GET.get("library", "")
        base = filter_query(request, "library")
        tabs = [{"key": "", "label": _("全部项目"), "query": base, "current": current not in Library.values}]
        tabs += [
            {"key": key, "label": label, "query": join_query(base, f"library={key}"), "current": current == key}
            for key, label in Library.choices
        ]
        return {
            "rows": rows,
            "tabs": tabs,
            "show_status": user.is_authenticated and (user.is_official or user.org_membership is not None),
            "show_values": any(row["details"] for row in rows),
            "can_create": is_enterprise(user),
        }


def return_review(project: Project | None) -> ProjectReview | None:
    """The official's return of a returned filing, whose comment says what to correct."""
    if project is None or project.filing_status != FilingStatus.RETURNED:
        return None
    return project.reviews.filter(action=ReviewAction.RETURNED).select_related("actor").order_by("-id").first()


def report_rows(reports) -> list[ProjectReport]:
    """The reports, newest first, each with `history`: its corrections, newest first, as
    (revision, [(field label, value before)])."""
    revisions = ProjectReportRevision.objects.select_related("actor")
    reports = list(reports.prefetch_related(Prefetch("revisions", queryset=revisions)).order_by("-year", "-half"))
    labels = {name: ProjectReport._meta.get_field(name).verbose_name for name in services.REPORT_CORRECTABLE_FIELDS}
    for report in reports:
        report.history = [
            {"revision": revision, "changes": [(labels.get(k, k), v) for k, v in revision.previous.items()]}
            for revision in report.revisions.all()
        ]
    return reports


def detail_context(view, project: Project, **forms) -> dict:
    """The project's page: public fields for everyone who may see it; values, staff, the
    filing history and the reports for its organisation and officials; the open actions."""
    user = view.request.user
    allowed = view.allowed(project)
    details = project.figures_visible
    context = {
        "project": project,
        "allowed": allowed,
        "details": details,
        "member": user.is_authenticated and Project.objects.editable_by(user).filter(pk=project.pk).exists(),
        "reviews": list(project.reviews.select_related("actor")) if details else [],
        "stage_changes": project.stage_changes.select_related("actor") if details else [],
        "reports": report_rows(ProjectReport.objects.visible_to(user).filter(project=project)),
        # A filed report may be corrected while the project is not under review.
        "can_correct": project.filing_status != FilingStatus.SUBMITTED,
    }
    if "approve" in allowed:
        context["review_form"] = forms.get("review_form") or ReviewForm()
    if "report" in allowed:
        context["report_form"] = forms.get("report_form") or ReportForm(period=services.next_report_period(project))
        context["progress_form"] = forms.get("progress_form") or ProjectProgressForm(instance=project)
    if is_official(user):
        year = timezone.localdate().year - 1
        context["subsidy"] = selectors.subsidy_estimate(project.organization, year)
    return context


class ProjectDetailView(ProjectSection, ProjectObject):
    template_name = "projects/project_detail.html"

    def get(self, request, pk: int):
        return self.render(detail_context(self, self.get_object()))


class ProjectCreateView(ProjectSection, ProjectObject, ServiceFormView):
    """An enterprise registers a project; it is saved as a draft until submitted."""

    template_name = "projects/project_form.html"
    login_required = True
    permission = is_enterprise
    permission_denied_message = gettext_lazy("只有企业用户可以登记项目。")
    object_view = False
    form_class = ProjectForm
    success_message = gettext_lazy("项目已保存为草稿。核对无误后请提交备案。")

    def perform(self, form, obj):
        return services.project_create(actor=self.request.user, data=form.service_data())

    def check(self, form, obj):
        services.project_check(data=form.service_data(), project=obj, refused=tuple(form.errors))

    def success(self, project):
        return redirect("projects:detail", pk=project.pk)

    def invalid(self, form, obj):
        return self.render({"form": form, "project": obj, "return_review": return_review(obj)})


class ProjectEditView(ProjectCreateView):
    """Edit a project (draft, returned, withdrawn or approved; an approved project whose key
    details change goes back to review)."""

    permission = None
    object_view = True
    write = True
    action = "edit"

    def form_kwargs(self, obj):
        return {"instance": obj}

    def perform(self, form, obj):
        self.was_approved = obj.filing_status == FilingStatus.APPROVED
        return services.project_update(actor=self.request.user, project=obj, data=form.service_data())

    def message(self, project) -> str:
        if self.was_approved and project.filing_status == FilingStatus.SUBMITTED:
            messages.warning(self.request, _("项目关键信息已变更，已重新提交主管部门审核。"))
            return ""
        return _("项目信息已保存。")


class ProjectDeleteView(ProjectSection, ProjectObject, ServiceFormView):
    """GET asks for confirmation; POST deletes the (unfiled) project."""

    template_name = "projects/project_confirm_delete.html"
    login_required = True
    write = True
    action = "delete"
    form_class = forms.Form  # nothing to fill in: the POST confirms

    def perform(self, form, project):
        services.project_delete(actor=self.request.user, project=project)
        return project

    def message(self, project) -> str:
        return _("已删除项目“%(name)s”。") % {"name": project.display_name}

    def success(self, project):
        return redirect("projects:workspace")

    def invalid(self, form, project):
        if self.request.method == "POST":  # the service refused: say why on the project's page
            for error in form.non_field_errors():
                messages.error(self.request, error)
            return self.back(project)
        return self.render({"project": project})


class ProjectStepView(ProjectObject, ObjectActionView):
    """A workflow step of the owner's on the project's page (submit, withdraw)."""

    write = True
    service_arg = "project"


project_list = ProjectListView.as_view()
project_detail = ProjectDetailView.as_view()
project_create = ProjectCreateView.as_view()
project_edit = ProjectEditView.as_view()
project_delete = ProjectDeleteView.as_view()
project_submit = ProjectStepView.as_view(
    service=services.project_submit, success_message=gettext_lazy("已提交备案，请等待主管部门审核。")
)
project_withdraw = ProjectStepView.as_view(
    service=services.project_withdraw, success_message=gettext_lazy("已撤回备案，可修改后重新提交。")
)


class DetailFormView(ProjectSection, ProjectObject, ServiceFormView):
    """A form on the project's page: POST only; an invalid form shows the page again with it."""

    post_only = True
    login_required = True
    form_name = ""

    def success(self, result):
        return redirect("projects:detail", pk=self.kwargs["pk"])

    def invalid(self, form, project):
        project.refresh_from_db()
        return self.render(detail_context(self, project, **{self.form_name: form}), "projects/project_detail.html")


class ProjectReviewView(DetailFormView):
    """An official with `review` approves or returns a submitted filing."""

    form_class = ReviewForm
    form_name = "review_form"
    decision = "approve"

    def perform(self, form, project):
        service = services.project_approve if self.decision == "approve" else services.project_return
        return service(actor=self.request.user, project=project, comment=form.cleaned_data["comment"])

    def message(self, project) -> str:
        if self.decision == "approve":
            return _("已通过“%(name)s”的备案。") % {"name": project.display_name}
        return _("已将“%(name)s”退回企业修改。") % {"name": project.display_name}

    def success(self, project):
        return redirect("projects:review_queue")

    def dispatch(self, request, *args, decision: str = "approve", **kwargs):
        # The workflow checks the reviewer's permission (403) after the scope (404), and the
        # filing's status (back to the project with the reason) before the form.
        self.decision = self.action = decision
        return super().dispatch(request, *args, **kwargs)


class ReportCreateView(DetailFormView):
    """The enterprise files a half-yearly report on an approved project."""

    write = True
    form_class = ReportForm
    form_name = "report_form"

    def perform(self, form, project):
        return services.report_create(actor=self.request.user, project=project, data=form.service_data())

    def check(self, form, project):
        services.report_check(project=project, data=form.service_data(), refused=tuple(form.errors))

    def message(self, report) -> str:
        return _("已报送 %(year)s 年%(half)s的项目情况。") % {"year": report.year, "half": report.get_half_display()}


class ProjectProgressView(DetailFormView):
    """After approval: the stage, staffing and embassy registration (services.project_update)."""

    write = True
    form_class = ProjectProgressForm
    form_name = "progress_form"
    success_message = gettext_lazy("项目进展已更新。")

    def form_kwargs(self, project):
        return {"instance": project}

    def perform(self, form, project):
        return services.project_update(actor=self.request.user, project=project, data=form.service_data())


project_review = ProjectReviewView.as_view()
report_create = ReportCreateView.as_view()
project_progress = ProjectProgressView.as_view()


def project_export(request):
    """The project list as the user filtered it (the page's filters and library tab), as an
    Excel workbook: the API's export (`ProjectXlsx.export`), values only where the user may
    see them. Too many rows: back to the list with a request for narrower filters."""
    user = request.user
    queryset = Project.objects.visible_to(user).select_related("organization", "country").defer("search_text")
    filterset = ProjectPageFilterSet(request.GET, queryset=queryset, request=request)
    projects = filterset.qs
    if projects[: MAX_EXPORT_ROWS + 1].count() > MAX_EXPORT_ROWS:
        messages.error(request, _("一次最多导出 %(max)d 个项目，请增加筛选条件。") % {"max": MAX_EXPORT_ROWS})
        query = filter_query(request)
        return redirect(reverse("projects:list") + (f"?{query}" if query else ""))
    content = ProjectXlsx().export(user=user, queryset=projects)
    filename = f"projects-{timezone.localdate().isoformat()}.xlsx"
    return HttpResponse(
        content, content_type=xlsx.CONTENT_TYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
