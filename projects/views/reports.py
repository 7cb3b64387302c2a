"""Correcting a filed half-yearly report, with the values it had kept beside it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from portal.generic import ServiceFormView

from .. import services
from ..choices import FilingStatus
from ..forms import ReportCorrectForm
from ..models import ProjectReport
from .base import ProjectObject, ProjectSection
from .library import report_rows


class ReportCorrectView(ProjectSection, ProjectObject, ServiceFormView):
    """The enterprise corrects a report's figures while the project is not under review; the
    page shows the earlier values of every correction."""

    template_name = "projects/report_correct.html"
    login_required = True
    write = True  # the project's organisation only: officials 403, anyone else 404
    form_class = ReportCorrectForm

    def get_object(self):
        # The report through its own scope first (a 404 for whoever may not read it, even on
        # a public project), then the project as something to change (officials: 403).
        reports = ProjectReport.objects.visible_to(self.request.user).filter(project_id=self.kwargs["pk"])
        self.report = get_object_or_404(reports, pk=self.kwargs["report_pk"])
        return super().get_object()

    def closed(self, project):
        if project.filing_status == FilingStatus.SUBMITTED:
            messages.warning(self.request, str(services.REPORT_LOCKED))
            return self.back(project)
        return None

    def form_kwargs(self, project):
        return {"instance": self.report}

    def perform(self, form, project):
        return services.report_correct(actor=self.request.user, report=self.report, data=form.service_data())

    def message(self, report) -> str:
        return _("已更正 %(year)s 年%(half)s的半年报，更正前的数值已记入更正记录。") % {
            "year": report.year,
            "half": report.get_half_display(),
        }

    def success(self, report):
        return redirect("projects:report_correct", pk=report.project_id, report_pk=report.pk)

    def invalid(self, form, project):
        (report,) = report_rows(ProjectReport.objects.filter(pk=self.report.pk))
        return self.render({"form": form, "project": project, "report": report, "history": report.history})


report_correct = ReportCorrectView.as_view()
