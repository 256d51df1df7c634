"""Ranking screens for staff: overview per phase, progress, the table per segment."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import can_finalise_ranking, can_run_ranking, can_view_ranking
from audit.services import client_address_of
from tender.constants import Phase
from tender.errors import ApplicationError
from tender.models import Segment, Tender

from .forms import RankingRunForm
from .models import Ranking, RankingGap, RankingRow
from .selectors import latest_ranking
from .services.ranking import ranking_finalise, ranking_request


class RankingAccessMixin(LoginRequiredMixin):
    """Resolves tender and phase; 404 for anyone who may not see rankings of the tender."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if kwargs["phase"] not in Phase.values:
            raise Http404
        self.tender = get_object_or_404(
            Tender.objects.select_related("region"), slug=kwargs["slug"]
        )
        if not can_view_ranking(request.user, self.tender):
            raise Http404
        self.phase = kwargs["phase"]
        return super().dispatch(request, *args, **kwargs)

    def base_context(self, ranking):
        return {
            "tender": self.tender,
            "phase": self.phase,
            "ranking_title": (
                _("Ranking selectiefase")
                if self.phase == Phase.SELECTION
                else _("Ranking gunningsfase")
            ),
            "ranking": ranking,
            "can_run": can_run_ranking(self.request.user, self.tender),
            "can_finalise": can_finalise_ranking(self.request.user, self.tender),
        }


class RankingOverviewView(RankingAccessMixin, View):
    def get(self, request, slug, phase):
        ranking = latest_ranking(tender=self.tender, phase=phase)
        context = self.base_context(ranking)
        context["form"] = RankingRunForm(initial={"seed": ranking.seed if ranking else 0})
        context["segments"] = _segment_summaries(self.tender, ranking)
        return render(request, "evaluation/ranking_overview.html", context)

    def post(self, request, slug, phase):
        if not can_run_ranking(request.user, self.tender):
            raise Http404
        form = RankingRunForm(request.POST)
        if not form.is_valid():
            context = self.base_context(latest_ranking(tender=self.tender, phase=phase))
            context["form"] = form
            context["segments"] = _segment_summaries(self.tender, context["ranking"])
            return render(request, "evaluation/ranking_overview.html", context, status=400)
        try:
            ranking_request(
                tender=self.tender, phase=phase, seed=form.cleaned_data["seed"], user=request.user
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("De ranking wordt berekend."))
        return redirect("ranking-overview", slug=slug, phase=phase)


class RankingProgressView(RankingAccessMixin, View):
    """htmx partial: the progress of the newest ranking; stops polling once it is done."""

    def get(self, request, slug, phase, pk):
        ranking = get_object_or_404(Ranking, pk=pk, tender=self.tender, phase=phase)
        return render(request, "evaluation/_ranking_progress.html", self.base_context(ranking))


class RankingFinaliseView(RankingAccessMixin, View):
    def post(self, request, slug, phase, pk):
        if not can_finalise_ranking(request.user, self.tender):
            raise Http404
        ranking = get_object_or_404(Ranking, pk=pk, tender=self.tender, phase=phase)
        try:
            ranking_finalise(
                ranking=ranking, user=request.user, client_address=client_address_of(request)
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("De ranking is definitief vastgesteld."))
        return redirect("ranking-overview", slug=slug, phase=phase)


class RankingSegmentView(RankingAccessMixin, View):
    def get(self, request, slug, phase, code):
        segment = get_object_or_404(
            Segment.objects.select_related("lot"), tender=self.tender, code=code
        )
        ranking = latest_ranking(tender=self.tender, phase=phase)
        context = self.base_context(ranking)
        rows = gaps = []
        if ranking is not None:
            rows = list(RankingRow.objects.filter(ranking=ranking, segment=segment))
            gaps = list(RankingGap.objects.filter(ranking=ranking, segment=segment))
        places = segment.places if phase == Phase.SELECTION else segment.effective_award_places
        context.update({"segment": segment, "rows": rows, "gaps": gaps, "places": places})
        return render(request, "evaluation/ranking_segment.html", context)


def _segment_summaries(tender, ranking):
    """Per segment: counts per status and gaps of ``ranking`` (3 queries in all)."""
    segments = list(Segment.objects.filter(tender=tender).order_by("code"))
    counts, gap_counts = Counter(), Counter()
    if ranking is not None:
        for segment_id, status in RankingRow.objects.filter(ranking=ranking).values_list(
            "segment_id", "status"
        ):
            counts[(segment_id, status)] += 1
        for segment_id in RankingGap.objects.filter(ranking=ranking).values_list(
            "segment_id", flat=True
        ):
            gap_counts[segment_id] += 1
    return [
        {
            "segment": s,
            "selected": counts[(s.pk, "selected")],
            "coverage": counts[(s.pk, "selected_coverage")],
            "below": counts[(s.pk, "below_line")],
            "excluded": counts[(s.pk, "excluded")],
            "gaps": gap_counts[s.pk],
        }
        for s in segments
    ]
