"""The project library's API resources, registered on the portal's router."""

from portal.api.urls import router

from . import views

router.register("projects", views.ProjectViewSet, basename="project")
router.register("exchange-rates", views.ExchangeRateViewSet, basename="exchange-rate")
router.register("project-surveys", views.SurveyViewSet, basename="project-survey")
