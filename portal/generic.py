"""Base views for the HTML pages, in the manner of NetBox's generic views: a part's page is
configuration (a queryset, a FilterSet, a form, a service, a template), and the rules of the
house live here once.

- `PortalView`: who may open the page (`login_required`, `permission(user)`), and the
  section's context every page of a part shows (`section_context`).
- `ObjectMixin`: the record from the URL through its scope — a record outside the user's scope
  is a 404; `write = True` also requires `editable_by(user)` (else 403); `workflow` and
  `action` ask the part's workflow whether the action is open in the record's state (if not,
  the `refused` message and back to the record).
- `ObjectListView`: a FilterSet over the scoped queryset, paginated.
- `ServiceFormView`: a form whose valid data go to a service; the service's ValidationError
  goes back onto the form (fields) or the page (the rest), its PermissionError into a message.
  An invalid form is also given the service's rules (`check`), so one submission shows every
  error.
- `ObjectActionView`: a POST that calls a workflow service and returns to the record.

Templates get `allowed` (the workflow's allowed actions for the user) with the record.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views import View

from .forms import add_check_errors, add_service_errors
from .viewmixins import get_editable_or_403, get_scoped_or_404
from .workflow import Workflow


def error_text(error: ValidationError | PermissionError) -> str:
    """A service's error as one line for a message."""
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def filter_query(request, *drop: str) -> str:
    """The page's query string without `page` (and `drop`), for pagination and tab links."""
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


def join_query(*parts: str) -> str:
    return "&".join(part for part in parts if part)


class PortalView(View):
    """A page: who may open it, and the context of its section."""

    template_name: ClassVar[str] = ""
    #: Anonymous users are sent to the login page.
    login_required: ClassVar[bool] = False
    #: A role predicate (portal/permissions.py); False is a 403.
    permission: ClassVar[Any] = None
    #: Why the page refused (shown on the 403 page); empty: the page's general wording.
    permission_denied_message: ClassVar[Any] = ""

    def dispatch(self, request, *args, **kwargs):
        if self.login_required and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if self.permission is not None and not type(self).permission(request.user):
            raise PermissionDenied(self.permission_denied_message)
        return super().dispatch(request, *args, **kwargs)

    def section_context(self) -> dict[str, Any]:
        """What every page of the part shows (its navigation); parts override."""
        return {}

    def render(self, context: dict[str, Any], template: str | None = None, **kwargs) -> HttpResponse:
        context = {**self.section_context(), **context}
        return render(self.request, template or self.template_name, context, **kwargs)


class ObjectMixin:
    """The record named by the URL's `pk`, through the model's scope."""

    queryset: ClassVar[QuerySet]
    write: ClassVar[bool] = False
    workflow: ClassVar[Workflow | None] = None
    #: The workflow action this view performs; when closed in the record's state the user is
    #: sent back to the record with the action's message.
    action: ClassVar[str | None] = None
    #: Where "back to the record" is (a URL name taking pk).
    detail_url_name: ClassVar[str] = ""

    def get_queryset(self) -> QuerySet:
        return self.queryset.all()

    def get_object(self) -> Model:
        lookup = {"pk": self.kwargs["pk"]}
        if self.write:
            return get_editable_or_403(self.get_queryset(), self.request.user, **lookup)
        return get_scoped_or_404(self.get_queryset(), self.request.user, **lookup)

    def allowed(self, obj) -> frozenset[str]:
        if self.workflow is None:
            return frozenset()
        return self.workflow.allowed_actions(obj=obj, user=self.request.user)

    def closed(self, obj) -> HttpResponse | None:
        """A redirect with the refusal when the action is closed in the record's state."""
        if self.workflow is None or self.action is None:
            return None
        try:
            self.workflow.check(self.action, obj=obj, actor=self.request.user)
        except ValidationError as error:
            messages.warning(self.request, error_text(error))
            return self.back(obj)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        return None

    def back(self, obj) -> HttpResponse:
        return redirect(self.detail_url_name, pk=obj.pk)


class ObjectListView(PortalView):
    """A FilterSet over what the user may see, paginated. Subclasses add `extra_context`."""

    queryset: ClassVar[QuerySet]
    filterset_class: ClassVar[type]
    paginate_by: ClassVar[int] = 20

    def get_queryset(self) -> QuerySet:
        return self.queryset.visible_to(self.request.user)

    def get(self, request, *args, **kwargs):
        filterset = self.filterset_class(request.GET, queryset=self.get_queryset(), request=request)
        page = Paginator(self.paginate(filterset.qs), self.paginate_by).get_page(request.GET.get("page"))
        context = {
            "filterset": filterset,
            "page_obj": page,
            "paginator": page.paginator,
            "object_list": page.object_list,
            "filter_query": filter_query(request),
        }
        context.update(self.extra_context(page))
        return self.render(context)

    def paginate(self, queryset: QuerySet) -> QuerySet:
        """The filtered queryset in page order (override to order or annotate)."""
        return queryset

    def extra_context(self, page) -> dict[str, Any]:
        return {}


class ServiceFormView(ObjectMixin, PortalView):
    """GET shows the form; a valid POST calls `perform(form, obj)` (a service); errors stay on the
    form. With `object_view = False` there is no record in the URL (a create form)."""

    form_class: ClassVar[type]
    object_view: ClassVar[bool] = True
    #: Only POST (the form lives on another page, re-rendered by `invalid`).
    post_only: ClassVar[bool] = False
    success_message: ClassVar[str] = ""

    def get(self, request, *args, **kwargs):
        if self.post_only:
            return HttpResponseNotAllowed(["POST"])
        return self.handle(request)

    def post(self, request, *args, **kwargs):
        return self.handle(request)

    def handle(self, request):
        obj = self.get_object() if self.object_view else None
        if obj is not None and (response := self.closed(obj)) is not None:
            return response
        data = request.POST if request.method == "POST" else None
        form = self.form_class(data, **self.form_kwargs(obj))
        if request.method == "POST" and not form.is_valid():
            add_check_errors(form, lambda: self.check(form, obj))
        elif request.method == "POST":
            try:
                result = self.perform(form, obj)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionError as error:
                messages.error(request, str(error))
                if obj is not None and self.post_only:
                    return self.back(obj)
            else:
                message = self.message(result)
                if message:
                    messages.success(request, message)
                return self.success(result)
        return self.invalid(form, obj)

    def form_kwargs(self, obj) -> dict[str, Any]:
        return {}

    def perform(self, form, obj):  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self, form, obj) -> None:
        """The service's rules over the fields of an invalid form that passed (its own check
        function, raising one ValidationError with every problem). Nothing by default."""

    def message(self, result) -> str:
        return str(self.success_message)

    def success(self, result) -> HttpResponse:  # pragma: no cover - abstract
        raise NotImplementedError

    def invalid(self, form, obj) -> HttpResponse:
        return self.render({"form": form, "object": obj})


class ObjectActionView(ObjectMixin, PortalView):
    """A POST on a record that calls `service(actor=, <service_arg>=record)` and goes back to it."""

    http_method_names = ["post"]
    login_required = True
    #: The service, as a class attribute or given to as_view(service=...).
    service: ClassVar[Any] = None
    service_arg: ClassVar[str] = "obj"
    success_message: ClassVar[str] = ""

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            service = self.__dict__.get("service") or type(self).service  # not bound as a method
            service(actor=request.user, **{self.service_arg: obj})
        except (ValidationError, PermissionError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, str(self.success_message))
        return self.back(obj)
