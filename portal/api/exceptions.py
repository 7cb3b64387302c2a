"""JSON errors for the API: Django validation errors become 400s, never 500s.

A request Django finds suspicious while DRF parses it (a form with more than
DATA_UPLOAD_MAX_NUMBER_FIELDS fields, a body over DATA_UPLOAD_MAX_MEMORY_SIZE) raised out of
the view to Django's handler400, an HTML page; here it is a 400 or 413 like any other API
error, logged to `django.security.<name>` as Django logs it.
"""

import logging

from django.conf import settings
from django.core import exceptions as django_exceptions
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .parsers import too_large


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"detail": exc.messages[0] if len(exc.messages) == 1 else exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, PermissionError):
        exc = exceptions.PermissionDenied(str(exc) or _("您没有执行该操作的权限。"))
    elif isinstance(exc, Http404):
        # get_object_or_404's "No Project matches the given query." is English and names the
        # model; DRF's own message is translated and says no more than that.
        exc = exceptions.NotFound()
    elif isinstance(exc, django_exceptions.SuspiciousOperation):
        logging.getLogger(f"django.security.{exc.__class__.__name__}").error(str(exc))
        exc = suspicious_request_error(exc)
    elif isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        # ValidationError("...") without a field (DRF's search filter on a NUL byte, a view's
        # own check) would answer a bare list: give it the body every other error has.
        messages = exc.detail
        exc = exceptions.ValidationError({"detail": messages[0] if len(messages) == 1 else messages})
    return drf_exception_handler(exc, context)


def suspicious_request_error(exc: django_exceptions.SuspiciousOperation) -> exceptions.APIException:
    """The API error for a request Django refused as suspicious: a 413 for a body too large,
    else a 400 that says what was wrong."""
    if isinstance(exc, django_exceptions.RequestDataTooBig):
        return too_large()
    if isinstance(exc, django_exceptions.TooManyFieldsSent):
        message = _("表单字段过多：最多 %(max)s 个。") % {"max": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    elif isinstance(exc, django_exceptions.TooManyFilesSent):
        message = _("上传的文件过多：最多 %(max)s 个。") % {"max": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    else:
        message = _("请求无效。")
    return exceptions.ParseError(message)
