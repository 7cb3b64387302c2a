"""JSON errors for the API: Django validation errors become 400s, never 500s."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


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
        exc = exceptions.PermissionDenied(str(exc) or _("您没有执行该操作的权限（permission denied）。"))
    return drf_exception_handler(exc, context)
