"""Pages of the portal shell: home and dashboard, sign-up and sign-in, the inbox and its
preferences, the organisation page, the country list and the four parts' placeholders.

Thin: a view reads through a scoped queryset (portal/viewmixins.py), checks the shape of the
input with a form (portal/forms.py) and calls a service (portal/services/), which owns the
rule. A service's ValidationError goes back onto the form or into a message; its
PermissionError becomes a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from . import services
from .forms import (
    CountryPageFilterSet,
    InboxFilterSet,
    MemberAddForm,
    OrganizationForm,
    PreferencesForm,
    SignupForm,
    add_check_errors,
    add_service_errors,
)
from .models import Country, Membership, Notification, Organization
from .viewmixins import ScopedQuerysetMixin, get_editable_or_403, get_scoped_or_404
from .views_account import reveal_webhook_secret_once, webhook_secret_to_show

# The backend that logs a new admin in after sign-up (axes' backend only guards authenticate()).
SIGNUP_LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"
SIGNUP_FIELDS = SignupForm.SERVICE_FIELDS

# Where each part lives: its own list page once built, else the shell's placeholder.
PART_URLS = {
    "projects": "projects:list",
    "suppliers": "suppliers:directory",
    "talent": "portal:talent",
    "risk": "portal:risk",
}

# The four parts beside the shell, as the home page's cards and their placeholders show them.
PARTS = {
    "projects": {
        "title": gettext_lazy("海外项目库"),
        "summary": gettext_lazy("在建项目库、投资项目库和意向项目库，项目备案与审核，定期报告，统计和海外图谱。"),
        "items": [
            gettext_lazy("登记在建、投资和意向项目，在线提交备案，主管部门审核"),
            gettext_lazy("每半年报送完成营业额、新签合同额和中外方人员"),
            gettext_lazy("驻外使（领）馆报到登记情况"),
            gettext_lazy("项目统计和海外图谱"),
        ],
    },
    "suppliers": {
        "title": gettext_lazy("优质供应商库"),
        "summary": gettext_lazy("专业承包、绿色建材、装备制造、劳务分包、法务、税务等“走出去”优质供应商。"),
        "items": [
            gettext_lazy("供应商在线申请入库，主管部门审核"),
            gettext_lazy("资质证书登记与到期提醒"),
            gettext_lazy("星级评定和履约评价"),
            gettext_lazy("供需对接会邀请"),
        ],
    },
    "talent": {
        "title": gettext_lazy("人才库与培训"),
        "summary": gettext_lazy("国际化人才库、岗位发布，以及每半年一次的“走出去”专题培训。"),
        "items": [
            gettext_lazy("工程师、项目经理、翻译、律师和技术工人的人才档案（经本人同意）"),
            gettext_lazy("企业发布海外岗位，人才在线申请"),
            gettext_lazy("专题培训：市场开拓、风险识别与防控、融资担保、纠纷仲裁、热点国别"),
            gettext_lazy("培训报名、签到和日历订阅"),
        ],
        # What of the part is already open, while the rest is built.
        "open": [
            ("talent:search", gettext_lazy("人才检索（企业和主管部门）")),
            ("talent:mine", gettext_lazy("我的人才档案")),
            ("trainings:calendar", gettext_lazy("“走出去”专题培训日历")),
            ("trainings:mine", gettext_lazy("我的培训")),
        ],
    },
    "risk": {
        "title": gettext_lazy("风险防控"),
        "summary": gettext_lazy("国别风险等级、风险通报、典型负面案例清单和风险预警推送。"),
        "items": [
            gettext_lazy("国别风险等级：正常、注意安全、谨慎前往、暂勿前往"),
            gettext_lazy("风险通报与典型负面案例清单"),
            gettext_lazy("风险预警推送，企业在线确认收到"),
            gettext_lazy("Atom 订阅和 CAP 预警格式"),
        ],
        "open": [
            ("risk:countries", gettext_lazy("国别风险等级与国别画像")),
            ("risk:bulletins", gettext_lazy("风险通报")),
            ("risk:follows", gettext_lazy("我的关注")),
            ("risk:cases", gettext_lazy("典型负面案例")),
        ],
    },
}

# What the portal offers, in the policy texts' words (seeds/000: 政策、市场、金融、项目、人才、风控、税务、法务).
SERVICES = [
    gettext_lazy("政策"),
    gettext_lazy("市场"),
    gettext_lazy("金融"),
    gettext_lazy("项目"),
    gettext_lazy("人才"),
    gettext_lazy("风控"),
    gettext_lazy("税务"),
    gettext_lazy("法务"),
]


def _next_or(request, default: str) -> str:
    """The safe `next` parameter of a POST, or `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- System ---------------------------------------------------------------------------------


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


# The site's error pages. portal.api.errors answers under /api/ (JSON) and calls these elsewhere.
def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request's context processors: they may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


# --- Home -----------------------------------------------------------------------------------


class HomeView(TemplateView):
    """What the portal offers; for a signed-in user, a small dashboard."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parts"] = [{"key": key, "url": reverse(PART_URLS[key]), **part} for key, part in PARTS.items()]
        context["services"] = SERVICES
        user = self.request.user
        if user.is_authenticated:
            context["counts"] = Notification.objects.visible_to(user).aggregate(
                unread=Count("id", filter=Q(read_at__isnull=True)),
                pending_ack=Count("id", filter=Q(requires_ack=True, acknowledged_at__isnull=True)),
            )
        return context


def part_placeholder(request, part: str):
    """A part that is still being built: what it will hold, and an empty state."""
    if part not in PARTS:
        raise Http404
    return render(request, "portal/part_placeholder.html", {"part": {"key": part, **PARTS[part]}})


# --- Accounts -------------------------------------------------------------------------------


class SignupView(FormView):
    """Register an enterprise or supplier with its first admin, who is then signed in."""

    template_name = "registration/signup.html"
    form_class = SignupForm
    success_url = reverse_lazy("portal:inbox")

    @method_decorator(never_cache)  # the page may carry the typed passwords back
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        if not getattr(form, "service_checked", False):
            # Every rule at once: the service's too, over the fields that passed the form's.
            add_check_errors(form, lambda: services.organization_signup_check(**form.check_arguments()), SIGNUP_FIELDS)
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            org, user = services.organization_signup(**form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error, field_map=SIGNUP_FIELDS)
            form.service_checked = True
            return self.form_invalid(form)
        login(self.request, user, backend=SIGNUP_LOGIN_BACKEND)
        reveal_webhook_secret_once(self.request, org)
        welcome = _("“%(name)s”注册成功，欢迎使用走出去企业服务平台。") % {"name": org.display_name}
        messages.success(self.request, welcome)
        return super().form_valid(form)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


# --- Notification centre --------------------------------------------------------------------


class InboxView(LoginRequiredMixin, ScopedQuerysetMixin, ListView):
    """The user's notifications, newest first, filtered by kind and read state."""

    model = Notification
    template_name = "portal/inbox.html"
    context_object_name = "notifications"
    paginate_by = 20

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .only(
                "id",
                "kind",
                "title",
                "body",
                "title_en",
                "body_en",
                "url",
                "requires_ack",
                "created_at",
                "read_at",
                "acknowledged_at",
            )
            .order_by("-id")
        )
        self.filterset = InboxFilterSet(self.request.GET or None, queryset=queryset, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["filter_query"] = query.urlencode()
        return context


class NotificationActionView(LoginRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, View):
    """A POST on one of the user's notifications that calls `service(notification=, actor=)`."""

    model = Notification
    http_method_names = ["post"]
    service = None
    success_message = ""

    def post(self, request, *args, **kwargs):
        notification = self.get_object()
        try:
            self.service(notification=notification, actor=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, self.success_message)
        return redirect(_next_or(request, reverse("portal:inbox")))


class NotificationReadView(NotificationActionView):
    service = staticmethod(services.notification_mark_read)
    success_message = gettext_lazy("已标记为已读。")


class NotificationAcknowledgeView(NotificationActionView):
    service = staticmethod(services.notification_acknowledge)
    success_message = gettext_lazy("已确认收到。")


class NotificationOpenView(LoginRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, View):
    """Follow a notification's link: it is read once opened. GET, as a link is; marking one's
    own notification read is the only change, and it is the same whoever causes it."""

    model = Notification
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        notification = self.get_object()
        services.notification_mark_read(notification=notification, actor=request.user)
        target = notification.display_url
        # Only the portal's own pages: an outside link is shown as such in the inbox.
        if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith("/"):
            return redirect("portal:inbox")
        return redirect(target)


@login_required
@require_POST
def notifications_read_selected(request):
    try:
        marked = services.notifications_mark_read(actor=request.user, ids=request.POST.getlist("ids"))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已将 %(count)s 条通知标记为已读。") % {"count": marked})
    return redirect(_next_or(request, reverse("portal:inbox")))


@login_required
@require_POST
def notifications_read_all(request):
    marked = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(count)s 条通知标记为已读。") % {"count": marked})
    return redirect(_next_or(request, reverse("portal:inbox")))


class PreferencesView(LoginRequiredMixin, FormView):
    """The user's channels (e-mail, webhook) per kind of notification. Risk alerts stay on."""

    template_name = "portal/preferences.html"
    success_url = reverse_lazy("portal:preferences")

    def get_form(self, form_class=None):
        return PreferencesForm(services.preferences_for(self.request.user), **self.get_form_kwargs())

    def form_valid(self, form):
        try:
            for row in form.changed_rows():
                services.preference_set(user=self.request.user, **row)
        except ValidationError as error:
            messages.error(self.request, _error_text(error))
            return redirect(self.success_url)
        messages.success(self.request, _("通知设置已保存。"))
        return super().form_valid(form)


# --- Organisation ---------------------------------------------------------------------------

ORG_ADMINS_ONLY = gettext_lazy("只有本组织的管理员可以修改组织信息，请联系本组织的管理员。")


def _organization_context(request, organization, *, form=None, member_form=None) -> dict:
    user = request.user
    can_edit = Organization.objects.editable_by(user).filter(pk=organization.pk).exists()
    members = (
        Membership.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("user")
        .order_by("role", "id")  # admins first
    )
    if can_edit:
        form = form or OrganizationForm(
            initial={field: getattr(organization, field) for field in OrganizationForm.base_fields}
        )
        member_form = member_form or MemberAddForm()
    secret, secret_in_full = webhook_secret_to_show(request, organization) if can_edit else ("", False)
    return {
        "organization": organization,
        "members": members,
        "can_edit": can_edit,
        "webhook_secret": secret,
        "webhook_secret_in_full": secret_in_full,
        "form": form,
        "member_form": member_form,
    }


@login_required
def organization_detail(request):
    """The user's organisation: details and members. Its admins edit it and manage members."""
    membership = request.user.org_membership
    if membership is None:
        return render(request, "portal/organization.html", {"organization": None})
    if request.method == "POST":
        organization = get_editable_or_403(
            Organization.objects.all(), request.user, pk=membership.organization_id, reason=ORG_ADMINS_ONLY
        )
        form = OrganizationForm(request.POST)
        if form.is_valid():
            try:
                services.organization_update(actor=request.user, organization=organization, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("组织信息已保存。"))
                return redirect("portal:organization")
        organization.refresh_from_db()
        return render(request, "portal/organization.html", _organization_context(request, organization, form=form))
    organization = get_scoped_or_404(Organization.objects.all(), request.user, pk=membership.organization_id)
    return render(request, "portal/organization.html", _organization_context(request, organization))


@login_required
@require_POST
def member_add(request):
    """An admin adds a colleague, who is e-mailed a link to set a password."""
    membership = request.user.org_membership
    if membership is None:
        raise Http404
    organization = membership.organization
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = services.member_add(actor=request.user, organization=organization, **form.cleaned_data)
        except PermissionError as error:
            messages.error(request, str(error))
            return redirect("portal:organization")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已添加成员 %(name)s，设置密码的链接已发送至 %(email)s。")
                % {"name": added.user, "email": added.user.email},
            )
            return redirect("portal:organization")
    elif request.user.is_org_admin:  # every problem at once: the service's rules too (admins only:
        # they would tell a member which usernames exist)
        add_check_errors(form, lambda: services.member_add_check(**form.cleaned_data))
    context = _organization_context(request, organization, member_form=form)
    return render(request, "portal/organization.html", context)


@login_required
def member_remove(request, pk: int):
    """GET asks for confirmation; POST removes the member (and deactivates their account)."""
    # Only members of the user's own organisation; the service decides whether the user may remove them.
    memberships = Membership.objects.editable_by(request.user).select_related("user", "organization")
    membership = get_scoped_or_404(memberships, request.user, pk=pk)
    if request.method == "POST":
        try:
            services.member_remove(actor=request.user, membership=membership)
        except (PermissionError, ValidationError) as error:
            messages.error(request, _error_text(error) if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, _("已移除成员 %(name)s。") % {"name": membership.user})
        return redirect("portal:organization")
    return render(request, "portal/member_remove.html", {"membership": membership})


# --- Countries ------------------------------------------------------------------------------


class CountryListView(ListView):
    """The 249 ISO 3166-1 countries and regions, by region and name."""

    model = Country
    template_name = "portal/country_list.html"
    context_object_name = "countries"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = CountryPageFilterSet(
            self.request.GET or None, queryset=Country.objects.order_by("code"), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["filter_query"] = query.urlencode()
        return context
