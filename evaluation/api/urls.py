from rest_framework.routers import SimpleRouter

from .views import RankingViewSet

router = SimpleRouter()
router.register("rankings", RankingViewSet, basename="ranking")
urlpatterns = router.urls
