"""Pages of the risk part at /risk/ (namespace `risk`): the bulletins in force, a bulletin (with
the acknowledge button for a recipient who must acknowledge it), the officials' draft form,
preview and publish confirmation, cancel confirmation and dispatch page with the export of the
silent organisations, and the user's follows. The feeds are in risk/feeds.py."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.forms import add_check_errors, add_service_errors
from portal.generic import ObjectListView, PortalView, error_text
from portal.models import Country, Notification
from portal.services import notification_acknowledge
from portal.viewmixins import get_scoped_or_404

from . import bulletins, selectors
from .filtersets import BulletinPageFilterSet
from .forms import BulletinForm, CancelForm, FollowForm
from .models import Follow, RiskBulletin, RollCall, is_publisher
from .workflow import BULLETIN

BULLETINS = RiskBulletin.objects.select_related("supersedes").prefetch_related(
    Prefetch("countries", queryset=Country.objects.order_by("code"))
)


def publisher_bulletin(request, pk) -> RiskBulletin:
    """The bulletin for an official's page: one the user may not see is a 404; one they may see
    but not manage is a 403."""
    bulletin = get_scoped_or_404(BULLETINS, request.user, pk=pk)
    if not is_publisher(request.user):
        raise PermissionDenied
    return bulletin


class RiskSection(PortalView):
    def section_context(self):
        return {"section": {"publisher": is_publisher(self.request.user)}}


class BulletinListView(RiskSection, ObjectListView):
    template_name = "risk/bulletins/list.html"
    queryset = BULLETINS
    filterset_class = BulletinPageFilterSet

    def paginate(self, queryset):
        return queryset.order_by("-published_at", "-created_at", "-id")


class BulletinDetailView(RiskSection):
    template_name = "risk/bulletins/detail.html"

    def _notification(self, bulletin):
        user = self.request.user
        if not user.is_authenticated or bulletin.status == "draft":
            return None
        return Notification.objects.filter(recipient=user, dedupe_key=bulletin.alert_key).first()

    def get(self, request, pk):
        bulletin = get_scoped_or_404(BULLETINS.prefetch_related("negative_cases"), request.user, pk=pk)
        return self.render(
            {
                "bulletin": bulletin,
                "allowed": BULLETIN.allowed_actions(obj=bulletin, user=request.user),
                "notification": self._notification(bulletin),
                "updates": bulletin.updates.exclude(status="draft").order_by("published_at"),
                "history": bulletin.history.select_related("actor"),
                "in_force": bulletin.is_in_force(),
                "rollcall": self._rollcall(bulletin),
            }
        )

    def _rollcall(self, bulletin):
        """The bulletin's safety roll-call, if the user may see it (officials; the organisations
        asked to report)."""
        if not self.request.user.is_authenticated or bulletin.status == "draft":
            return None
        return RollCall.objects.visible_to(self.request.user).filter(bulletin=bulletin).order_by("-id").first()

    def post(self, request, pk):
        """Acknowledge the alert (the inbox's service)."""
        if not request.user.is_authenticated:
            raise Http404
        bulletin = get_scoped_or_404(BULLETINS, request.user, pk=pk)
        notification = self._notification(bulletin)
        if notification is None:
            raise Http404
        try:
            notification_acknowledge(notification=notification, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("已确认收到。"))
        return redirect("risk:bulletin", pk=bulletin.pk)


class BulletinFormView(RiskSection):
    """A new draft, a draft changed, or (`?update=<id>`) an update of a published bulletin."""

    template_name = "risk/bulletins/form.html"
    login_required = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if kwargs.get("pk") is not None:
                publisher_bulletin(request, kwargs["pk"])  # 404 before 403
            elif not is_publisher(request.user):
                raise PermissionDenied(_("只有具有发布风险权限的主管部门人员可以起草风险通报。"))
        return super().dispatch(request, *args, **kwargs)

    def _supersedes(self, request):
        pk = request.GET.get("update") or request.POST.get("supersedes")
        if not pk or not str(pk).isdigit():
            return None
        old = publisher_bulletin(request, int(pk))
        try:
            BULLETIN.check("update", obj=old, actor=request.user)
        except ValidationError as error:
            messages.warning(request, error_text(error))
            raise _Back(old) from None
        return old

    def get(self, request, pk=None):
        try:
            bulletin = publisher_bulletin(request, pk) if pk else None
            old = None if bulletin else self._supersedes(request)
        except _Back as back:
            return redirect("risk:bulletin", pk=back.bulletin.pk)
        if bulletin is not None and bulletin.status != "draft":
            messages.warning(request, str(BULLETIN["edit"].refused))
            return redirect("risk:bulletin", pk=bulletin.pk)
        initial = bulletins.update_initial(old) if old else {}
        update = old is not None or (bulletin is not None and bulletin.supersedes_id is not None)
        form = BulletinForm(instance=bulletin, initial=initial, update=update)
        return self.render(
            {"form": form, "bulletin": bulletin, "supersedes": old or getattr(bulletin, "supersedes", None)}
        )

    def post(self, request, pk=None):
        try:
            bulletin = publisher_bulletin(request, pk) if pk else None
            old = None if bulletin else self._supersedes(request)
        except _Back as back:
            return redirect("risk:bulletin", pk=back.bulletin.pk)
        update = old is not None or (bulletin is not None and bulletin.supersedes_id is not None)
        form = BulletinForm(request.POST, instance=bulletin, update=update)
        if form.is_valid():
            data = form.service_data()
            try:
                if bulletin is None:
                    bulletin = bulletins.bulletin_create(actor=request.user, data={**data, "supersedes": old})
                else:
                    bulletin = bulletins.bulletin_update(actor=request.user, bulletin=bulletin, data=data)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionError as error:
                messages.error(request, str(error))
                return redirect("risk:bulletin", pk=bulletin.pk)
            else:
                messages.success(request, _("通报草稿已保存。"))
                return redirect("risk:bulletin", pk=bulletin.pk)
        else:
            add_check_errors(
                form,
                lambda: bulletins.bulletin_check(
                    data={**form.cleaned_data, "supersedes": old} if bulletin is None else form.cleaned_data,
                    bulletin=bulletin,
                    refused=tuple(form.errors),
                ),
            )
        return self.render({"form": form, "bulletin": bulletin, "supersedes": old}, status=400)


class _Back(Exception):
    def __init__(self, bulletin):
        self.bulletin = bulletin


class BulletinPublishView(RiskSection):
    """GET: the audience preview and the confirmation; POST: publish."""

    template_name = "risk/bulletins/publish.html"
    login_required = True

    def get(self, request, pk):
        bulletin = publisher_bulletin(request, pk)
        if bulletin.status != "draft":
            messages.warning(request, str(BULLETIN["publish"].refused))
            return redirect("risk:bulletin", pk=bulletin.pk)
        return self.render({"bulletin": bulletin, "audience": selectors.audience_counts(bulletin)})

    def post(self, request, pk):
        bulletin = publisher_bulletin(request, pk)
        try:
            bulletin = bulletins.bulletin_publish(actor=request.user, bulletin=bulletin)
        except (ValidationError, PermissionError) as error:
            messages.error(request, error_text(error))
            return redirect("risk:bulletin", pk=bulletin.pk)
        if bulletin.minor_update:
            messages.success(request, _("更正已发布，未再次推送预警。"))
            return redirect("risk:bulletin", pk=bulletin.pk)
        messages.success(request, _("通报已发布，预警正在推送。"))
        return redirect("risk:dispatch", pk=bulletin.pk)


class BulletinCancelView(RiskSection):
    template_name = "risk/bulletins/cancel.html"
    login_required = True

    def get(self, request, pk):
        bulletin = publisher_bulletin(request, pk)
        return self.render({"bulletin": bulletin, "form": CancelForm()})

    def post(self, request, pk):
        bulletin = publisher_bulletin(request, pk)
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                bulletins.bulletin_cancel(actor=request.user, bulletin=bulletin, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("通报已撤销。"))
            return redirect("risk:bulletin", pk=bulletin.pk)
        return self.render({"bulletin": bulletin, "form": form}, status=400)  # pragma: no cover - no field fails


class DispatchView(RiskSection):
    """How the alert is going, refreshed by risk/js/dispatch.js (the reload keeps `?page=`); the
    organisations are paged, silent ones first; `?format=csv` exports every silent one."""

    template_name = "risk/bulletins/dispatch.html"
    login_required = True
    organizations_per_page = 50

    def get(self, request, pk):
        bulletin = publisher_bulletin(request, pk)
        summary = selectors.dispatch_summary(bulletin)
        if request.GET.get("format") == "csv":
            return silent_csv(bulletin, summary["silent"])
        deadline = bulletin.ack_deadline
        page = Paginator(summary["organizations"], self.organizations_per_page).get_page(request.GET.get("page"))
        return self.render(
            {
                "bulletin": bulletin,
                "summary": summary,
                "page_obj": page,
                "live": bulletin.status == "published" and (deadline is None or deadline > timezone.now()),
            }
        )


def silent_csv(bulletin: RiskBulletin, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="risk-bulletin-{bulletin.pk}-silent.csv"'
    response.write("\ufeff")  # so that Excel reads UTF-8
    writer = csv.writer(response)
    writer.writerow([_("单位"), _("接收人数"), _("已读人数"), _("确认人数")])
    for row in rows:
        writer.writerow([row["organization_name"], row["recipients"], row["read"], row["acknowledged"]])
    return response


class FollowsView(RiskSection):
    """The user's follows; POST adds one."""

    template_name = "risk/follows.html"
    login_required = True

    def _context(self, form):
        follows = Follow.objects.visible_to(self.request.user).select_related("country")
        return {"form": form, "follows": follows}

    def get(self, request):
        return self.render(self._context(FollowForm()))

    def post(self, request):
        form = FollowForm(request.POST)
        if form.is_valid():
            try:
                bulletins.follow_create(
                    actor=request.user, country=form.cleaned_data["country"], category=form.cleaned_data["category"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已关注。"))
                return redirect("risk:follows")
        return self.render(self._context(form), status=400)


class FollowDeleteView(RiskSection):
    http_method_names = ["post"]
    login_required = True

    def post(self, request, pk):
        follow = get_scoped_or_404(Follow.objects.all(), request.user, pk=pk)
        bulletins.follow_delete(actor=request.user, follow=follow)
        messages.success(request, _("已取消关注。"))
        return redirect("risk:follows")
