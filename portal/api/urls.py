"""Routes under /api/v1/. Each part adds its resources to `router` from its own api/urls.py."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("notification-preferences", views.NotificationPreferenceViewSet, basename="notification-preference")

# Each part registers its resources on `router` in its own api/urls.py.
import projects.api.urls  # noqa: E402, F401

app_name = "api"
urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/signup/", views.SignupView.as_view(), name="auth-signup"),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("", include(router.urls)),
]
