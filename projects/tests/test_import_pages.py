"""The Excel pages of the project library: the import page (upload → job → progress → row errors
or result), the jobs' scope, and the list's export. The job's rows are written by a worker
(portal.import_job_run); here the task runs in this process (`tasks_run_here`, after commit),
and once through a real worker."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from portal import xlsx
from portal.choices import ImportJobStatus
from portal.models import AuditEvent, ImportJob
from portal.tests.test_xlsx_limits import blank_rows, hand_made
from projects.choices import FilingStatus
from projects.models import Project
from projects.resources import COLUMNS, HEADERS

from .factories import ProjectFactory
from .test_import_export import row, workbook

pytestmark = pytest.mark.django_db

IMPORT_URL = "/projects/import/"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return tmp_path / "private"


@pytest.fixture
def as_user(client):
    def sign_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


def upload(content: bytes, name: str = "项目.xlsx") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type=xlsx.CONTENT_TYPE)}


def post_and_run(client, content: bytes, django_capture_on_commit_callbacks):
    """Upload as the signed-in user; the job's task runs here once the upload commits."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(IMPORT_URL, upload(content))


# --- The upload page ------------------------------------------------------------------------


def test_the_import_page_offers_the_template_the_format_and_the_limits(cast, as_user):
    response = as_user(cast.owner).get(IMPORT_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("projects:import_template") in page
    assert ".xlsx" in page
    assert "5 MB" in page and "5000" in page
    assert 'accept=".xlsx,' in page
    assert HEADERS["name"] in page  # the columns it reads


def test_the_template_is_a_workbook_of_the_imported_columns(cast, as_user):
    response = as_user(cast.colleague).get(reverse("projects:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    assert list(lines[0]) == [c.header for c in COLUMNS if c.imported]
    assert len(lines) == 1


@pytest.mark.parametrize("role", ["owner", "colleague", "outsider"])
def test_enterprise_users_may_open_the_import_page(role, cast, as_user):
    assert as_user(cast.user(role)).get(IMPORT_URL).status_code == 200


@pytest.mark.parametrize("role", ["supplier", "talent", "reviewer", "publisher", "official"])
def test_others_are_told_only_enterprises_import_projects(role, cast, as_user):
    client = as_user(cast.user(role))
    for url in (IMPORT_URL, reverse("projects:import_template")):
        response = client.get(url)
        assert response.status_code == 403
        assert "只有企业可以导入项目" in response.content.decode()
    response = client.post(IMPORT_URL, upload(workbook([row(cast.enterprise)])))
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_the_anonymous_are_sent_to_sign_in(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert reverse("portal:login") in response["Location"]


def test_an_upload_becomes_a_queued_job_of_the_organisation_and_leads_to_its_page(cast, as_user):
    response = as_user(cast.colleague).post(IMPORT_URL, upload(workbook([row(cast.enterprise)])))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:import_job", args=[job.pk])
    assert (job.kind, job.organization, job.created_by, job.status) == (
        "projects",
        cast.enterprise,
        cast.colleague,
        ImportJobStatus.QUEUED,
    )
    assert job.filename == "项目.xlsx"
    assert AuditEvent.objects.filter(action="import_job.create", target_id=str(job.pk)).exists()
    page = as_user(cast.colleague).get(response["Location"]).content.decode()
    assert "<progress" in page
    assert reverse("portal:import_job_status", args=[job.pk]) in page
    assert "/static/portal/js/import-progress." in page  # hashed by the manifest


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"not a workbook", "无法读取文件"),
        (hand_made(blank_rows(10), dimension="A1:A2000000"), "一次最多导入 5000 行"),
        (hand_made(blank_rows(3), extra={"xl/media/bomb.bin": b"\0" * (65 * 1024 * 1024)}), "解压后过大"),
    ],
    ids=["text", "declared-two-million-rows", "zip-bomb"],
)
def test_a_hostile_file_is_refused_at_once_and_nothing_is_stored(content, fragment, cast, as_user, private_root):
    response = as_user(cast.owner).post(IMPORT_URL, upload(content))
    assert response.status_code == 200  # the form again, with the error
    page = response.content.decode()
    assert fragment in page
    assert 'data-testid="error-summary"' in page
    assert not ImportJob.objects.exists()
    assert not any(private_root.rglob("*.xlsx")) if private_root.exists() else True


def test_an_upload_over_the_size_limit_is_refused_at_once(cast, as_user, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_UPLOAD_BYTES", 1024)
    response = as_user(cast.owner).post(IMPORT_URL, upload(workbook([row(cast.enterprise)] * 20)))
    assert response.status_code == 200  # the form again, with the error
    assert "文件不能超过" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_without_a_file_says_so(cast, as_user):
    response = as_user(cast.owner).post(IMPORT_URL, {})
    assert response.status_code == 200  # the form again, with the error
    assert "请选择要上传的 Excel" in response.content.decode()


# --- The job: errors, result, progress ------------------------------------------------------


def test_an_upload_with_row_errors_shows_every_error_and_writes_nothing(
    cast, as_user, tasks_run_here, django_capture_on_commit_callbacks
):
    content = workbook(
        [
            row(cast.enterprise),
            row(cast.enterprise, contract_value=-1, country="XX"),
            row(cast.enterprise, name=""),
        ]
    )
    client = as_user(cast.owner)
    response = post_and_run(client, content, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED
    assert sorted((e["row"], e["field"]) for e in job.errors) == [(3, "contract_value"), (3, "country"), (4, "name")]
    assert not Project.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "未导入任何记录：共 3 处错误" in page
    assert page.count('data-testid="import-error-row"') == 3
    assert HEADERS["contract_value"] in page and HEADERS["country"] in page and HEADERS["name"] in page
    assert "<progress" not in page


def test_a_good_upload_imports_every_row_as_a_draft_and_the_page_shows_the_counts(
    cast, as_user, tasks_run_here, django_capture_on_commit_callbacks
):
    content = workbook([row(cast.outsider_org), row(cast.enterprise, name="亚的斯亚贝巴环城公路", country="ET")])
    client = as_user(cast.colleague)
    response = post_and_run(client, content, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert (job.status, job.total_rows, job.processed_rows, job.created_count) == (ImportJobStatus.DONE, 2, 2, 2)
    projects = Project.objects.filter(pk__in=job.created_ids)
    # The credit-code column is ignored, as on the API: the uploader's organisation owns them.
    assert {(p.organization, p.created_by, p.filing_status) for p in projects} == {
        (cast.enterprise, cast.colleague, FilingStatus.DRAFT)
    }
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page
    assert "已导入 2 条记录" in page
    assert reverse("projects:workspace") in page


def test_a_header_error_is_shown_on_row_one(cast, as_user, tasks_run_here, django_capture_on_commit_callbacks):
    content = workbook([row(cast.enterprise)], headers=["不存在的列", *[HEADERS[c.code] for c in COLUMNS][1:17]])
    client = as_user(cast.owner)
    response = post_and_run(client, content, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED
    assert job.errors[0]["row"] == 1
    assert "无法识别的列：不存在的列" in client.get(response["Location"]).content.decode()


def test_the_status_answers_json_with_the_progress(cast, as_user):
    as_user(cast.owner).post(IMPORT_URL, upload(workbook([row(cast.enterprise)])))
    job = ImportJob.objects.get()
    response = as_user(cast.colleague).get(reverse("portal:import_job_status", args=[job.pk]))
    assert response.status_code == 200
    assert response.json() == {
        "id": job.pk,
        "kind": "projects",
        "status": "queued",
        "status_label": "排队中",
        "finished": False,
        "total_rows": None,
        "processed_rows": 0,
        "created_count": 0,
        "updated_count": 0,
        "error_count": 0,
    }
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# --- Whose jobs ------------------------------------------------------------------------------


@pytest.fixture
def job(cast, as_user):
    as_user(cast.owner).post(IMPORT_URL, upload(workbook([row(cast.enterprise)])))
    return ImportJob.objects.get()


@pytest.mark.parametrize("role", ["owner", "colleague"])
def test_the_organisations_members_see_its_job(role, job, cast, client):
    client.force_login(cast.user(role))
    assert client.get(reverse("portal:import_job", args=[job.pk])).status_code == 200
    assert client.get(reverse("portal:import_job_status", args=[job.pk])).status_code == 200
    assert job.filename in client.get(reverse("portal:import_jobs")).content.decode()


@pytest.mark.parametrize("role", ["outsider", "supplier", "talent", "reviewer", "official"])
def test_another_organisations_job_is_a_404(role, job, cast, client):
    client.force_login(cast.user(role))
    assert client.get(reverse("portal:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("portal:import_job_status", args=[job.pk])).status_code == 404
    assert job.filename not in client.get(reverse("portal:import_jobs")).content.decode()


def test_the_anonymous_cannot_see_a_job(job, client):
    client.logout()
    for name in ("portal:import_job", "portal:import_job_status"):
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 302
        assert reverse("portal:login") in response["Location"]
    response = client.get(reverse("portal:import_job_status", args=[job.pk]))
    assert response.status_code == 302
    assert reverse("portal:login") in response["Location"]


def test_the_jobs_page_costs_the_same_queries_for_any_number_of_jobs(cast, client, django_assert_num_queries):
    for number in range(3):
        ImportJob.objects.create(
            kind="projects", organization=cast.enterprise, created_by=cast.owner, filename=f"{number}.xlsx"
        )
    client.force_login(cast.owner)
    client.get(reverse("portal:import_jobs"))  # warm the session and the user's membership caches
    # session, user, membership (with organisation), unread count, jobs count, jobs with uploader
    with django_assert_num_queries(6):
        response = client.get(reverse("portal:import_jobs"))
    assert response.content.decode().count('data-testid="import-job-row"') == 3


def test_the_api_lists_the_organisations_jobs_only(job, cast, api):
    response = api.as_user(cast.colleague).get("/api/v1/import-jobs/")
    assert response.status_code == 200
    assert [j["id"] for j in response.json()["results"]] == [job.pk]
    assert api.as_user(cast.outsider).get(f"/api/v1/import-jobs/{job.pk}/").status_code == 404
    assert api.as_user(cast.official).get(f"/api/v1/import-jobs/{job.pk}/").status_code == 404
    assert api.as_user(cast.outsider).get("/api/v1/import-jobs/").json()["results"] == []
    assert api.as_user(None).get("/api/v1/import-jobs/").status_code == 401


# --- The export ------------------------------------------------------------------------------


def test_the_list_exports_what_it_shows_with_its_filters(cast, client):
    ProjectFactory(
        organization=cast.enterprise, name="肯尼亚公路", country_id="KE", filing_status=FilingStatus.APPROVED
    )
    ProjectFactory(
        organization=cast.enterprise, name="埃塞俄比亚水厂", country_id="ET", filing_status=FilingStatus.APPROVED
    )
    ProjectFactory(organization=cast.outsider_org, name="肯尼亚草稿", country_id="KE", filing_status=FilingStatus.DRAFT)
    list_page = client.get(reverse("projects:list"), {"country": "KE"}).content.decode()
    assert reverse("projects:export") + "?country=KE" in list_page
    response = client.get(reverse("projects:export"), {"country": "KE"})
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    names = [dict(zip(lines[0], line, strict=True))[HEADERS["name"]] for line in lines[1:]]
    assert names == ["肯尼亚公路"]  # the public sees approved projects only, filtered
    assert HEADERS["contract_value"] not in lines[0]


def test_the_workspace_links_to_the_import_and_its_own_export(cast, client):
    client.force_login(cast.owner)
    page = client.get(reverse("projects:workspace")).content.decode()
    assert reverse("projects:import") in page
    assert f"{reverse('projects:export')}?organization={cast.enterprise.pk}" in page


# --- Through a real worker ------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_good_upload_runs_through_a_real_worker_and_the_page_shows_done(
    cast, client, celery_worker_factory, smtp_sink, tmp_path, settings
):
    root = tmp_path / "shared-private"
    settings.PRIVATE_MEDIA_ROOT = str(root)
    worker = celery_worker_factory(email_url=smtp_sink.url, PRIVATE_MEDIA_ROOT=str(root))
    client.force_login(cast.owner)
    rows = [row(cast.enterprise, name=f"蒙巴萨港扩建工程{number}期") for number in range(1, 6)]
    response = client.post(IMPORT_URL, upload(workbook(rows)))
    job = ImportJob.objects.get()
    deadline = time.monotonic() + 60
    while True:
        status = client.get(reverse("portal:import_job_status", args=[job.pk])).json()
        if status["finished"] or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert status["status"] == "done", worker.log_tail()
    assert (status["total_rows"], status["processed_rows"], status["created_count"]) == (5, 5, 5)
    assert Project.objects.filter(organization=cast.enterprise).count() == 5
    page = client.get(response["Location"]).content.decode()
    assert "已导入 5 条记录" in page
    assert "Task portal.import_job_run[" in worker.log()


def test_the_api_list_of_jobs_costs_the_same_queries_for_any_number(cast, api, django_assert_num_queries):
    for number in range(4):
        ImportJob.objects.create(
            kind="projects", organization=cast.enterprise, created_by=cast.owner, filename=f"{number}.xlsx"
        )
    client = api.as_user(cast.owner)
    client.get("/api/v1/import-jobs/")
    # the page of jobs with their uploaders (the user's membership is cached on the
    # force-authenticated user since the first request)
    with django_assert_num_queries(1):
        response = client.get("/api/v1/import-jobs/")
    assert len(response.json()["results"]) == 4


def test_the_upload_page_costs_the_same_queries_for_any_number_of_recent_jobs(cast, client, django_assert_num_queries):
    for number in range(4):
        ImportJob.objects.create(
            kind="projects", organization=cast.enterprise, created_by=cast.owner, filename=f"{number}.xlsx"
        )
    client.force_login(cast.owner)
    client.get(IMPORT_URL)
    # session, user, membership (with organisation), unread count, the recent jobs with uploaders
    with django_assert_num_queries(5):
        response = client.get(IMPORT_URL)
    assert response.content.decode().count('data-testid="import-job-row"') == 4
