"""Pages of the supplier library (namespace `suppliers`), configured on the base views of
portal/generic.py: the public directory and a supplier's page; the supplier's application, its
form, its certificates and its submission; the officials' review queue and their decisions,
each confirmed on a page of its own. Reads go through the models' scopes, writes through
suppliers/services.py; the actions shown are the workflow's (`selectors.allowed_actions`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import xlsx
from portal.files import PrivateFileDownloadView
from portal.generic import (
    ObjectActionView,
    ObjectListView,
    ObjectMixin,
    PortalView,
    ServiceFormView,
    error_text,
    filter_query,
)
from portal.permissions import is_official, is_supplier

from . import selectors, services
from .choices import ReviewAction, SupplierStatus
from .filtersets import ApplicationFilterSet
from .forms import (
    ApplicationForm,
    CertificateForm,
    DecisionForm,
    DirectoryFilterSet,
    PerformanceReviewForm,
    RatingForm,
    ReviewQueueFilterSet,
    SanctionForm,
    SupplyLinkForm,
)
from .models import Certificate, PerformanceReview, Supplier, SupplyChainLink
from .resources import MAX_EXPORT_ROWS, SupplierXlsx, exportable
from .workflow import APPLICATION, is_reviewer


class SupplierSection(PortalView):
    """A page of the section, with its navigation (what the user may open)."""

    def section_context(self) -> dict:
        user = self.request.user
        return {"section": {"supplier": is_supplier(user), "reviewer": is_reviewer(user)}}


class ApplicationObject(ObjectMixin):
    """An application from the URL: the applicant's own, or any for officials; else a 404."""

    workflow = APPLICATION
    detail_url_name = "suppliers:application"

    def get_queryset(self):
        return Supplier.objects.applications_for(self.request.user).select_related("organization")


# --- The public directory -------------------------------------------------------------------


class DirectoryView(SupplierSection, ObjectListView):
    """Approved suppliers, filtered like the API: category, country served, province, search."""

    template_name = "suppliers/directory.html"
    filterset_class = DirectoryFilterSet
    paginate_by = 20

    def get_queryset(self):
        return Supplier.objects.listed()

    def paginate(self, queryset):
        return selectors.with_scorecard(
            queryset.select_related("organization")
            .prefetch_related("categories", "countries_served")
            .order_by(F("stars").desc(nulls_last=True), "-approved_at", "-id")
        )

    def extra_context(self, page):
        card = selectors.Scorecard.load()
        return {"rows": [{"supplier": s, "card": selectors.scorecard_of(s, card)} for s in page]}


class SupplierDetailView(SupplierSection):
    """An approved supplier's page in the directory (contacts for signed-in users)."""

    template_name = "suppliers/supplier_detail.html"

    def get(self, request, pk: int):
        listed = (
            Supplier.objects.listed().select_related("organization").prefetch_related("categories", "countries_served")
        )
        supplier = get_object_or_404(selectors.with_scorecard(listed), pk=pk)
        reviews = []
        if request.user.is_authenticated:
            reviews = list(
                PerformanceReview.objects.visible_to(request.user)
                .filter(supplier=supplier)
                .select_related("project", "organization")[:20]
            )
        return self.render(
            {
                "supplier": supplier,
                "card": selectors.scorecard_of(supplier, selectors.Scorecard.load()),
                "reviews": reviews,
                "can_rate": "rate" in APPLICATION.allowed_actions(obj=supplier, user=request.user),
                "rating": supplier.ratings.first() if request.user.is_authenticated else None,
            }
        )


# --- The supplier's application -------------------------------------------------------------


class ApplyView(SupplierSection, ServiceFormView):
    """A supplier organisation starts its application; one that has one is taken to it."""

    template_name = "suppliers/application_form.html"
    login_required = True
    permission = staticmethod(is_supplier)
    permission_denied_message = gettext_lazy("只有供应商单位可以申请入库。")
    object_view = False
    form_class = ApplicationForm
    success_message = gettext_lazy("已保存为草稿。请上传证书后提交申请。")

    def handle(self, request):
        existing = Supplier.objects.applications_for(request.user).first()
        if existing is not None:
            return redirect("suppliers:application", pk=existing.pk)
        return super().handle(request)

    def perform(self, form, obj):
        return services.application_create(actor=self.request.user, data=form.service_data())

    def check(self, form, obj):
        services.application_check(data=form.cleaned_data, refused=tuple(form.errors))

    def success(self, supplier):
        return redirect("suppliers:application", pk=supplier.pk)


