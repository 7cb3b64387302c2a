"""The portal's own error pages for the HTML site (handler403 in portal/urls.py).

A page that refuses raises PermissionDenied with the reason in the user's words
(`require(allowed, reason)`, `PortalView.permission_denied_message`); the 403 page shows that
reason, or a general one when the view gave none. The 404 and 500 pages are templates/404.html
and templates/500.html (500 extends the self-contained error_base.html: no context processors,
no database, nothing that could fail again).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render


def permission_denied(request, exception=None):
    """403: the page with the reason the view gave (`PermissionDenied("...")`)."""
    reason = str(exception) if exception is not None and exception.args and exception.args[0] else ""
    if request.path.startswith("/api/"):  # DRF answers its own 403s; this is for the rest of /api/
        return JsonResponse({"detail": reason or "Permission denied."}, status=403)
    return render(request, "403.html", {"reason": reason}, status=403)
