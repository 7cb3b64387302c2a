"""Pages of Excel imports and exports, for every kind of portal/xlsx.py.

A part mounts them with its kind (projects/urls.py)::

    path("import/", ImportUploadView.as_view(kind="projects"), name="import"),
    path("import/template.xlsx", import_template, {"kind": "projects"}, name="import_template"),

- `ImportUploadView`: the upload form with the template, the accepted format and the limits,
  and the organisation's recent imports of the kind. A valid upload becomes an ImportJob
  (`services.import_job_create`, which refuses a hostile file at once) and the user is sent to
  the job's page.
- `import_job_detail` (portal:import_job): the job's progress, its row errors and its result.
  While it runs, portal/js/import-progress.js polls `import_job_status` (JSON) and reloads the
  page when it has finished; without script, the page asks to be reloaded.
- `import_jobs` (portal:import_jobs): the organisation's imports.

A job is its organisation's: another organisation's is a 404 (ImportJob.objects.visible_to).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from . import services, xlsx
from .forms import add_service_errors
from .models import ImportJob
from .viewmixins import get_scoped_or_404

ACCEPT = f".xlsx,{xlsx.CONTENT_TYPE}"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件"),
        help_text=gettext_lazy("仅接受 Excel（.xlsx）文件，表头与导入模板一致。"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": gettext_lazy("请选择要上传的 Excel（.xlsx）文件。")},
    )


def limits() -> dict:
    return {
        "max_mb": xlsx.MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_rows": xlsx.MAX_IMPORT_ROWS,
        "max_columns": xlsx.MAX_COLUMNS,
    }


class ImportUploadView(View):
    """GET: the upload form; POST: the upload becomes a job, and the user goes to its page."""

    kind: str = ""
    template_name = "portal/import_upload.html"
    #: Where the page's "back" link leads (a URL name), e.g. the part's workspace.
    back_url_name: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.xlsx_kind = xlsx.get(self.kind)
        if not self.xlsx_kind.can_import(request.user):
            raise PermissionDenied(self.xlsx_kind.import_refused or _("您没有导入的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(ImportUploadForm())

    def post(self, request, *args, **kwargs):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.import_job_create(actor=request.user, kind=self.kind, file=form.cleaned_data["file"])
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionError as error:
                raise PermissionDenied(str(error)) from error
            else:
                return redirect("portal:import_job", pk=job.pk)
        # 200 with the errors, as every form of the portal answers (ServiceFormView.invalid).
        return self.render(form)

    def render(self, form) -> HttpResponse:
        jobs = (
            ImportJob.objects.visible_to(self.request.user)
            .filter(kind=self.kind)
            .select_related("created_by")
            .defer("errors", "created_ids")[:5]
        )
        context = {
            "form": form,
            "kind": self.xlsx_kind,
            "template_url": reverse(f"{self.request.resolver_match.namespace}:import_template"),
            "back_url": reverse(self.back_url_name) if self.back_url_name else "",
            "jobs": jobs,
            "limits": limits(),
            "columns": [c for c in self.xlsx_kind.columns if c.imported],
        }
        return render(self.request, self.template_name, context)


@login_required
def import_template(request, kind: str):
    """The empty workbook of a kind: the imported columns' headers, nothing else."""
    xlsx_kind = xlsx.get(kind)
    if not xlsx_kind.can_import(request.user):
        raise PermissionDenied(xlsx_kind.import_refused or _("您没有导入的权限。"))
    return HttpResponse(
        xlsx_kind.template(),
        content_type=xlsx.CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{kind}-template.xlsx"'},
    )


def job_status(job: ImportJob) -> dict:
    """What the job page and its JSON status show."""
    processed = services.import_job_progress(job)
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.finished,
        "total_rows": job.total_rows,
        "processed_rows": processed,
        "created_count": job.created_count,
        "updated_count": job.updated_count,
        "error_count": len(job.errors),
    }


def error_rows(job: ImportJob, kind: xlsx.XlsxKind) -> list[dict]:
    """The job's row errors in sheet order, each with its column's header (a header error on
    an unknown column names it by its letter)."""
    headers = {c.code: c.header for c in kind.columns}
    rows = [{**error, "column": headers.get(error.get("field"), error.get("field") or "")} for error in job.errors]
    return sorted(rows, key=lambda e: (e.get("row") or 0, e["column"]))


@login_required
def import_job_detail(request, pk: int):
    job = get_scoped_or_404(ImportJob.objects.select_related("created_by"), request.user, pk=pk)
    xlsx_kind = xlsx.get(job.kind)
    context = {
        "job": job,
        "kind": xlsx_kind,
        "status": job_status(job),
        "errors": error_rows(job, xlsx_kind),
        "result_url": xlsx_kind.result_url(job),
        "again_url": xlsx_kind.import_url(),
        "limits": limits(),
    }
    return render(request, "portal/import_job.html", context)


@never_cache
@login_required
def import_job_status(request, pk: int):
    """The job's progress as JSON, for the job page's script."""
    job = get_scoped_or_404(ImportJob.objects.defer("created_ids"), request.user, pk=pk)
    return JsonResponse(job_status(job))


@login_required
def import_jobs(request):
    """The imports of the user's organisation, newest first."""
    queryset = ImportJob.objects.visible_to(request.user).select_related("created_by").defer("created_ids")
    page = Paginator(queryset, 20).get_page(request.GET.get("page"))
    return render(request, "portal/import_jobs.html", {"page_obj": page, "paginator": page.paginator})
