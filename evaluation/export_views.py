"""Downloads for the procurement file: the scores workbook and a ranking's CSV.

Staff who may export (inkoper, voorzitter, auditor) get the file; everyone else a 404, like
the ranking pages. Each download is audited by the service.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from audit.services import client_address_of
from tender.errors import service_action

from .exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from .models import Ranking
from .permissions import can_export_scores
from .services.exports import export_filename, ranking_csv_export, scores_workbook_export
from .views import RankingAccessMixin


def attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # scores and points of every bidder
    return response


class ScoresWorkbookView(RankingAccessMixin, View):
    def get(self, request, slug, phase):
        if not can_export_scores(request.user, self.tender):
            raise Http404
        content = scores_workbook_export(
            tender=self.tender,
            phase=phase,
            user=request.user,
            client_address=client_address_of(request),
        )
        return attachment(
            content,
            content_type=XLSX_CONTENT_TYPE,
            filename=export_filename(
                tender=self.tender, phase=phase, what="scores", extension="xlsx"
            ),
        )


class RankingCsvView(RankingAccessMixin, View):
    def get(self, request, slug, phase, pk):
        if not can_export_scores(request.user, self.tender):
            raise Http404
        ranking = get_object_or_404(
            Ranking.objects.select_related("tender"), pk=pk, tender=self.tender, phase=phase
        )
        with service_action(request) as outcome:
            content = ranking_csv_export(
                ranking=ranking, user=request.user, client_address=client_address_of(request)
            )
        if outcome.refused:
            return redirect("ranking-overview", slug=slug, phase=phase)
        return attachment(
            content,
            content_type=CSV_CONTENT_TYPE,
            filename=export_filename(
                tender=self.tender, phase=phase, what="ranking", extension="csv", pk=ranking.pk
            ),
        )
