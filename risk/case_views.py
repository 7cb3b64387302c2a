"""Pages of the typical negative cases (典型负面案例) at /risk/cases/ (namespace `risk`): the
public list with its filters and Excel export, a case, and the officials' form and delete
confirmation. The rules are in risk/cases.py."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from portal.forms import add_check_errors, add_service_errors
from portal.generic import ObjectListView, PortalView, error_text
from portal.models import Country
from portal.permissions import has_agency_permission
from portal.viewmixins import get_editable_or_403, get_scoped_or_404

from . import cases
from .filtersets import NegativeCasePageFilterSet
from .models import NegativeCase

PUBLISHERS_ONLY = gettext_lazy("只有具有发布风险权限的主管部门人员可以维护典型负面案例。")
#: The most rows an export holds (the filters narrow it).
EXPORT_MAX_ROWS = 5000


def is_publisher(user) -> bool:
    return has_agency_permission(user, "publish_risk")


class CaseForm(forms.ModelForm):
    country = forms.ModelChoiceField(label=gettext_lazy("国家"), queryset=Country.objects.all())

    class Meta:
        model = NegativeCase
        fields = list(cases.CASE_FIELDS)
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 6}),
            "lessons": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service says what is missing, in its own words (risk/cases.py case_check).
        for name in ("title", "summary", "lessons", "category", "occurred_on", "country"):
            self.fields[name].required = False


class CaseSection(PortalView):
    def section_context(self):
        return {"section": {"publisher": is_publisher(self.request.user)}}


class CaseListView(CaseSection, ObjectListView):
    """Everyone's list, newest first; `?format=xlsx` exports the filtered list."""

    template_name = "risk/cases/list.html"
    queryset = NegativeCase.objects.select_related("country")
    filterset_class = NegativeCasePageFilterSet

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            data = request.GET.copy()
            data.pop("format")
            filterset = self.filterset_class(data, queryset=self.get_queryset(), request=request)
            return cases_xlsx(filterset.qs.order_by("-occurred_on", "-id")[:EXPORT_MAX_ROWS])
        return super().get(request, *args, **kwargs)

    def paginate(self, queryset):
        return queryset.order_by("-occurred_on", "-id")


class CaseDetailView(CaseSection):
    template_name = "risk/cases/detail.html"

    def get(self, request, pk):
        case = get_scoped_or_404(NegativeCase.objects.select_related("country"), request.user, pk=pk)
        related = (
            NegativeCase.objects.filter(country_id=case.country_id)
            .exclude(pk=case.pk)
            .order_by("-occurred_on", "-id")[:5]
        )
        return self.render({"case": case, "related": related})


class CaseFormView(CaseSection):
    template_name = "risk/cases/form.html"
    login_required = True
    permission = staticmethod(is_publisher)
    permission_denied_message = PUBLISHERS_ONLY

    def _case(self, pk):
        if pk is None:
            return None
        return get_editable_or_403(NegativeCase.objects.all(), self.request.user, pk=pk, reason=PUBLISHERS_ONLY)

    def get(self, request, pk=None):
        case = self._case(pk)
        return self.render({"form": CaseForm(instance=case), "case": case})

    def post(self, request, pk=None):
        case = self._case(pk)
        form = CaseForm(request.POST, instance=case)
        if form.is_valid():
            try:
                if case is None:
                    case = cases.case_create(actor=request.user, data=form.cleaned_data)
                else:
                    case = cases.case_update(actor=request.user, case=case, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("案例已保存。"))
                return redirect("risk:case", pk=case.pk)
        else:
            values = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
            add_check_errors(form, lambda: cases.case_check(data=values, refused=tuple(form.errors)))
        return self.render({"form": form, "case": case}, status=400)


class CaseDeleteView(CaseSection):
    """GET: the confirmation; POST: delete."""

    template_name = "risk/cases/delete.html"
    login_required = True
    permission = staticmethod(is_publisher)
    permission_denied_message = PUBLISHERS_ONLY

    def _case(self, pk):
        return get_editable_or_403(
            NegativeCase.objects.select_related("country"), self.request.user, pk=pk, reason=PUBLISHERS_ONLY
        )

    def get(self, request, pk):
        return self.render({"case": self._case(pk)})

    def post(self, request, pk):
        case = self._case(pk)
        try:
            cases.case_delete(actor=request.user, case=case)
        except PermissionError as error:  # pragma: no cover - the permission is checked above
            messages.error(request, error_text(error))
            return redirect("risk:case", pk=case.pk)
        messages.success(request, _("案例已删除。"))
        return redirect("risk:cases")


def cases_xlsx(rows) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = _("典型负面案例")
    sheet.append(
        [_("案例名称"), _("国家"), _("行业"), _("案例类别"), _("发生日期"), _("案情概要"), _("经验教训"), _("信息来源")]
    )
    for case in rows:
        sheet.append(
            [
                case.title,
                case.country.name_zh,
                case.get_sector_display(),
                case.get_category_display(),
                case.occurred_on,
                case.summary,
                case.lessons,
                case.source,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="negative-cases-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
