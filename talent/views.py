"""Pages of the talent pool (namespace `talent`, at /talent/): the search for enterprises and
officials, a profile (its contact block shown and logged only for allowed viewers), the
person's own page ("我的人才档案") with the contact-view log, the profile form with consent,
export, withdrawal of consent and deletion. The trainings' pages are in talent/trainings/views.py."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.forms import add_service_errors
from portal.generic import PortalView, error_text, filter_query
from portal.permissions import is_enterprise, membership_of
from portal.viewmixins import get_editable_or_403, get_scoped_or_404
from projects.models import Project

from . import selectors, services
from .filtersets import TalentSearchFilterSet
from .forms import CertificateFormSet, ExperienceFormSet, LanguageFormSet, ProfileForm, initial_rows, rows
from .models import TalentProfile


class TalentSection:
    def section_context(self):
        user = self.request.user
        return {
            "can_search": services.may_search(user),
            "can_keep_profile": services.may_create_profile(user),
            "is_talent": user.is_authenticated and membership_of(user) is None,
            "is_enterprise": is_enterprise(user),
        }


class SearchView(TalentSection, PortalView):
    """The pool's search for enterprise members and officials, ranked by the match score."""

    template_name = "talent/search.html"
    login_required = True
    permission = staticmethod(services.may_search)
    permission_denied_message = gettext_lazy("人才检索仅对企业和主管部门工作人员开放。")
    paginate_by = 20

    def get(self, request):
        queryset = TalentProfile.objects.visible_to(request.user).active()
        filterset = TalentSearchFilterSet(request.GET, queryset=queryset, request=request)
        criteria = filterset.criteria()
        ranked = selectors.with_match(selectors.list_rows(filterset.qs), criteria, filtered=criteria.filtered())
        page = Paginator(ranked, self.paginate_by).get_page(request.GET.get("page"))
        results = [(profile, selectors.reasons(profile)) for profile in page.object_list]
        return self.render(
            {
                "filterset": filterset,
                "page_obj": page,
                "results": results,
                "filter_query": filter_query(request),
            }
        )


def _profile(request, pk, *, write=False) -> TalentProfile:
    queryset = selectors.list_rows(TalentProfile.objects.select_related("entered_by"))
    if write:
        return get_editable_or_403(queryset, request.user, pk=pk)
    return get_scoped_or_404(queryset, request.user, pk=pk)


def _editable(user, profile) -> bool:
    return TalentProfile.objects.editable_by(user).filter(pk=profile.pk).exists()


class ProfileDetailView(TalentSection, PortalView):
    template_name = "talent/detail.html"
    login_required = True

    def get(self, request, pk):
        profile = _profile(request, pk)
        show_contacts = services.may_see_contacts(request.user, profile)
        if show_contacts:
            services.contact_view_record(viewer=request.user, profile=profile)
        editable = _editable(request.user, profile)
        return self.render(
            {
                "profile": profile,
                "show_contacts": show_contacts,
                "editable": editable,
                "contact_views": selectors.contact_views_of(profile) if editable else None,
            }
        )


class MineView(TalentSection, PortalView):
    """A talent's own profile (with who viewed the contact details and the consent records);
    for an enterprise member, the profiles the enterprise entered for its staff."""

    template_name = "talent/mine.html"
    login_required = True

    def get(self, request):
        user = request.user
        profile = TalentProfile.objects.filter(owner=user).first()
        context = {"profile": profile, "staff": None}
        if profile is not None:
            context["contact_views"] = selectors.contact_views_of(profile)
            context["consent_records"] = profile.consent_records.all()
        if is_enterprise(user):
            context["staff"] = TalentProfile.objects.editable_by(user).filter(owner__isnull=True)
        return self.render(context)


