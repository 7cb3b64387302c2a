"""The portal's URLs plus views that fail on purpose, for test_error_pages.py."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from portal.urls import handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def boom(request):
    raise RuntimeError("a bug the visitor must not see")


def forbidden_without_a_reason(request):
    raise PermissionDenied


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden_without_a_reason),
    *portal_urlpatterns,
]
