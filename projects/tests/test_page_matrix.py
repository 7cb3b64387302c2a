"""The project library's pages as a permission matrix (portal/testing/pages.py): for each page and
each member of the cast, what they get today. "login" is the sign-in page, "done" a write made
and confirmed by a success message, "refused" a redirect with a warning or an error instead."""

from __future__ import annotations

import pytest
from django.utils import timezone

from portal.models import ImportJob
from portal.testing.cast import roles
from portal.testing.pages import PageMatrix
from projects.choices import FilingStatus, Stage
from projects.forms import ProjectForm
from projects.models import IntendedProjectSurvey, Project, ProjectReport, ProjectReview, SurveyResponse

from .factories import ProjectFactory, SurveyFactory
from .helpers import officials

pytestmark = pytest.mark.django_db

NEW_NAME = "蒙巴萨港扩建工程（调整后）"
REVIEWERS = ("reviewer", "official")


def edit_form(project: Project, **changes) -> dict:
    """The project form as the edit page fills it in for `project`, with `changes`."""
    form = ProjectForm(instance=project)
    data = {name: form[name].value() for name in form.fields} | changes
    return {name: value for name, value in data.items() if value is not None}


REPORT = {
    "year": 2024,
    "half": 1,
    "revenue_usd": "1500000.00",
    "new_contracts_usd": "0",
    "chinese_staff": 50,
    "local_staff": 300,
    "notes": "",
}


def decided(value) -> dict:
    """The officials with the review permission."""
    return dict.fromkeys(REVIEWERS, value)


def enterprise(value) -> dict:
    """The owning enterprise's members."""
    return {"owner": value, "colleague": value}


# --- One project, in each filing status -----------------------------------------------------


class ProjectPages(PageMatrix):
    """A project's page and the pages and steps hanging off it (projects/urls.py, `<pk>/...`)."""

    url_name = "projects:detail"
    watch = (ProjectReport, ProjectReview)
    post_data = {
        "post:edit": lambda cast, project: edit_form(project, name=NEW_NAME),
        "post:approve": {"comment": "材料齐全，同意备案。"},
        "post:return": {"comment": "请补充合同金额证明。"},
        "post:report_create": REPORT,
        "post:progress": {"stage": Stage.COMPLETED, "chinese_staff": 100, "local_staff": 900},
    }
    effects = {
        "post:edit": lambda project: project.name == NEW_NAME,
        "post:delete": lambda project: project is None,
        "post:submit": lambda project: project.filing_status == FilingStatus.SUBMITTED,
        "post:withdraw": lambda project: project.filing_status == FilingStatus.WITHDRAWN,
        "post:approve": lambda project: project.filing_status == FilingStatus.APPROVED and project.approved_at,
        "post:return": lambda project: project.filing_status == FilingStatus.RETURNED,
        "post:report_create": lambda project: project.reports.filter(year=2024, half=1).exists(),
        "post:progress": lambda project: (project.stage, project.local_staff) == (Stage.COMPLETED, 900),
    }


# The project's own enterprise changes it; officials see it but may not; anyone else who cannot
# see it gets a 404; anonymous users are sent to sign in first.
UNFILED_WRITE = roles(404, officials(403), enterprise("done"), anonymous="login")
# A decision on a filing: the project is looked up first (404), then the review permission (403).
DECISION = roles(404, officials(403), enterprise(403), anonymous="login")


class TestDraftProjectPages(ProjectPages):
    """A draft is the enterprise's to edit, delete or submit; officials see it, nobody else."""

    expect = {
        "get": roles(404, officials(200), enterprise(200)),
        "get:edit": roles(404, officials(403), enterprise(200), anonymous="login"),
        "post:edit": UNFILED_WRITE,
        "get:delete": roles(404, officials(403), enterprise(200), anonymous="login"),
        "post:delete": UNFILED_WRITE,
        "post:submit": UNFILED_WRITE,
        # The workflow steps are POSTs; the method is checked before the project is looked up.
        "get:submit": roles(405, anonymous="login"),
        "post:withdraw": roles(404, officials(403), enterprise("refused"), anonymous="login"),
        "post:approve": DECISION | decided("refused"),
        "post:return": DECISION | decided("refused"),
        # The report form is valid; the service's refusal (not approved) is shown on the page.
        "post:report_create": roles(404, officials(403), enterprise(200), anonymous="login"),
    }

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise)


class TestSubmittedProjectPages(ProjectPages):
    """A submitted filing is locked until the enterprise withdraws it or a reviewer decides it."""

    expect = {
        "get": roles(404, officials(200), enterprise(200)),
        "get:edit": roles(404, officials(403), enterprise("refused"), anonymous="login"),
        "post:edit": roles(404, officials(403), enterprise("refused"), anonymous="login"),
        "get:delete": roles(404, officials(403), enterprise("refused"), anonymous="login"),
        "post:delete": roles(404, officials(403), enterprise("refused"), anonymous="login"),
        "post:submit": roles(404, officials(403), enterprise("refused"), anonymous="login"),
        "post:withdraw": UNFILED_WRITE,
        "post:approve": DECISION | decided("done"),
        "post:return": DECISION | decided("done"),
        "post:report_create": roles(404, officials(403), enterprise(200), anonymous="login"),
    }

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise, submitted=True)


