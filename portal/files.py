"""Private files: storage outside the web root, an upload field checked by content and size, and
a download that applies the record's scope.

Suppliers' certificates and emergency plans are organisation data like any other: nobody may
fetch one by guessing a URL. The files live under PRIVATE_MEDIA_ROOT, which no web server
serves; each has a random name; and the only way out is a download view that looks the record
up through `visible_to(user)`, so a file outside the reader's scope is a 404 like its record.

    # <app>/models.py
    class Certificate(models.Model):
        title = models.CharField(_("证书名称"), max_length=200)
        file = PrivateFileField(_("证书文件"))

    # <app>/urls.py (pages)
    path("certificates/<int:pk>/file/",
         PrivateFileDownloadView.as_view(model=Certificate, filename_field="title"),
         name="certificate_file")

    # <app>/api/views.py: GET /api/v1/certificates/{id}/download/
    class CertificateViewSet(PrivateFileDownloadMixin, ScopedModelViewSet):
        download_filename_field = "title"

docs/development/private-files.md is the guide; docs/deploy.md the settings and nginx.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core import checks
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from .storage import PrivateStorage, private_storage
from .viewmixins import get_scoped_or_404

__all__ = ["PrivateStorage", "private_storage"]  # re-exported

logger = logging.getLogger(__name__)


# --- What may be uploaded -------------------------------------------------------------------
@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]
    signature: bytes


PDF = FileKind("PDF", "application/pdf", (".pdf",), b"%PDF-")
JPEG = FileKind("JPEG", "image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff")
PNG = FileKind("PNG", "image/png", (".png",), b"\x89PNG\r\n\x1a\n")
KINDS = (PDF, JPEG, PNG)
EXTENSIONS = frozenset(ext for kind in KINDS for ext in kind.extensions)
# For the file picker; the validator decides.
ACCEPT = ",".join([*sorted(EXTENSIONS), *(kind.content_type for kind in KINDS)])

HEAD_BYTES = 16
# Acrobat looks for the %%EOF marker only in the last 1024 bytes (PDF Reference 1.7, the
# implementation notes on section 3.4.4, "File Trailer").
PDF_TAIL_BYTES = 1024
PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")


def sniff(head: bytes) -> FileKind | None:
    """The kind whose signature `head` (the first bytes of a file) starts with, if any."""
    return next((kind for kind in KINDS if head.startswith(kind.signature)), None)


def _looks_whole(kind: FileKind, head: bytes, file) -> bool:
    """Cheap structural checks that the signature is not a mask over something else."""
    if kind is PDF:
        if not PDF_HEADER.match(head):
            return False
        file.seek(max(file.size - PDF_TAIL_BYTES, 0))
        return b"%%EOF" in file.read(PDF_TAIL_BYTES)
    if kind is PNG:
        return head[8:16] == b"\x00\x00\x00\rIHDR"  # the first chunk is always a 13-byte IHDR
    return len(head) > 3 and head[3] >= 0xC0  # JPEG: SOI is followed by another marker


def validate_private_file(file) -> None:
    """An upload is PDF, JPEG or PNG by its content, named for what it is, and not too large.

    A file already in storage was checked when it was uploaded; it is not read again (a lower
    UPLOAD_MAX_BYTES must not make old records impossible to edit).
    """
    if getattr(file, "_committed", False):
        return
    limit = settings.UPLOAD_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("文件不能超过 %(size)s MB。"), code="file_too_large", params={"size": f"{round(limit / 2**20, 1):g}"}
        )
    file.seek(0)
    head = file.read(HEAD_BYTES)
    kind = sniff(head)
    try:
        if kind is None:
            raise ValidationError(_("文件类型不支持，仅接受 PDF、JPEG 或 PNG。"), code="file_type")
        if PurePosixPath(file.name or "").suffix.lower() not in kind.extensions:
            raise ValidationError(
                _("文件扩展名与内容不符：内容是 %(kind)s，扩展名应为 %(extensions)s。"),
                code="file_extension",
                params={"kind": kind.label, "extensions": "、".join(kind.extensions)},
            )
        if not _looks_whole(kind, head, file):
            raise ValidationError(
                _("文件不是有效的 %(kind)s，可能已损坏。"), code="file_corrupt", params={"kind": kind.label}
            )
    finally:
        file.seek(0)


# --- Where files are kept -------------------------------------------------------------------
# PrivateStorage and private_storage() live in portal/storage.py (models import them, and this
# module imports DRF, whose settings import the models); they are importable from here too.


def private_upload_to(instance, filename: str) -> str:
    """`<app>/<model>/<uuid4>.<ext>`: not guessable, and nothing of the uploader's name but a
    known extension (anything else is dropped), so no name can climb out of its folder."""
    ext = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if ext not in EXTENSIONS:
        ext = ""
    meta = instance._meta
    return f"{meta.app_label}/{meta.model_name}/{uuid.uuid4().hex}{ext}"


class PrivateFieldFile(FieldFile):
    @property
    def url(self):
        # AttributeError, not ValueError: ClearableFileInput and DRF's FileField treat a file
        # without `url` as having no link, where a ValueError would be a 500.
        raise AttributeError("private files have no URL; link to the record's download view")


class PrivateFileField(models.FileField):
    """A PDF, JPEG or PNG kept in private storage under a random name.

    Validated by content and size in ModelForms, ModelSerializers and `full_clean()`; services
    that save an upload without either call `validate_private_file(file)` first.
    """

    attr_class = PrivateFieldFile
    default_validators = [validate_private_file]

    def __init__(self, verbose_name=None, name=None, **kwargs):
        for fixed in ("upload_to", "storage"):
            if fixed in kwargs:
                raise TypeError(f"PrivateFileField sets its own {fixed}")
        kwargs.setdefault("max_length", 255)
        super().__init__(verbose_name, name, upload_to=private_upload_to, storage=private_storage, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["upload_to"], kwargs["storage"]
        if kwargs.get("max_length") == 255:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": forms.FileInput(attrs={"accept": ACCEPT}), **kwargs})


class PrivateFileSerializerField(serializers.FileField):
    """Takes an upload like the model field (same checks) and shows the download URL.

    `view_name` is the URL name of the record's download, reversed with the record's pk:
    `file = PrivateFileSerializerField(view_name="api:certificate-download")`. Declare it: the
    field a ModelSerializer makes on its own for a PrivateFileField shows null, since a private
    file has no URL of its own.
    """

    default_validators = [validate_private_file]

    def __init__(self, *, view_name: str, **kwargs):
        self.view_name = view_name
        kwargs.setdefault("max_length", 255)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not value:
            return None
        url = reverse(self.view_name, kwargs={"pk": value.instance.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


# --- How files are served -------------------------------------------------------------------
_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_filename(base: str, fieldfile: FieldFile) -> str:
    """`base` made safe as a file name (any language), with the stored file's extension."""
    ext = PurePosixPath(fieldfile.name).suffix.lower()
    name = " ".join(_UNSAFE_IN_FILENAME.sub(" ", str(base)).split()).strip(". ")[:80] or gettext("文件")
    return name if name.lower().endswith(ext) else f"{name}{ext}"


