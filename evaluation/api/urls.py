from django.urls import path
from rest_framework.routers import SimpleRouter

from .renderers import CSVRenderer
from .views import RankingViewSet

router = SimpleRouter()
router.register("rankings", RankingViewSet, basename="ranking")
urlpatterns = [
    path(
        "rankings/<int:pk>/export.csv",
        RankingViewSet.as_view({"get": "export_csv"}, renderer_classes=[CSVRenderer]),
        name="ranking-export-csv",
    ),
    *router.urls,
]