class ProfileFormView(TalentSection, PortalView):
    """Create (with the consent form) or edit a profile with its rows."""

    template_name = "talent/form.html"
    login_required = True

    def setup_form(self, request, pk):
        self.profile = _profile(request, pk, write=True) if pk else None
        if self.profile is None:
            if not services.may_create_profile(request.user):
                raise PermissionDenied(_("只有人才本人或企业可以建立人才档案。"))
        elif not self.profile.is_active:
            messages.warning(request, _("该档案已撤回授权，不能再修改。"))
            return redirect("talent:mine")
        self.for_staff = is_enterprise(request.user) if self.profile is None else self.profile.owner_id is None
        if self.profile is None and not self.for_staff and TalentProfile.objects.filter(owner=request.user).exists():
            messages.info(request, _("您已有人才档案，请修改现有档案。"))
            return redirect("talent:mine")
        return None

    def forms(self, data=None):
        initial = initial_rows(self.profile)
        projects = Project.objects.visible_to(self.request.user).order_by("name")
        return (
            ProfileForm(data, instance=self.profile, with_consent=self.profile is None, for_staff=self.for_staff),
            LanguageFormSet(data, prefix="languages", initial=initial["languages"]),
            CertificateFormSet(data, prefix="certificates", initial=initial["certificates"]),
            ExperienceFormSet(
                data, prefix="experiences", initial=initial["experiences"], form_kwargs={"projects": projects}
            ),
        )

    def show(self, form, languages, certificates, experiences):
        return self.render(
            {
                "form": form,
                "languages": languages,
                "certificates": certificates,
                "experiences": experiences,
                "profile": self.profile,
                "for_staff": self.for_staff,
                "purpose": services.CONSENT_PURPOSE,
                "consent_version": services.CONSENT_TEXT_VERSION,
            }
        )

    def get(self, request, pk=None):
        if (response := self.setup_form(request, pk)) is not None:
            return response
        return self.show(*self.forms())

    def post(self, request, pk=None):
        if (response := self.setup_form(request, pk)) is not None:
            return response
        form, languages, certificates, experiences = all_forms = self.forms(request.POST)
        if all(f.is_valid() for f in all_forms):
            arguments = {
                "actor": request.user,
                "data": form.service_data(),
                "languages": rows(languages),
                "certificates": rows(certificates),
                "experiences": rows(experiences),
                "desired_countries": list(form.cleaned_data["desired_countries"]),
            }
            try:
                if self.profile is None:
                    profile = services.profile_create(consent=form.cleaned_data.get("consent", False), **arguments)
                else:
                    profile = services.profile_update(profile=self.profile, **arguments)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("人才档案已保存。"))
                return redirect("talent:detail", pk=profile.pk)
        return self.show(form, languages, certificates, experiences)


def export_json(request, pk):
    """Everything held about the person, as a JSON download."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = _profile(request, pk)
    try:
        data = services.profile_export(actor=request.user, profile=profile)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="talent-{profile.pk}.json"'
    return response


class ConfirmView(TalentSection, PortalView):
    """GET: a confirmation page; POST: the service, then back to "我的人才档案"."""

    template_name = "talent/confirm.html"
    login_required = True
    step = ""  # "withdraw" or "delete"

    def get(self, request, pk):
        profile = _profile(request, pk, write=True)
        return self.render({"profile": profile, "step": self.step})

    def post(self, request, pk):
        profile = _profile(request, pk, write=True)
        service = services.profile_withdraw_consent if self.step == "withdraw" else services.profile_delete
        try:
            service(actor=request.user, profile=profile)
        except (ValidationError, PermissionError) as error:
            messages.warning(request, error_text(error))
            return redirect("talent:mine")
        if self.step == "withdraw":
            messages.success(request, _("已撤回同意：档案已隐藏，个人信息已清除。"))
        else:
            messages.success(request, _("人才档案已删除。"))
        return redirect("talent:mine")


def staff_export(request):
    """The profiles the user's enterprise entered, as an Excel workbook (talent/resources.py)."""
    from portal import xlsx

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_enterprise(request.user):
        raise PermissionDenied(_("只有企业可以导出本单位录入的人才档案。"))
    content = xlsx.get("talents").export(user=request.user)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="talents.xlsx"'
    return response