def content_disposition(filename: str) -> str:
    """`attachment` with the name as RFC 6266 asks: a plain `filename` for old clients and, when
    the name is not ASCII, `filename*` in UTF-8 (RFC 5987), which every current browser uses."""
    if filename.isascii():
        return 'attachment; filename="{}"'.format(filename.replace("\\", "").replace('"', ""))
    fallback = "file" + PurePosixPath(filename).suffix.lower()
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def private_file_response(fieldfile: FieldFile, *, filename: str) -> HttpResponse:
    """The file as an attachment, typed by its content; Http404 when there is none.

    With PRIVATE_MEDIA_ACCEL_REDIRECT set (e.g. "/_private/") the body is left to nginx
    (X-Accel-Redirect, docs/deploy.md); otherwise Django streams it.
    """
    if not fieldfile:
        raise Http404
    storage, name = fieldfile.storage, fieldfile.name
    try:
        handle = storage.open(name, "rb")
    except SuspiciousFileOperation:
        logger.error("private file name %r of %s points outside its storage", name, fieldfile.instance._meta.label)
        raise Http404 from None
    except FileNotFoundError:
        logger.warning("private file %r of %s is missing", name, fieldfile.instance._meta.label)
        raise Http404 from None
    kind = sniff(handle.read(HEAD_BYTES))
    handle.seek(0)
    content_type = kind.content_type if kind else "application/octet-stream"
    accel = settings.PRIVATE_MEDIA_ACCEL_REDIRECT
    if accel:
        handle.close()
        relative = Path(storage.path(name)).relative_to(storage.location).as_posix()
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(f"{accel.rstrip('/')}/{relative}")
    else:
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class PrivateFileDownloadView(View):
    """GET one record's private file, looked up through `visible_to(request.user)`.

    A record outside the user's scope is a 404. An anonymous visitor who may not see it is sent
    to the login page instead, whether or not the record exists, so nothing is confirmed; a
    record the scope shows to the public is served to them.

        PrivateFileDownloadView.as_view(model=Certificate, field_name="file", filename_field="title")
    """

    http_method_names = ["get", "head", "options"]
    model: type[models.Model] | None = None
    queryset: models.QuerySet | None = None
    field_name: str = "file"
    #: The record's attribute that names the download; None uses str(record).
    filename_field: str | None = None
    pk_url_kwarg: str = "pk"

    def get_queryset(self) -> models.QuerySet:
        if self.queryset is not None:
            return self.queryset.all()
        return self.model._default_manager.all()

    def get_filename(self, obj) -> str:
        return str(obj if self.filename_field is None else getattr(obj, self.filename_field))

    def get(self, request, *args, **kwargs):
        try:
            obj = get_scoped_or_404(self.get_queryset(), request.user, pk=kwargs[self.pk_url_kwarg])
        except Http404:
            if not request.user.is_authenticated:
                # Imported here: auth.views needs the user model, and model modules import this one.
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            raise
        fieldfile = getattr(obj, self.field_name)
        return private_file_response(fieldfile, filename=download_filename(self.get_filename(obj), fieldfile))


