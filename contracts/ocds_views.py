"""The OCDS release package of a tender as a download (``/aanbestedingen/<slug>/ocds.json``),
and its public ``tender`` release (``/aanbesteding/<slug>/ocds.json``, no bids)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from audit.services import client_address_of
from tender.models import Tender

from .services.ocds import ocds_export, ocds_package_json, ocds_release_package
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


class PublicOcdsView(View):
    """The public tender page's machine-readable version: the OCDS ``tender`` release of a
    public tender (its lots and segments; never a bidder, award or contract), for anyone."""

    def get(self, request, slug):
        tender = get_object_or_404(Tender.objects.public().select_related("region"), slug=slug)
        package = ocds_release_package(
            tender=tender, uri=request.build_absolute_uri(), tender_only=True
        )
        return HttpResponse(
            ocds_package_json(package), content_type="application/json; charset=utf-8"
        )
