"""Pages of the openings (岗位) at /talent/openings/ (namespace `talent`): the list (open ones
for everyone, the enterprise's own closed ones too), an opening with its application form and,
for its enterprise, the suggested candidates; the enterprise's form and close confirmation; the
applications it received with their steps; a talent's own applications. Rules: talent/openings.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.forms import add_check_errors, add_service_errors
from portal.generic import ObjectListView, PortalView, error_text
from portal.models import Country
from portal.permissions import is_enterprise, is_official, membership_of
from portal.viewmixins import get_editable_or_403, get_scoped_or_404
from projects.models import Project

from . import openings
from .choices import ApplicationStatus
from .filtersets import OpeningPageFilterSet
from .models import Application, Opening
from .views import TalentSection

ENTERPRISES_ONLY = openings.ENTERPRISES_ONLY


class OpeningForm(forms.ModelForm):
    country = forms.ModelChoiceField(label=gettext_lazy("工作国家"), queryset=Country.objects.all(), required=False)
    project = forms.ModelChoiceField(
        label=gettext_lazy("项目"),
        queryset=Project.objects.none(),
        required=False,
        help_text=gettext_lazy("选择本企业的项目时，工作国家取项目所在国。"),
    )

    class Meta:
        model = Opening
        fields = list(openings.OPENING_FIELDS)
        widgets = {
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "requirements": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        membership = membership_of(user)
        if membership is not None:
            self.fields["project"].queryset = Project.objects.filter(organization_id=membership.organization_id)
        # The service says what is missing, in its own words (openings.opening_check).
        for name in ("title", "requirements", "closes_on", "positions"):
            self.fields[name].required = False


class ApplyForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("求职说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class OpeningSection(TalentSection, PortalView):
    pass


owns = openings.owns


class OpeningListView(OpeningSection, ObjectListView):
    template_name = "talent/openings/list.html"
    queryset = Opening.objects.select_related("organization", "country", "project")
    filterset_class = OpeningPageFilterSet

    def paginate(self, queryset):
        return queryset.annotate(applied=Count("applications")).order_by("closes_on", "-id")


class OpeningDetailView(OpeningSection):
    """An opening; a talent applies here (POST)."""

    template_name = "talent/openings/detail.html"

    def _context(self, opening, form=None):
        user = self.request.user
        mine = owns(user, opening)
        applied = None
        if user.is_authenticated and membership_of(user) is None:
            applied = Application.objects.filter(opening=opening, profile__owner=user).first()
        return {
            "opening": opening,
            "owner": mine,
            "official": is_official(user),
            "may_apply": openings.may_apply(user) and opening.is_open and applied is None,
            "applied": applied,
            "needs_profile": user.is_authenticated and membership_of(user) is None and not openings.may_apply(user),
            "form": form or ApplyForm(),
            "suggestions": openings.suggested_candidates(opening, user=user) if mine or is_official(user) else [],
        }

    def _opening(self, request, pk):
        return get_scoped_or_404(
            Opening.objects.select_related("organization", "country", "project"), request.user, pk=pk
        )

    def get(self, request, pk):
        return self.render(self._context(self._opening(request, pk)))

    def post(self, request, pk):
        if not request.user.is_authenticated:
            raise Http404
        opening = self._opening(request, pk)
        form = ApplyForm(request.POST)
        if form.is_valid():
            try:
                openings.application_create(actor=request.user, opening=opening, note=form.cleaned_data["note"])
            except ValidationError as error:
                messages.error(request, error_text(error))
                return redirect("talent:opening", pk=opening.pk)
            except PermissionError as error:
                raise PermissionDenied(str(error)) from error
            messages.success(request, _("申请已提交，企业处理后您会收到通知。"))
            return redirect("talent:opening", pk=opening.pk)
        return self.render(self._context(opening, form), status=400)


class OpeningFormView(OpeningSection):
    template_name = "talent/openings/form.html"
    login_required = True
    permission = staticmethod(is_enterprise)
    permission_denied_message = ENTERPRISES_ONLY

    def _opening(self, pk):
        if pk is None:
            return None
        return get_editable_or_403(Opening.objects.all(), self.request.user, pk=pk, reason=ENTERPRISES_ONLY)

    def get(self, request, pk=None):
        opening = self._opening(pk)
        return self.render({"form": OpeningForm(instance=opening, user=request.user), "opening": opening})

    def post(self, request, pk=None):
        opening = self._opening(pk)
        form = OpeningForm(request.POST, instance=opening, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if data.get("positions") is None:
                data["positions"] = 1
            try:
                if opening is None:
                    opening = openings.opening_create(actor=request.user, data=data)
                else:
                    opening = openings.opening_update(actor=request.user, opening=opening, data=data)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionError as error:
                messages.error(request, str(error))
                return redirect("talent:opening", pk=opening.pk)
            else:
                messages.success(request, _("岗位已保存。"))
                return redirect("talent:opening", pk=opening.pk)
        else:
            values = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
            add_check_errors(
                form, lambda: openings.opening_check(actor=request.user, data=values, refused=tuple(form.errors))
            )
        return self.render({"form": form, "opening": opening}, status=400)


class OpeningCloseView(OpeningSection):
    """GET: the confirmation; POST: close the opening."""

    template_name = "talent/openings/close.html"
    login_required = True
    permission = staticmethod(is_enterprise)
    permission_denied_message = ENTERPRISES_ONLY

    def _opening(self, pk):
        return get_editable_or_403(Opening.objects.all(), self.request.user, pk=pk, reason=ENTERPRISES_ONLY)

    def get(self, request, pk):
        return self.render({"opening": self._opening(pk)})

    def post(self, request, pk):
        opening = openings.opening_close(actor=request.user, opening=self._opening(pk))
        messages.success(request, _("岗位已关闭，不再接受申请。"))
        return redirect("talent:opening", pk=opening.pk)


class ApplicationsView(OpeningSection):
    """The applications an opening received: its enterprise moves them; officials read."""

    template_name = "talent/openings/applications.html"
    login_required = True

    def _opening(self, request, pk):
        opening = get_scoped_or_404(Opening.objects.select_related("country"), request.user, pk=pk)
        if not (owns(request.user, opening) or is_official(request.user)):
            raise Http404
        return opening

    def get(self, request, pk):
        opening = self._opening(request, pk)
        rows = (
            Application.objects.filter(opening=opening)
            .select_related("profile")
            .order_by("status", "-created_at", "-id")
        )
        return self.render(
            {
                "opening": opening,
                "rows": [(a, [(m, ApplicationStatus(m).label) for m in openings.allowed_moves(a)]) for a in rows],
                "owner": owns(request.user, opening),
            }
        )


class ApplicationMoveView(OpeningSection):
    http_method_names = ["post"]
    login_required = True

    def post(self, request, pk):
        application = get_scoped_or_404(Application.objects.select_related("opening"), request.user, pk=pk)
        if not owns(request.user, application.opening):
            raise PermissionDenied(ENTERPRISES_ONLY)
        try:
            openings.application_move(
                actor=request.user, application=application, status=request.POST.get("status", "")
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("已更新申请状态，并通知了申请人。"))
        return redirect("talent:applications", pk=application.opening_id)


class MyApplicationsView(OpeningSection):
    template_name = "talent/openings/mine.html"
    login_required = True

    def get(self, request):
        rows = (
            Application.objects.filter(profile__owner=request.user)
            .select_related("opening__organization", "opening__country")
            .order_by("-created_at", "-id")
        )
        return self.render({"rows": rows})
