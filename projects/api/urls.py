"""The project library's API resources. portal/api/urls.py finds `router` and serves its
routes under /api/v1/ beside the portal's (names `api:project-list` and so on)."""

from rest_framework.routers import SimpleRouter

from . import emergency, views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("exchange-rates", views.ExchangeRateViewSet, basename="exchange-rate")
router.register("project-surveys", views.SurveyViewSet, basename="project-survey")
router.register("emergency-plans", emergency.EmergencyPlanViewSet, basename="emergency-plan")
router.register("emergency-drills", emergency.EmergencyDrillViewSet, basename="emergency-drill")
router.register("plan-obligations", emergency.PlanObligationViewSet, basename="plan-obligation")
