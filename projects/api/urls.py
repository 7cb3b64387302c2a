"""The project library's API resources. portal/api/urls.py finds `router` and serves its
routes under /api/v1/ beside the portal's (names `api:project-list` and so on)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("exchange-rates", views.ExchangeRateViewSet, basename="exchange-rate")
router.register("project-surveys", views.SurveyViewSet, basename="project-survey")
