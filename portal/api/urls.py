"""Routes under /api/v1/: the portal's own resources and every part's.

A part declares its resources on a `router` in its own `<app>/api/urls.py` and imports nothing
from here. `part_api_modules()` finds those modules among the installed apps (as the admin
finds `admin.py`), and `build_router()` registers their routes on the one DefaultRouter, so
the API root lists every resource and each name is `api:<basename>-list` as before.
"""

from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from rest_framework.routers import DefaultRouter

from . import views

PART_MODULE = "api.urls"


def part_api_modules() -> list[ModuleType]:
    """The `<app>.api.urls` module of every installed app that has one, portal's own aside, in
    INSTALLED_APPS order (the order of the API root and the URL patterns)."""
    return [
        import_module(f"{config.name}.{PART_MODULE}")
        for config in apps.get_app_configs()
        if config.name != "portal" and module_has_submodule(config.module, PART_MODULE)
    ]


def build_router(parts: list[ModuleType]) -> DefaultRouter:
    """The portal's resources, then each part's. A basename used twice is an error at startup."""
    router = DefaultRouter()
    router.register("countries", views.CountryViewSet, basename="country")
    router.register("organizations", views.OrganizationViewSet, basename="organization")
    router.register("notifications", views.NotificationViewSet, basename="notification")
    router.register("notification-preferences", views.NotificationPreferenceViewSet, basename="notification-preference")
    router.register("import-jobs", views.ImportJobViewSet, basename="import-job")
    for module in parts:
        part_router = getattr(module, "router", None)
        if part_router is None:
            raise ImproperlyConfigured(f"{module.__name__} must define `router` (a rest_framework SimpleRouter).")
        for prefix, viewset, basename in part_router.registry:
            router.register(prefix, viewset, basename=basename)
    return router


router = build_router(part_api_modules())

app_name = "api"
urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/signup/", views.SignupView.as_view(), name="auth-signup"),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("", include(router.urls)),
]