class MyApplicationView(SupplierSection):
    """The supplier's entry point: its application, or the form to start one."""

    login_required = True
    permission = staticmethod(is_supplier)
    permission_denied_message = gettext_lazy("只有供应商单位可以申请入库。")

    def get(self, request):
        existing = Supplier.objects.applications_for(request.user).first()
        if existing is None:
            return redirect("suppliers:apply")
        return redirect("suppliers:application", pk=existing.pk)


class ApplicationDetailView(SupplierSection, ApplicationObject):
    """The application: status, what it still lacks, certificates, the history, the actions."""

    template_name = "suppliers/application_detail.html"
    login_required = True

    def get(self, request, pk: int):
        supplier = self.get_object()
        certificates = list(Certificate.objects.filter(supplier=supplier).select_related("kind"))
        history = list(supplier.history.select_related("actor"))
        today = timezone.localdate()
        last = history[-1] if history else None
        return self.render(
            {
                "supplier": supplier,
                "allowed": self.allowed(supplier),
                "owner": APPLICATION["edit"].permitted(request.user, supplier),
                "categories": list(supplier.categories.all()),
                "countries": list(supplier.countries_served.all()),
                "certificates": [{"certificate": c, "valid": c.is_valid_on(today)} for c in certificates],
                "missing": selectors.missing_certificates(supplier)
                if supplier.status not in (SupplierStatus.REJECTED, SupplierStatus.REVOKED)
                else [],
                "history": history,
                "questions": last if last and last.action == ReviewAction.RETURNED else None,
                "decisions": [d for d in DECISIONS.values() if d["action"] in self.allowed(supplier)],
                "card": selectors.scorecard_of(
                    selectors.with_scorecard(Supplier.objects.filter(pk=supplier.pk)).get(), selectors.Scorecard.load()
                ),
            }
        )


class ApplicationEditView(SupplierSection, ApplicationObject, ServiceFormView):
    template_name = "suppliers/application_form.html"
    login_required, write, action = True, True, "edit"
    form_class = ApplicationForm
    success_message = gettext_lazy("申请已保存。")

    def form_kwargs(self, obj):
        return {"instance": obj}

    def perform(self, form, obj):
        return services.application_update(actor=self.request.user, supplier=obj, data=form.service_data())

    def check(self, form, obj):
        services.application_check(data=form.cleaned_data, supplier=obj, refused=tuple(form.errors))

    def success(self, supplier):
        return redirect("suppliers:application", pk=supplier.pk)


class CertificateAddView(SupplierSection, ApplicationObject, ServiceFormView):
    template_name = "suppliers/certificate_form.html"
    login_required, write, action = True, True, "certify"
    form_class = CertificateForm
    success_message = gettext_lazy("证书已上传。")

    def form_kwargs(self, obj):
        return {"files": self.request.FILES} if self.request.method == "POST" else {}

    def perform(self, form, obj):
        return services.certificate_add(actor=self.request.user, supplier=obj, data=form.service_data())

    def check(self, form, obj):
        services.certificate_check(data=form.cleaned_data, refused=tuple(form.errors))

    def success(self, certificate):
        return redirect("suppliers:application", pk=certificate.supplier_id)

    def invalid(self, form, obj):
        return self.render({"form": form, "object": obj, "supplier": obj})


class ApplicationStep(SupplierSection, ApplicationObject, ObjectActionView):
    service_arg = "supplier"


application_submit = ApplicationStep.as_view(
    service=services.application_submit, success_message=gettext_lazy("申请已提交，请等待主管部门审核。")
)


class CertificateRemoveView(SupplierSection):
    http_method_names = ["post"]
    login_required = True

    def post(self, request, pk: int):
        certificate = get_object_or_404(Certificate.objects.visible_to(request.user).select_related("supplier"), pk=pk)
        try:
            services.certificate_remove(actor=request.user, certificate=certificate)
        except (ValidationError, PermissionError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("证书已删除。"))
        return redirect("suppliers:application", pk=certificate.supplier_id)


certificate_file = PrivateFileDownloadView.as_view(
    queryset=Certificate.objects.select_related("kind"), filename_field="title"
)


# --- The officials' review ------------------------------------------------------------------

