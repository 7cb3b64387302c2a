"""Excel imports as jobs: an upload checked at once, its rows read and written by a worker.

    job = import_job_create(actor=request.user, kind="projects", file=request.FILES["file"])
    # ... after commit, the `portal.import_job_run` task (queue `bulk`) calls:
    import_job_run(job_id=job.pk, task_id=<the task's id>)

The upload is refused in the request when it is too large, would unpack too far or declares too
many rows or columns (`xlsx.check_upload`); nothing is stored then. The worker reads the rows and
imports them as `XlsxKind.import_rows` does everywhere: all or nothing, every row error listed.
The records and the job's result are committed in one transaction, so a job is `done` exactly
when its records exist. While it runs, the rows done are counted in the cache
(`import_job_progress`), since no other connection sees the open transaction's writes.

A job is taken up once: `queued` → `running` by an UPDATE that only one task can win. The same
task (a retry after a lost database connection, or the redelivery of a task whose worker died)
may take up the job it holds again, its earlier attempt having been rolled back; any other task
finds it running or finished and does nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import xlsx
from ..choices import AuditAction, ImportJobStatus
from ..models import ImportJob, User
from .audit import audit_record

logger = logging.getLogger(__name__)

PROGRESS_TTL_SECONDS = 24 * 3600


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:processed"


def import_job_progress(job: ImportJob) -> int:
    """Rows processed so far: the worker's live count while the job runs, else the job's own."""
    if job.status == ImportJobStatus.RUNNING:
        return max(job.processed_rows, int(cache.get(_progress_key(job.pk)) or 0))
    return job.processed_rows


def import_job_create(*, actor: User, kind: str, file) -> ImportJob:
    """Store an upload of `kind` as a queued job of the actor's organisation and queue its task.

    PermissionError when the actor may not import the kind; ValidationError({"file": ...}) when
    the file is refused (nothing is stored)."""
    xlsx_kind = xlsx.get(kind)
    membership = actor.org_membership if actor.is_authenticated else None
    if membership is None or not xlsx_kind.can_import(actor):
        raise PermissionError(_("您没有导入%(label)s的权限。") % {"label": xlsx_kind.label})
    if file is None:
        raise ValidationError({"file": _("请选择要上传的 Excel（.xlsx）文件。")})
    try:
        xlsx.check_upload(file)
    except xlsx.XlsxError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    from ..tasks import import_job_run as run_task

    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            organization=membership.organization,
            created_by=actor,
            filename=PurePosixPath(str(file.name or "").replace("\\", "/")).name[:255],
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        job.file.save("upload.xlsx", file, save=False)
        job.save()
        audit_record(actor=actor, action=AuditAction.IMPORT_JOB_CREATE, target=job, kind=kind, filename=job.filename)
        # robust: a broker that is down does not turn a stored upload into a 500; the sweeper
        # (import_jobs_sweep) queues the job again.
        transaction.on_commit(lambda: run_task.delay(job.pk), robust=True)
    return job


def import_job_run(*, job_id: int, task_id: str = "") -> ImportJob | None:
    """Read and import the job's rows (see the module's docstring); None if the job was not
    this task's to run (finished, or running under another task)."""
    claimable = Q(status=ImportJobStatus.QUEUED)
    if task_id:
        claimable |= Q(status=ImportJobStatus.RUNNING, task_id=task_id)
    claimed = ImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportJobStatus.RUNNING, task_id=task_id, started_at=timezone.now(), processed_rows=0
    )
    if not claimed:
        logger.info("import job %s is not queued (finished or taken by another task): skipped", job_id)
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    cache.set(_progress_key(job.pk), 0, PROGRESS_TTL_SECONDS)
    with translation.override(job.language or settings.LANGUAGE_CODE):  # errors in the uploader's language
        return _run(job, task_id=task_id)