class TestApprovedProjectPages(ProjectPages):
    """An approved project is public; its enterprise edits it, reports on it and keeps its
    progress current, and cannot delete, submit or withdraw it."""

    approved_write = roles(403, enterprise("done"), anonymous="login")
    approved_refusal = roles(403, enterprise("refused"), anonymous="login")
    expect = {
        "get": roles(200),
        "get:edit": roles(403, enterprise(200), anonymous="login"),
        "post:edit": approved_write,  # a name is not a key field: the filing stays approved
        "get:delete": approved_refusal,
        "post:delete": approved_refusal,
        "post:submit": approved_refusal,
        "post:withdraw": approved_refusal,
        "post:approve": roles(403, decided("refused"), anonymous="login"),
        "post:return": roles(403, decided("refused"), anonymous="login"),
        "post:report_create": approved_write,
        "post:progress": approved_write,
    }

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise, approved=True)


class TestReturnedProjectPages(ProjectPages):
    """A returned filing is the enterprise's again: to correct, resubmit or delete."""

    expect = {
        "get": roles(404, officials(200), enterprise(200)),
        "get:edit": roles(404, officials(403), enterprise(200), anonymous="login"),
        "post:edit": UNFILED_WRITE,
        "get:delete": roles(404, officials(403), enterprise(200), anonymous="login"),
        "post:delete": UNFILED_WRITE,
        "post:submit": UNFILED_WRITE,
        "post:withdraw": roles(404, officials(403), enterprise("refused"), anonymous="login"),
        "post:approve": DECISION | decided("refused"),
        "post:return": DECISION | decided("refused"),
    }

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise, returned=True)


class TestWithdrawnProjectPages(TestReturnedProjectPages):
    """A withdrawn filing is the enterprise's again, as a returned one is."""

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise, withdrawn=True)


# --- Pages of no one project ----------------------------------------------------------------


class TestListAndMapPages(PageMatrix):
    url_name = "projects:list"
    expect = {"get": roles(200), "get:map": roles(200)}


class TestCreatePage(PageMatrix):
    """Enterprises register projects, for their own organisation."""

    url_name = "projects:create"
    watch = (Project,)
    expect = {
        "get": roles(403, enterprise(200), outsider=200, anonymous="login"),
        "post": roles(403, enterprise("done"), outsider="done", anonymous="login"),
    }
    post_data = {"post": lambda cast, _: edit_form(ProjectFactory.build(country_id="KE"), name=NEW_NAME)}
    effects = {"post": lambda _: Project.objects.filter(name=NEW_NAME, filing_status=FilingStatus.DRAFT).exists()}


class TestWorkspacePage(PageMatrix):
    url_name = "projects:workspace"
    expect = {"get": roles(403, enterprise(200), outsider=200, anonymous="login")}


class TestExcelPages(PageMatrix):
    """Enterprises import their own projects (as on the API); everyone exports what they see."""

    url_name = "projects:import"
    expect = {
        "get": roles(403, enterprise(200), outsider=200, anonymous="login"),
        "get:import_template": roles(403, enterprise(200), outsider=200, anonymous="login"),
        "get:export": roles(200),
    }


class TestImportJobPages(PageMatrix):
    """An import job is its organisation's: everyone else gets a 404, officials included."""

    url_name = "portal:import_job"
    expect = {
        "get": roles(404, enterprise(200), anonymous="login"),
        "get:portal:import_job_status": roles(404, enterprise(200), anonymous="login"),
    }

    def make_record(self, cast):
        return ImportJob.objects.create(kind="projects", organization=cast.enterprise, created_by=cast.owner)


class TestReviewQueuePage(PageMatrix):
    url_name = "projects:review_queue"
    expect = {"get": roles(403, decided(200), anonymous="login")}


class TestStatisticsPages(PageMatrix):
    url_name = "projects:statistics"
    expect = {
        "get": roles(403, officials(200), anonymous="login"),
        "get:statistics_export": roles(403, officials(200), anonymous="login"),
    }


NEXT_YEAR = timezone.localdate().year + 1


class TestSurveyListPage(PageMatrix):
    """Officials with `review` see the surveys and open the next one."""

    url_name = "projects:survey_list"
    watch = (IntendedProjectSurvey,)
    expect = {
        "get": roles(403, decided(200), anonymous="login"),
        "post": roles(403, decided("done"), anonymous="login"),
    }
    post_data = {"post": {"year": NEXT_YEAR, "opens_on": f"{NEXT_YEAR}-03-01", "closes_on": f"{NEXT_YEAR}-04-30"}}
    effects = {"post": lambda _: IntendedProjectSurvey.objects.filter(year=NEXT_YEAR).exists()}

    def make_record(self, cast):
        """This year's survey, open; the page is the list, of no one record."""
        SurveyFactory(opened_by=cast.reviewer)


class TestOpenSurveyPages(PageMatrix):
    """Who answered a survey is for reviewers; enterprises answer it; anyone else gets the 403
    page that says only enterprises confirm intended projects."""

    url_name = "projects:survey_detail"
    watch = (SurveyResponse,)
    expect = {
        "get": roles(403, decided(200), anonymous="login"),
        "post:survey_respond": roles(403, enterprise("done"), outsider="done", anonymous="login"),
    }
    effects = {"post:survey_respond": lambda survey: survey.responses.exists()}

    def make_record(self, cast):
        return SurveyFactory(opened_by=cast.reviewer)
