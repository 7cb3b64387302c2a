"""The enterprise's workspace, the annual survey of intended projects and the officials'
review queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.generic import ObjectListView, ServiceFormView, error_text
from portal.permissions import has_agency_permission, is_enterprise, require

from .. import selectors, services
from ..choices import FilingStatus, Stage
from ..forms import ReviewQueueFilterSet, SurveyOpenForm
from ..models import IntendedProjectSurvey, Project, SurveyResponse
from .base import ProjectSection, render_section


def _is_reviewer(user) -> bool:
    return has_agency_permission(user, "review")


# Why a page is refused, shown on the 403 page.
REVIEW_QUEUE_REVIEWERS_ONLY = gettext_lazy("审核队列仅对具有审核权限的主管部门人员开放。")
SURVEY_REVIEWERS_ONLY = gettext_lazy("意向项目调查的管理仅对具有审核权限的主管部门人员开放。")


@login_required
def workspace(request):
    """The enterprise's own projects by filing status, its subsidy estimate and the open survey."""
    user = request.user
    require(is_enterprise(user), _("项目工作台仅对企业用户开放。"))
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
    return render_section(request, "projects/workspace.html", context)


@login_required
def survey_respond(request, pk: int):
    """GET shows the enterprise what it is confirming (its intended and tracking projects);
    the POST from that page confirms them for the survey."""
    survey = get_object_or_404(IntendedProjectSurvey, pk=pk)
    # Only an enterprise has projects to confirm; anyone else is told so here rather than sent
    # to a workspace that refuses them.
    require(is_enterprise(request.user), _("只有企业可以确认意向项目。"))
    if request.method == "POST":
        try:
            services.survey_respond(actor=request.user, survey=survey)
        except (ValidationError, PermissionError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("已确认本企业 %(year)s 年度意向项目。") % {"year": survey.year})
        return redirect("projects:workspace")
    projects = (
        Project.objects.editable_by(request.user)
        .filter(stage__in=[Stage.INTENDED, Stage.TRACKING])
        .select_related("country")
        .order_by("stage", "name")
    )
    today = timezone.localdate()
    context = {"survey": survey, "projects": projects, "open": survey.opens_on <= today <= survey.closes_on}
    return render_section(request, "projects/survey_confirm.html", context)


class ReviewQueueView(ProjectSection, ObjectListView):
    """Submitted filings, oldest first, for officials with `review`."""

    template_name = "projects/review_queue.html"
    login_required = True
    permission = staticmethod(_is_reviewer)
    permission_denied_message = REVIEW_QUEUE_REVIEWERS_ONLY
    filterset_class = ReviewQueueFilterSet
    queryset = Project.objects.select_related("organization", "country")

    def paginate(self, queryset):
        return selectors.review_queue(queryset)

    def extra_context(self, page) -> dict:
        return {"projects": page.object_list}


review_queue = ReviewQueueView.as_view()


class SurveyListView(ProjectSection, ServiceFormView):
    """The annual surveys of intended projects; an official with `review` opens the next one."""

    template_name = "projects/survey_list.html"
    permission_denied_message = SURVEY_REVIEWERS_ONLY
    login_required = True
    permission = staticmethod(_is_reviewer)
    object_view = False
    form_class = SurveyOpenForm

    def perform(self, form, obj):
        return services.survey_open(actor=self.request.user, **form.cleaned_data)

    def check(self, form, obj):
        services.survey_check(**form.cleaned_data)

    def message(self, survey) -> str:
        return _("已发起 %(year)s 年度意向项目调查，企业将收到通知。") % {"year": survey.year}

    def success(self, survey):
        return redirect("projects:survey_detail", pk=survey.pk)

    def invalid(self, form, obj):
        surveys = IntendedProjectSurvey.objects.annotate(answered=Count("responses")).order_by("-year")
        return self.render({"form": form, "surveys": surveys})


survey_list = SurveyListView.as_view()


@login_required
def survey_detail(request, pk: int):
    """Who has answered a survey, enterprise by enterprise."""
    require(_is_reviewer(request.user), SURVEY_REVIEWERS_ONLY)
    survey = get_object_or_404(IntendedProjectSurvey, pk=pk)
    answers = selectors.survey_answers(survey)
    context = {
        "survey": survey,
        "answers": answers,
        "answered": sum(1 for row in answers if row["answered"]),
    }
    return render_section(request, "projects/survey_detail.html", context)
