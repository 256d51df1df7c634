from rest_framework.routers import SimpleRouter

from .views import TenderViewSet

router = SimpleRouter()
router.register("tenders", TenderViewSet, basename="tender")
urlpatterns = router.urls
