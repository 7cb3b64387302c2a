"""Django's error handlers (handler400/403/404/500 in portal/urls.py), in JSON under /api/.

An error Django answers itself, outside any DRF view — a URL that matches nothing, a Host not
in ALLOWED_HOSTS, a body refused before the view ran, an exception no view caught — gets the
same body as the API's other errors under /api/: `{"detail": "..."}` with the status, in the
request's language. Every other path is answered by the site's HTML handler, named in
`HTML_HANDLERS` (Django's defaults until the site has its own page).
"""

from __future__ import annotations

from django.core import exceptions as django_exceptions
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework import exceptions

from .exceptions import suspicious_request_error

API_PREFIX = "/api/"
HTML_HANDLERS = {
    400: "django.views.defaults.bad_request",
    403: "portal.errors.permission_denied",  # the page that says why
    404: "portal.views.not_found",
    500: "portal.views.server_error",
}


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json(error: exceptions.APIException) -> JsonResponse:
    body = {"detail": str(error.detail)}
    return JsonResponse(body, status=error.status_code, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception=None):
    if not is_api(request):
        return import_string(HTML_HANDLERS[400])(request, exception)
    if isinstance(exception, django_exceptions.SuspiciousOperation):
        error = suspicious_request_error(exception)
    else:
        error = exceptions.ParseError(_("请求无效。"))
    return _json(error)


def permission_denied(request, exception=None):
    if not is_api(request):
        return import_string(HTML_HANDLERS[403])(request, exception)
    reason = str(exception) if exception is not None and exception.args and exception.args[0] else None
    return _json(exceptions.PermissionDenied(reason))


def page_not_found(request, exception=None):
    if not is_api(request):
        return import_string(HTML_HANDLERS[404])(request, exception)
    return _json(exceptions.NotFound())


def server_error(request):
    if not is_api(request):
        return import_string(HTML_HANDLERS[500])(request)
    return _json(exceptions.APIException())
