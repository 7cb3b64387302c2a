"""Emergency plans and drills (应急预案与演练): a project's page with its plan, the file and the
drills (the enterprise keeps them, officials read them; nobody else sees the page), and the
list at /projects/emergency/: the enterprise's to-do, or for officials compliance by country
and by organisation. The rules are in projects/emergency.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.files import download_filename, private_file_response
from portal.forms import add_check_errors, add_service_errors
from portal.permissions import is_enterprise, is_official

from .. import emergency
from ..models import EmergencyDrill, EmergencyPlan, Project
from .base import ProjectSection


class PlanForm(forms.ModelForm):
    class Meta:
        model = EmergencyPlan
        fields = ["contacts", "evacuation_routes", "embassy", "hospitals", "file"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in emergency.PLAN_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service says what is missing, in its own words (emergency.plan_check).
        for name in self.fields:
            self.fields[name].required = False


class DrillForm(forms.ModelForm):
    class Meta:
        model = EmergencyDrill
        fields = ["held_on", "participants", "findings"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "findings": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"findings": gettext_lazy("发现的问题与改进")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].required = False
        self.fields["participants"].required = False


def project_for(request, pk) -> Project:
    """The project, if the user may see its emergency page: its enterprise's members and
    officials; anyone else gets a 404, as if it did not exist."""
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("country", "organization"), pk=pk
    )
    membership = request.user.org_membership
    if not (is_official(request.user) or (membership and membership.organization_id == project.organization_id)):
        raise Http404
    return project


class EmergencyView(ProjectSection):
    """GET: the plan, the drills and the project's obligation; POST: save the plan."""

    template_name = "projects/emergency.html"
    login_required = True

    def context(self, project, plan_form=None, drill_form=None):
        plan = EmergencyPlan.objects.filter(project=project).first()
        (annotated,) = emergency.with_compliance(Project.objects.filter(pk=project.pk))
        user = self.request.user
        membership = user.org_membership
        editable = (
            not is_official(user) and membership is not None and membership.organization_id == project.organization_id
        )
        return {
            "project": project,
            "plan": plan,
            "drills": EmergencyDrill.objects.filter(project=project)[:50],
            "state": emergency.compliance_of(annotated),
            "editable": editable and project.stage != "completed",
            "plan_form": plan_form or PlanForm(instance=plan),
            "drill_form": drill_form or DrillForm(),
        }

    def get(self, request, pk):
        return self.render(self.context(project_for(request, pk)))

    def post(self, request, pk):
        project = project_for(request, pk)
        plan = EmergencyPlan.objects.filter(project=project).first()
        form = PlanForm(request.POST, request.FILES, instance=plan)
        if form.is_valid():
            data = {name: form.cleaned_data.get(name) or "" for name in emergency.PLAN_FIELDS}
            data["file"] = request.FILES.get("file")
            try:
                emergency.plan_set(actor=request.user, project=project, data=data)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionError as error:  # officials read plans; only the enterprise writes
                raise PermissionDenied(str(error)) from error
            else:
                messages.success(request, _("应急预案已保存。"))
                return redirect("projects:emergency", pk=project.pk)
        else:
            values = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
            add_check_errors(form, lambda: emergency.plan_check(data=values, plan=plan, refused=tuple(form.errors)))
        return self.render(self.context(project, plan_form=form), status=400)


class DrillAddView(EmergencyView):
    http_method_names = ["post"]

    def post(self, request, pk):
        project = project_for(request, pk)
        form = DrillForm(request.POST)
        if form.is_valid():
            try:
                emergency.drill_add(actor=request.user, project=project, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionError as error:
                raise PermissionDenied(str(error)) from error
            else:
                messages.success(request, _("演练已登记。"))
                return redirect("projects:emergency", pk=project.pk)
        else:
            values = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
            add_check_errors(form, lambda: emergency.drill_check(data=values, refused=tuple(form.errors)))
        return self.render(self.context(project, drill_form=form), status=400)


def plan_file(request, pk):
    """The plan's file, for the enterprise's members and officials (anyone else: 404)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    project = project_for(request, pk)
    plan = get_object_or_404(EmergencyPlan.objects.visible_to(request.user), project=project)
    return private_file_response(plan.file, filename=download_filename(plan.title, plan.file))


class EmergencyListView(ProjectSection):
    """The enterprise's to-do list; for officials, compliance by country and organisation."""

    template_name = "projects/emergency_list.html"
    login_required = True

    def get(self, request):
        user = request.user
        if is_official(user):
            return self.render(
                {
                    "official": True,
                    "by_country": emergency.compliance_by_country(),
                    "by_organization": emergency.compliance_by_organization(),
                }
            )
        if not is_enterprise(user):
            raise PermissionDenied(_("应急预案待办仅对企业开放。"))
        return self.render({"official": False, "todo": emergency.todo_for(user)})


emergency_page = EmergencyView.as_view()
drill_add = DrillAddView.as_view()
emergency_list = EmergencyListView.as_view()
