"""The OCDS release package of a tender as a download (``/aanbestedingen/<slug>/ocds.json``)."""

from django.http import HttpResponse
from django.views import View

from .services.ocds import ocds_package_json, ocds_release_package
from .settlement_views import StaffPerformanceMixin


class OcdsDownloadView(StaffPerformanceMixin, View):
    def get(self, request, slug):
        package = ocds_release_package(tender=self.tender, uri=request.build_absolute_uri())
        response = HttpResponse(
            ocds_package_json(package), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="ocds-{self.tender.slug}.json"'
        return response
