"""Pages of the safety roll-calls (平安报备) at /risk/rollcalls/: the list (officials: every one;
an organisation's members: those asking about their projects), the official's form to start one
by hand, a roll-call's page (officials: the board, silent organisations first, refreshed while
open, with the close confirmation; an organisation: its own projects, each with its report form,
and its reports so far) and the Excel export of the rows the user may see. The rules are in
risk/rollcalls.py."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from portal.forms import add_check_errors, add_service_errors
from portal.generic import error_text
from portal.models import Country
from portal.viewmixins import get_scoped_or_404

from . import rollcalls
from .choices import SafetyStatus
from .forms import BoardSearchForm, ReportForm, RollCallForm
from .models import RollCall, RollCallReport, is_publisher
from .views import RiskSection

BOARD_PAGE = 50
EXPORT_MAX_ROWS = 50_000


def rollcall_for(request, pk) -> RollCall:
    return get_scoped_or_404(RollCall.objects.select_related("bulletin"), request.user, pk=pk)


class RollCallListView(RiskSection):
    """The roll-calls the user may see, open ones first, with how many projects have reported."""

    template_name = "risk/rollcalls/list.html"
    login_required = True

    def get(self, request):
        user = request.user
        organization_id = rollcalls.organization_scope(user)
        mine = Q() if organization_id is None else Q(entries__organization_id=organization_id)
        queryset = (
            RollCall.objects.visible_to(user)
            .annotate(
                projects=Count("entries", filter=mine),
                reported=Count("entries", filter=mine & Q(entries__reported_at__isnull=False)),
            )
            .prefetch_related("countries")
            .order_by("status", "-opened_at", "-id")
        )
        page = Paginator(queryset, 20).get_page(request.GET.get("page"))
        return self.render({"page_obj": page, "rollcalls": page.object_list, "can_start": is_publisher(user)})


class RollCallStartView(RiskSection):
    """An official with `publish_risk` starts a roll-call for countries and a window."""

    template_name = "risk/rollcalls/form.html"
    login_required = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_publisher(request.user):
            raise PermissionDenied(_("只有具有发布风险权限的主管部门人员可以发起平安报备。"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render({"form": RollCallForm()})

    def post(self, request):
        form = RollCallForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            data["countries"] = list(form.cleaned_data["countries"])
            try:
                rollcall = rollcalls.rollcall_start(actor=request.user, data=data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("平安报备已发起，已通知相关单位报送。"))
                return redirect("risk:rollcall", pk=rollcall.pk)
        else:
            values = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
            add_check_errors(form, lambda: rollcalls.rollcall_check(data=values, refused=tuple(form.errors)))
        return self.render({"form": form}, status=400)


class RollCallDetailView(RiskSection):
    """GET: the board (officials) or the organisation's own projects; POST: a report."""

    template_name = "risk/rollcalls/detail.html"
    login_required = True

    def context(self, rollcall: RollCall, *, failed: ReportForm | None = None) -> dict:
        user = self.request.user
        organization_id = rollcalls.organization_scope(user)
        context = {
            "rollcall": rollcall,
            "countries": Country.objects.filter(rollcalls=rollcall).order_by("code"),
            "figures": rollcalls.figures(rollcall, organization_id=organization_id),
            "official": organization_id is None,
            "can_close": rollcall.is_open and is_publisher(user),
            "statuses": SafetyStatus,
            "live": rollcall.is_open and organization_id is None,
        }
        if organization_id is None:
            board = rollcalls.board(rollcall)
            search = BoardSearchForm(self.request.GET)
            query = search.cleaned_data["q"].strip() if search.is_valid() else ""
            context["search"] = search
            if query:
                board = board.filter(organization__name__icontains=query)
            page = Paginator(board, BOARD_PAGE).get_page(self.request.GET.get("page"))
            context.update(page_obj=page, board=page.object_list, q=query, filter_query=f"q={query}" if query else "")
            return context
        page = Paginator(rollcalls.entries_for(rollcall, user), BOARD_PAGE).get_page(self.request.GET.get("page"))
        rows = []
        for entry in page.object_list:
            if failed is not None and failed.data.get("project") == str(entry.project_id):
                form = failed
            else:
                form = ReportForm(
                    initial={"project": entry.project_id, "status": "" if entry.status == "pending" else entry.status}
                    | {name: getattr(entry, name) for name in ("injured", "missing", "evacuated", "note")},
                    auto_id=f"p{entry.project_id}_%s",
                )
            rows.append({"entry": entry, "form": form})
        history = (
            RollCallReport.objects.visible_to(user)
            .filter(entry__rollcall=rollcall)
            .select_related("entry__project", "reported_by")[:30]
        )
        context.update(page_obj=page, rows=rows, history=history, editable=rollcall.is_open)
        return context

    def get(self, request, pk):
        return self.render(self.context(rollcall_for(request, pk)))

    def post(self, request, pk):
        rollcall = rollcall_for(request, pk)
        project = request.POST.get("project", "")
        form = ReportForm(request.POST, auto_id=f"p{project}_%s" if project.isdigit() else "id_%s")
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "project"}
            try:
                rollcalls.rollcall_report(
                    actor=request.user, rollcall=rollcall, project_id=form.cleaned_data["project"], data=data
                )
            except ValidationError as error:
                if "project" in getattr(error, "message_dict", {}):
                    messages.error(request, error_text(error))
                    return redirect("risk:rollcall", pk=rollcall.pk)
                add_service_errors(form, error)
            except PermissionError as error:
                raise PermissionDenied(str(error)) from error
            else:
                messages.success(request, _("已报送。情况变化时请及时更新。"))
                return redirect("risk:rollcall", pk=rollcall.pk)
        else:
            values = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
            add_check_errors(form, lambda: rollcalls.report_check(data=values, refused=tuple(form.errors)))
        return self.render(self.context(rollcall, failed=form), status=400)


