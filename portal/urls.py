"""Root URLconf: the API, its schema and docs, the admin, and the pages (Chinese at /, English
at /en/). Each part's pages are included here; its API resources in portal/api/urls.py."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .api.docs import SwaggerView
from .routing import remembered

urlpatterns = [
    # Every API request resolves here first; the memo spares it trying ~170 routes (routing.py).
    remembered(path("api/v1/", include("portal.api.urls"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("projects/", include("projects.urls")),
    path("suppliers/", include("suppliers.urls")),
    path("trainings/", include("talent.trainings.urls")),
    path("talent/", include("talent.urls")),
    path("risk/", include("risk.urls")),
    path("", include("portal.site_urls")),
    prefix_default_language=False,
)

# JSON under /api/, the site's pages elsewhere (portal/api/errors.py names them).
handler400 = "portal.api.errors.bad_request"
handler403 = "portal.api.errors.permission_denied"
handler404 = "portal.api.errors.page_not_found"
handler500 = "portal.api.errors.server_error"
