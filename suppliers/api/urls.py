"""The supplier library's API resources. portal/api/urls.py finds `router` and serves its
routes under /api/v1/ (names `api:supplier-list` and so on)."""

from rest_framework.routers import SimpleRouter

from . import events, views

router = SimpleRouter()
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("supplier-applications", views.ApplicationViewSet, basename="supplier-application")
router.register("supplier-certificates", views.CertificateViewSet, basename="supplier-certificate")
router.register("supplier-categories", views.CategoryViewSet, basename="supplier-category")
router.register("certificate-kinds", views.CertificateKindViewSet, basename="certificate-kind")
router.register("matchmaking-events", events.MatchmakingEventViewSet, basename="matchmaking-event")
# The project's supply chain, beside the project library's own routes for a project.
router.register(
    r"projects/(?P<project_pk>[0-9]{1,18})/suppliers", views.ProjectSupplyChainViewSet, basename="supply-chain"
)