def _run(job: ImportJob, *, task_id: str) -> ImportJob | None:
    kind = xlsx.get(job.kind)
    # The rows are created as the uploader, for the job's organisation: never without one (an
    # import without an actor is the command's, which registers rows for whichever enterprise
    # they name), and not if the uploader has since left the organisation or lost the right.
    actor = job.created_by
    membership = actor.org_membership if actor is not None and actor.is_active else None
    if membership is None or membership.organization_id != job.organization_id or not kind.can_import(actor):
        with transaction.atomic():
            return _finish(job, task_id=task_id, message=_("上传人已不能为本组织导入，未导入任何记录。"))
    try:
        with job.file.open("rb") as handle:
            header_errors, rows = xlsx.read_rows(handle, kind.columns)
    except FileNotFoundError:
        logger.error("import job %s: its file %r is missing", job.pk, job.file.name)
        with transaction.atomic():
            return _finish(job, task_id=task_id, message=_("上传的文件已不存在，请重新上传。"))
    except xlsx.XlsxError as exc:
        with transaction.atomic():
            return _finish(job, task_id=task_id, message=str(exc))
    if header_errors:
        with transaction.atomic():
            return _finish(job, task_id=task_id, errors=header_errors, total=len(rows))
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))  # committed: the page shows "x / N"

    def progress(done: int) -> None:
        cache.set(_progress_key(job.pk), done, PROGRESS_TTL_SECONDS)

    # The records and the job's result commit together, or (another task finished it) neither.
    with transaction.atomic():
        result = kind.import_rows(rows, actor=actor, progress=progress, progress_every=settings.IMPORT_PROGRESS_EVERY)
        return _finish(
            job, task_id=task_id, errors=result.errors, total=len(rows), processed=len(rows), created=result.created
        )


def _finish(
    job: ImportJob, *, task_id: str, errors=(), total=None, processed: int = 0, created=(), message: str = ""
) -> ImportJob | None:
    """Write the job's result, if it is still this task's; else mark the enclosing transaction
    (which holds whatever this task wrote) for rollback. Called inside `transaction.atomic()`."""
    locked = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if locked is None or locked.status != ImportJobStatus.RUNNING or locked.task_id != task_id:
        logger.warning("import job %s was finished by another task: this run's writes are rolled back", job.pk)
        transaction.set_rollback(True)
        return None
    failed = bool(errors) or bool(message)
    locked.status = ImportJobStatus.FAILED if failed else ImportJobStatus.DONE
    locked.errors = [error.as_dict() for error in errors]
    locked.total_rows = total if total is not None else locked.total_rows
    locked.processed_rows = processed
    locked.created_count = 0 if failed else len(created)
    locked.created_ids = [] if failed else [record.pk for record in created]
    locked.message = message
    locked.finished_at = timezone.now()
    _drop_upload(locked)
    locked.save(
        update_fields=[
            "file",
            "status",
            "errors",
            "total_rows",
            "processed_rows",
            "created_count",
            "created_ids",
            "message",
            "finished_at",
        ]
    )
    cache.delete(_progress_key(job.pk))
    return locked


def import_jobs_sweep() -> dict[str, int]:
    """The import sweeper (beat): queue the task again for a job still queued after
    IMPORT_REQUEUE_AFTER_SECONDS (its task was never handed to the broker, or was lost there);
    fail a job running longer than IMPORT_STALE_AFTER_SECONDS (its worker died and the task was
    not redelivered). A job queued twice is still run once (`import_job_run` claims it)."""
    from ..tasks import import_job_run as run_task

    now = timezone.now()
    waiting = list(
        ImportJob.objects.filter(
            status=ImportJobStatus.QUEUED,
            created_at__lt=now - timedelta(seconds=settings.IMPORT_REQUEUE_AFTER_SECONDS),
        ).values_list("pk", flat=True)
    )
    for job_id in waiting:
        run_task.delay(job_id)
    stale = list(
        ImportJob.objects.filter(
            status=ImportJobStatus.RUNNING,
            started_at__lt=now - timedelta(seconds=settings.IMPORT_STALE_AFTER_SECONDS),
        ).values_list("pk", flat=True)
    )
    for job_id in stale:
        logger.error("import job %s has been running since before the stale limit: failed", job_id)
        import_job_fail(job_id=job_id, message=_("导入因系统故障未能完成，未导入任何记录，请重新上传。"))
    return {"requeued": len(waiting), "failed": len(stale)}


def import_job_fail(*, job_id: int, message: str) -> None:
    """Record that a job could not be run (its retries spent, or its worker died): nothing was
    written."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update()
            .filter(pk=job_id, status__in=[ImportJobStatus.QUEUED, ImportJobStatus.RUNNING])
            .first()
        )
        if job is None:
            return
        job.status, job.message, job.finished_at = ImportJobStatus.FAILED, message, timezone.now()
        _drop_upload(job)
        job.save(update_fields=["file", "status", "message", "finished_at"])
    cache.delete(_progress_key(job_id))


def _drop_upload(job: ImportJob) -> None:
    """A finished job keeps its result, not the file: the upload is deleted once the result
    has committed (a rollback leaves it for the task that will finish the job)."""
    name, storage = job.file.name, job.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
    job.file = ""
