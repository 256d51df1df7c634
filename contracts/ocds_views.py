"""The OCDS release package of a tender as a download (``/aanbestedingen/<slug>/ocds.json``)."""

from django.http import HttpResponse
from django.views import View

from audit.services import client_address_of

from .services.ocds import ocds_export, ocds_package_json
from .settlement_views import StaffPerformanceMixin


class OcdsDownloadView(StaffPerformanceMixin, View):
    def get(self, request, slug):
        package = ocds_export(
            tender=self.tender,
            user=request.user,
            uri=request.build_absolute_uri(),
            client_address=client_address_of(request),
        )
        response = HttpResponse(
            ocds_package_json(package), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="ocds-{self.tender.slug}.json"'
        return response