class PrivateFileDownloadMixin:
    """For a scoped ViewSet: `GET <detail>/download/` serves the record's private file.

    `get_object()` applies the scope (ScopedViewSetMixin), so outside it the answer is a 404.
    The download answers whatever the client's Accept header asks; errors are JSON.
    """

    download_field: str = "file"
    #: The record's attribute that names the download; None uses str(record).
    download_filename_field: str | None = None

    @extend_schema(
        summary="下载文件",
        request=None,
        responses={(200, kind.content_type): OpenApiTypes.BINARY for kind in KINDS},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        obj = self.get_object()
        fieldfile = getattr(obj, self.download_field)
        base = obj if self.download_filename_field is None else getattr(obj, self.download_filename_field)
        return private_file_response(fieldfile, filename=download_filename(str(base), fieldfile))

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=force or self.action == "download")


# --- Deployment check -----------------------------------------------------------------------
@checks.register
def check_private_media_root(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """PRIVATE_MEDIA_ROOT must not lie in a folder that is served to the public."""
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    errors = []
    for setting in ("STATIC_ROOT", "MEDIA_ROOT"):
        value = getattr(settings, setting, None)
        if not value:
            continue
        public = Path(value).resolve()
        if private == public or public in private.parents:
            errors.append(
                checks.Error(
                    f"PRIVATE_MEDIA_ROOT ({private}) lies inside {setting} ({public}), which is served publicly.",
                    hint="Set PRIVATE_MEDIA_ROOT to a folder of its own, outside STATIC_ROOT and MEDIA_ROOT.",
                    id="portal.E001",
                )
            )
    return errors
