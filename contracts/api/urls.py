from django.urls import path
from rest_framework.routers import SimpleRouter

from .renderers import CSVRenderer, XLSXRenderer
from .views import ContractViewSet

router = SimpleRouter()
router.register("contracts", ContractViewSet, basename="contract")
urlpatterns = [
    path(
        "contracts/export.csv",
        ContractViewSet.as_view({"get": "export_csv"}, renderer_classes=[CSVRenderer]),
        name="contract-export-csv",
    ),
    path(
        "contracts/export.xlsx",
        ContractViewSet.as_view({"get": "export_xlsx"}, renderer_classes=[XLSXRenderer]),
        name="contract-export-xlsx",
    ),
    *router.urls,
]