# Each decision: its workflow action, the service, the form, the page's wording.
DECISIONS = {
    "start-review": {
        "slug": "start-review",
        "action": "review",
        "service": services.application_start_review,
        "form": DecisionForm,
        "label": gettext_lazy("开始审核"),
        "explain": gettext_lazy("开始审核后，申请表单将锁定，供应商不能修改，直至退回或作出决定。"),
        "done": gettext_lazy("已开始审核，申请表单已锁定。"),
        "danger": False,
    },
    "return": {
        "slug": "return",
        "action": "return",
        "service": services.application_return,
        "form": DecisionForm,
        "label": gettext_lazy("退回补正"),
        "explain": gettext_lazy("写明需要补充或更正的内容。退回后供应商可以修改并重新提交，审核记录保留。"),
        "done": gettext_lazy("申请已退回，供应商已收到通知。"),
        "danger": False,
    },
    "approve": {
        "slug": "approve",
        "action": "approve",
        "service": services.application_approve,
        "form": DecisionForm,
        "label": gettext_lazy("批准入库"),
        "explain": gettext_lazy("批准后，该供应商将在优质供应商名录中公开展示。"),
        "done": gettext_lazy("已批准入库。"),
        "danger": False,
    },
    "reject": {
        "slug": "reject",
        "action": "reject",
        "service": services.application_reject,
        "form": DecisionForm,
        "label": gettext_lazy("不予入库"),
        "explain": gettext_lazy("写明不予入库的理由。此决定将告知供应商。"),
        "done": gettext_lazy("已作出不予入库的决定。"),
        "danger": True,
    },
    "suspend": {
        "slug": "suspend",
        "action": "suspend",
        "service": services.supplier_suspend,
        "form": SanctionForm,
        "label": gettext_lazy("暂停资格"),
        "explain": gettext_lazy("写明依据和期限。暂停期间，该供应商不在名录中展示。"),
        "done": gettext_lazy("已暂停该供应商的资格。"),
        "danger": True,
    },
    "reinstate": {
        "slug": "reinstate",
        "action": "reinstate",
        "service": services.supplier_reinstate,
        "form": DecisionForm,
        "label": gettext_lazy("恢复资格"),
        "explain": gettext_lazy("恢复前，该供应商所选类别要求的证书须全部在有效期内。"),
        "done": gettext_lazy("已恢复该供应商的资格。"),
        "danger": False,
    },
    "revoke": {
        "slug": "revoke",
        "action": "revoke",
        "service": services.supplier_revoke,
        "form": SanctionForm,
        "label": gettext_lazy("撤销资格"),
        "explain": gettext_lazy("写明依据和禁入期限。撤销后，该供应商不在名录中展示。"),
        "done": gettext_lazy("已撤销该供应商的资格。"),
        "danger": True,
    },
}


class DecisionView(SupplierSection, ApplicationObject, ServiceFormView):
    """An official's decision on an application, confirmed on its own page."""

    template_name = "suppliers/decision.html"
    login_required = True

    def dispatch(self, request, *args, decision: str = "", **kwargs):
        if decision not in DECISIONS:
            raise Http404
        self.decision = DECISIONS[decision]
        self.action = self.decision["action"]
        self.form_class = self.decision["form"]
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        supplier = super().get_object()
        try:
            APPLICATION.authorise(self.action, obj=supplier, actor=self.request.user)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        return supplier

    def perform(self, form, obj):
        return self.decision["service"](actor=self.request.user, supplier=obj, **form.cleaned_data)

    def message(self, result):
        return str(self.decision["done"])

    def success(self, supplier):
        return redirect("suppliers:application", pk=supplier.pk)

    def invalid(self, form, obj):
        return self.render(
            {
                "form": form,
                "supplier": obj,
                "decision": self.decision,
                "missing": selectors.missing_certificates(obj) if self.action == "reinstate" else [],
            }
        )


class ReviewQueueView(SupplierSection, ObjectListView):
    """Applications waiting for a decision, oldest first, with their age in working days
    against the 10-working-day target."""

    template_name = "suppliers/review_queue.html"
    login_required = True
    permission = staticmethod(is_reviewer)
    permission_denied_message = gettext_lazy("审核队列仅对具有审核权限的主管部门人员开放。")
    filterset_class = ReviewQueueFilterSet
    paginate_by = 50

    def get_queryset(self):
        return selectors.review_queue().visible_to(self.request.user)

    def extra_context(self, page):
        today = timezone.localdate()
        target = selectors.DECISION_TARGET_WORKING_DAYS
        rows = []
        for supplier in page:
            age = selectors.age_in_working_days(supplier, today=today)
            rows.append({"supplier": supplier, "age": age, "overdue": age > target})
        return {"rows": rows, "target": target}


# --- Ratings, supply chains, reviews --------------------------------------------------------


