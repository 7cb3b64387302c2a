"""Interactive API docs served from drf-spectacular-sidecar's local copy of Swagger UI."""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


@method_decorator(csp_update({"style-src": ["'self'", "'unsafe-inline'"]}), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its init script as a separate file, so the page's CSP needs no inline JS."""
