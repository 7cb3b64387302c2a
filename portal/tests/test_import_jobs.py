"""ImportJob and its task (portal/services/imports.py, portal.import_job_run): a job is taken up
once, a finished job is never run again, its records and its result commit together, and the
task goes to the bulk queue only after the upload commits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as settings_module
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation

from portal import services, xlsx
from portal.choices import ImportJobStatus
from portal.models import ImportJob
from portal.services import imports
from portal.testing.celery_worker import broker_messages, purge_broker, queue_size
from projects.models import Project
from projects.tests.test_import_export import row, workbook

from .test_tasks import queue_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("项目.xlsx", content, content_type=xlsx.CONTENT_TYPE)


def queued_job(cast, rows=None) -> ImportJob:
    content = workbook(rows if rows is not None else [row(cast.enterprise), row(cast.enterprise, name="第二个项目")])
    return services.import_job_create(actor=cast.owner, kind="projects", file=upload(content))


def test_the_task_is_routed_to_the_bulk_queue():
    assert queue_of("portal.import_job_run") == "bulk"


def test_a_job_runs_once_and_a_second_run_changes_nothing(cast, django_capture_on_commit_callbacks):
    job = queued_job(cast)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.import_job_run(job_id=job.pk, task_id="t1")
    assert (done.status, done.created_count, done.total_rows) == (ImportJobStatus.DONE, 2, 2)
    assert done.started_at is not None and done.finished_at >= done.started_at
    # The result is in the row; the upload is not kept.
    assert not storage.exists(name)
    assert not ImportJob.objects.get(pk=job.pk).file
    # The same task again (a redelivery), or another task: the job is finished, nothing is added.
    assert services.import_job_run(job_id=job.pk, task_id="t1") is None
    assert services.import_job_run(job_id=job.pk, task_id="t2") is None
    assert Project.objects.count() == 2


def test_a_job_running_under_another_task_is_left_to_it(cast):
    job = queued_job(cast)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, task_id="first")
    assert services.import_job_run(job_id=job.pk, task_id="second") is None
    assert not Project.objects.exists()
    # The task that holds it (retried after its attempt was rolled back) takes it up again.
    assert services.import_job_run(job_id=job.pk, task_id="first").status == ImportJobStatus.DONE
    assert Project.objects.count() == 2


def test_a_result_written_by_another_task_rolls_back_this_runs_records(cast):
    job = queued_job(cast)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, task_id="first")
    with transaction.atomic():
        created = xlsx.get("projects").import_rows([(2, row(cast.enterprise))], actor=cast.owner).created
        assert created
        assert imports._finish(job, task_id="second", created=created) is None
    assert not Project.objects.exists()
    assert ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.RUNNING


def test_a_job_with_a_bad_row_writes_nothing_and_keeps_every_error(cast):
    job = queued_job(cast, [row(cast.enterprise), row(cast.enterprise, contract_value=-1), row(cast.enterprise)])
    failed = services.import_job_run(job_id=job.pk, task_id="t")
    assert failed.status == ImportJobStatus.FAILED
    assert [(e["row"], e["field"]) for e in failed.errors] == [(3, "contract_value")]
    assert (failed.created_count, failed.created_ids, failed.processed_rows) == (0, [], 3)
    assert not Project.objects.exists()


def test_the_errors_are_written_in_the_uploaders_language(cast):
    with translation.override("en"):
        job = queued_job(cast, [row(cast.enterprise, stage="nonsense")])
    assert job.language == "en"
    failed = services.import_job_run(job_id=job.pk, task_id="t")
    assert "valid choice" in failed.errors[0]["message"]


def test_a_missing_file_fails_the_job_with_a_reason(cast):
    job = queued_job(cast)
    job.file.storage.delete(job.file.name)
    failed = services.import_job_run(job_id=job.pk, task_id="t")
    assert failed.status == ImportJobStatus.FAILED
    assert "已不存在" in failed.message


def test_a_job_whose_retries_are_spent_is_failed_and_never_run(cast):
    job = queued_job(cast)
    services.import_job_fail(job_id=job.pk, message="数据库不可用")
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportJobStatus.FAILED, "数据库不可用")
    assert services.import_job_run(job_id=job.pk, task_id="t") is None
    assert not Project.objects.exists()


def test_while_a_job_runs_its_progress_is_the_workers_count(cast):
    job = queued_job(cast)
    job.status = ImportJobStatus.RUNNING
    cache.set(imports._progress_key(job.pk), 1200)
    assert services.import_job_progress(job) == 1200
    job.status = ImportJobStatus.DONE
    job.processed_rows = 2
    assert services.import_job_progress(job) == 2


def test_import_rows_reports_progress_every_n_rows_and_at_the_end(cast):
    seen: list[int] = []
    rows = [(n, row(cast.enterprise, name=f"项目{n}")) for n in range(2, 7)]
    xlsx.get("projects").import_rows(rows, actor=cast.owner, progress=seen.append, progress_every=2)
    assert seen == [2, 4, 5]


def test_only_those_who_may_import_the_kind_create_a_job(cast):
    for user in (cast.supplier, cast.talent, cast.official):
        with pytest.raises(PermissionError):
            services.import_job_create(actor=user, kind="projects", file=upload(workbook([row(cast.enterprise)])))
    assert not ImportJob.objects.exists()


def test_a_refused_file_is_a_validation_error_on_file(cast):
    with pytest.raises(ValidationError) as error:
        services.import_job_create(actor=cast.owner, kind="projects", file=upload(b"PK\x03\x04 broken"))
    assert "file" in error.value.message_dict
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_task_reaches_the_bulk_queue_only_after_the_upload_commits(cast, celery_broker):
    with transaction.atomic():
        job = queued_job(cast)
        assert queue_size() == 0
    assert (queue_size("notify"), queue_size("bulk"), queue_size("default")) == (0, 1, 0)
    assert [(m.task, m.args) for m in broker_messages()] == [("portal.import_job_run", [job.pk])]


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_queues_a_job_left_waiting_and_fails_one_that_died(cast, celery_broker, settings):
    waiting, fresh, died = queued_job(cast), queued_job(cast), queued_job(cast)
    long_ago = timezone.now() - timedelta(seconds=settings.IMPORT_STALE_AFTER_SECONDS + 1)
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=long_ago)
    ImportJob.objects.filter(pk=died.pk).update(status=ImportJobStatus.RUNNING, task_id="gone", started_at=long_ago)
    purge_broker()  # the uploads' own tasks

    assert services.import_jobs_sweep() == {"requeued": 1, "failed": 1}

    assert [(m.task, m.args) for m in broker_messages()] == [("portal.import_job_run", [waiting.pk])]
    assert ImportJob.objects.get(pk=died.pk).status == ImportJobStatus.FAILED
    assert ImportJob.objects.get(pk=fresh.pk).status == ImportJobStatus.QUEUED


def test_the_sweeper_runs_every_five_minutes_on_the_default_queue():
    entry = settings_module.PORTAL_BEAT_SCHEDULE["imports-sweep"]
    assert (entry["task"], entry["schedule"]) == ("portal.sweep_import_jobs", 300)
    assert queue_of("portal.sweep_import_jobs") == "default"


@pytest.mark.parametrize("change", ["left", "deactivated", "deleted", "moved"])
def test_a_job_whose_uploader_may_no_longer_import_for_the_organisation_writes_nothing(change, cast):
    job = queued_job(cast)
    if change == "left":
        cast.owner.membership.delete()
    elif change == "deactivated":
        type(cast.owner).objects.filter(pk=cast.owner.pk).update(is_active=False)
    elif change == "deleted":
        cast.owner.delete()  # the job's created_by becomes NULL: never an import without an actor
    else:
        type(cast.owner.membership).objects.filter(pk=cast.owner.membership.pk).update(organization=cast.outsider_org)
    failed = services.import_job_run(job_id=job.pk, task_id="t")
    assert failed.status == ImportJobStatus.FAILED
    assert "上传人已不能为本组织导入" in failed.message
    assert not Project.objects.exists()