class RatingView(SupplierSection, ServiceFormView):
    """An official rates a listed supplier (星级评定) from per-criterion scores."""

    template_name = "suppliers/rating_form.html"
    login_required = True
    form_class = RatingForm
    success_message = gettext_lazy("星级评定已保存，供应商已收到通知。")

    def get_object(self):
        supplier = get_object_or_404(Supplier.objects.listed().select_related("organization"), pk=self.kwargs["pk"])
        try:
            APPLICATION.authorise("rate", obj=supplier, actor=self.request.user)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        return supplier

    def perform(self, form, obj):
        return services.supplier_rate(actor=self.request.user, supplier=obj, **form.service_data())

    def success(self, rating):
        return redirect("suppliers:detail", pk=rating.supplier_id)

    def invalid(self, form, obj):
        return self.render({"form": form, "supplier": obj})


class ProjectObject:
    """The project from the URL, through the project library's scope (a 404 outside it)."""

    def get_project(self):
        from projects.models import Project

        return get_object_or_404(
            Project.objects.visible_to(self.request.user).select_related("organization", "country"),
            pk=self.kwargs["project_pk"],
        )


class SupplyChainView(SupplierSection, ProjectObject, ServiceFormView):
    """A project's supply chain: the recorded suppliers, the form to record one, suggested
    suppliers with their reasons, and the reviews still to write (the project's enterprise)."""

    template_name = "suppliers/supply_chain.html"
    login_required = True
    object_view = False
    form_class = SupplyLinkForm
    success_message = gettext_lazy("已登记到项目供应链。")

    def handle(self, request):
        self.project = self.get_project()
        return super().handle(request)

    def perform(self, form, obj):
        return services.supply_link_add(actor=self.request.user, project=self.project, data=form.service_data())

    def check(self, form, obj):
        services.supply_link_check(project=self.project, data=form.cleaned_data, refused=tuple(form.errors))

    def success(self, link):
        return redirect("suppliers:supply_chain", project_pk=self.project.pk)

    def invalid(self, form, obj):
        from projects.models import Project

        user = self.request.user
        project = self.project
        owner = Project.objects.editable_by(user).filter(pk=project.pk).exists()
        links = list(
            SupplyChainLink.objects.visible_to(user)
            .filter(project=project)
            .select_related("supplier__organization", "category")
            .order_by("id")
        )
        reviewed = set(PerformanceReview.objects.filter(project=project).values_list("supplier_id", flat=True))
        return self.render(
            {
                "project": project,
                "owner": owner,
                "form": form if owner else None,
                "links": [{"link": link, "reviewed": link.supplier_id in reviewed} for link in links],
                "suggestions": selectors.suggested_suppliers(project) if owner or user.is_official else [],
            }
        )


class ReviewCreateView(SupplierSection, ProjectObject, ServiceFormView):
    """The project's enterprise reviews a supplier recorded on it."""

    template_name = "suppliers/review_form.html"
    login_required = True
    object_view = False
    form_class = PerformanceReviewForm
    success_message = gettext_lazy("履约评价已保存。")

    def handle(self, request):
        self.project = self.get_project()
        self.supplier = get_object_or_404(
            Supplier.objects.visible_to(request.user).select_related("organization"), pk=self.kwargs["supplier_pk"]
        )
        return super().handle(request)

    def perform(self, form, obj):
        return services.review_create(
            actor=self.request.user, supplier=self.supplier, project=self.project, data=form.service_data()
        )

    def check(self, form, obj):
        services.review_check(
            supplier=self.supplier, project=self.project, data=form.cleaned_data, refused=tuple(form.errors)
        )

    def success(self, review):
        return redirect("suppliers:supply_chain", project_pk=self.project.pk)

    def invalid(self, form, obj):
        return self.render({"form": form, "project": self.project, "supplier": self.supplier})


# --- Excel export -----------------------------------------------------------------------------


def application_export(request):
    """Applications as an Excel workbook (`SupplierXlsx.export`): officials every one, with the
    list's filters (category, country, province, status, search); a supplier organisation its
    own. Anyone else may export nothing; too many rows: back with a request for narrower filters."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    queryset = exportable(request.user)
    if not is_official(request.user) and not queryset.exists():
        raise PermissionDenied(_("只有主管部门和供应商单位可以导出供应商信息。"))
    suppliers = ApplicationFilterSet(request.GET, queryset=queryset, request=request).qs
    if suppliers[: MAX_EXPORT_ROWS + 1].count() > MAX_EXPORT_ROWS:
        messages.error(request, _("一次最多导出 %(max)d 个供应商，请增加筛选条件。") % {"max": MAX_EXPORT_ROWS})
        query = filter_query(request)
        return redirect(reverse("suppliers:review_queue") + (f"?{query}" if query else ""))
    content = SupplierXlsx().export(user=request.user, queryset=suppliers)
    filename = f"suppliers-{timezone.localdate().isoformat()}.xlsx"
    return HttpResponse(
        content, content_type=xlsx.CONTENT_TYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
