"""The talent part's API resources; portal/api/urls.py finds `router` and serves them under
/api/v1/: the talent pool (`talents`, this part's) and the trainings' (registered from
talent/trainings/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from talent.trainings.api.urls import router as trainings_router

from .openings import OpeningApplicationViewSet, OpeningViewSet
from .views import TalentProfileViewSet

router = SimpleRouter()
for prefix, viewset, basename in trainings_router.registry:
    router.register(prefix, viewset, basename=basename)
router.register("talents", TalentProfileViewSet, basename="talent")
router.register("openings", OpeningViewSet, basename="opening")
router.register("opening-applications", OpeningApplicationViewSet, basename="opening-application")