class RollCallCloseView(RiskSection):
    """GET: the confirmation; POST: close the roll-call, freezing its figures."""

    template_name = "risk/rollcalls/close.html"
    login_required = True

    def _rollcall(self, request, pk) -> RollCall:
        rollcall = rollcall_for(request, pk)
        if not is_publisher(request.user):
            raise PermissionDenied(_("只有具有发布风险权限的主管部门人员可以结束平安报备。"))
        return rollcall

    def get(self, request, pk):
        rollcall = self._rollcall(request, pk)
        if not rollcall.is_open:
            messages.warning(request, _("该平安报备已结束。"))
            return redirect("risk:rollcall", pk=rollcall.pk)
        return self.render({"rollcall": rollcall, "figures": rollcalls.figures(rollcall)})

    def post(self, request, pk):
        rollcall = self._rollcall(request, pk)
        try:
            rollcalls.rollcall_close(actor=request.user, rollcall=rollcall)
        except ValidationError as error:
            messages.warning(request, error_text(error))
        else:
            messages.success(request, _("平安报备已结束，最终统计已记录。"))
        return redirect("risk:rollcall", pk=rollcall.pk)


def rollcall_export(request, pk):
    """The rows the user may see (officials: all; an organisation: its own), as Excel."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rollcall = rollcall_for(request, pk)
    entries = rollcalls.entries_for(rollcall, request.user)[:EXPORT_MAX_ROWS]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("平安报备"))
    sheet.append(
        [
            _("单位"),
            _("项目"),
            _("国家"),
            _("中方人员"),
            _("外籍（当地）人员"),
            _("状态"),
            _("受伤人数"),
            _("失联人数"),
            _("撤离人数"),
            _("情况说明"),
            _("报备人"),
            _("报备时间"),
        ]
    )
    for entry in entries:
        sheet.append(
            [
                entry.organization.name,
                entry.project.name,
                entry.project.country.name_zh,
                entry.chinese_staff,
                entry.local_staff,
                entry.get_status_display(),
                entry.injured,
                entry.missing,
                entry.evacuated,
                entry.note,
                entry.reported_by.get_full_name() or entry.reported_by.username if entry.reported_by else "",
                timezone.localtime(entry.reported_at).replace(tzinfo=None) if entry.reported_at else None,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="rollcall-{rollcall.pk}-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response
