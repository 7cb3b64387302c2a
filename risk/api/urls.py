"""The risk part's API resources, served by portal/api/urls.py under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import cases, rollcalls, views

router = SimpleRouter()
router.register("risk/countries", views.CountryRiskViewSet, basename="risk-country")
router.register("risk/cases", cases.NegativeCaseViewSet, basename="risk-case")
router.register("risk/bulletins", views.BulletinViewSet, basename="risk-bulletin")
router.register("risk/follows", views.FollowViewSet, basename="risk-follow")
router.register("risk/rollcalls", rollcalls.RollCallViewSet, basename="risk-rollcall")
