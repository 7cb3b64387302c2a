"""The trainings' API resources (collected by talent/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("trainings", views.TrainingSessionViewSet, basename="training")
