"""API routes for the tender set-up: /api/v1/setup/..."""

from rest_framework.routers import SimpleRouter

from . import setup_views as views

router = SimpleRouter()
router.register("setup/tenders", views.SetupTenderViewSet, basename="setup-tender")
router.register("setup/lots", views.SetupLotViewSet, basename="setup-lot")
router.register("setup/segments", views.SetupSegmentViewSet, basename="setup-segment")
router.register("setup/subsegments", views.SetupSubSegmentViewSet, basename="setup-subsegment")
router.register("setup/requirements", views.SetupRequirementViewSet, basename="setup-requirement")
router.register("setup/criteria", views.SetupCriterionViewSet, basename="setup-criterion")
router.register("setup/regions", views.SetupRegionViewSet, basename="setup-region")
urlpatterns = router.urls
