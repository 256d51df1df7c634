"""Ranking screens for staff: overview per phase, progress, the table per segment."""

from collections import Counter

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.confirmation import Confirmation, confirmation_page, confirmed
from audit.services import client_address_of
from tender.constants import Phase, Procedure
from tender.errors import service_action
from tender.mixins import TenderScopedMixin
from tender.models import Segment

from .constants import RankingStatus
from .forms import RankingReopenForm, RankingRunForm
from .models import Ranking, RankingGap, RankingRow
from .permissions import (
    can_export_scores,
    can_finalise_ranking,
    can_reopen_ranking,
    can_rerun_ranking,
    can_run_ranking,
    can_view_ranking,
)
from .ranking_selectors import (
    coverage_matrix,
    line_after,
    points_chart,
    ranking_for_page,
    ranking_history,
    segment_places,
    segment_rows,
)
from .selectors import latest_ranking, sealed_refusal
from .services.ranking import ranking_finalise, ranking_request, ranking_resume
from .services.reopen import ranking_reopen
from .services.rerun import ranking_rerun


class RankingAccessMixin(TenderScopedMixin):
    """Resolves tender and phase; 404 for anyone who may not see rankings of the tender."""

    tender_predicate = staticmethod(can_view_ranking)

    def check_tender(self):
        if self.kwargs["phase"] not in Phase.values:
            raise Http404
        if self.tender.procedure == Procedure.OPEN_HOUSE:
            # Open House admits everyone who passes: no ranking screens (DOMAIN.md, rule 4).
            raise Http404
        self.phase = self.kwargs["phase"]
        # Before the opening no ranking page shows anything of a bid (not even an old
        # computation); a POST reaches its service, which refuses with the same reason.
        refusal = sealed_refusal(self.tender)
        if refusal and self.request.method == "GET":
            return render(
                self.request,
                "evaluation/ranking_sealed.html",
                {**self.base_context(None), "refusal": refusal},
            )
        return None

    def requested_ranking_pk(self) -> int | None:
        """``?ranking=<pk>`` asks for an earlier ranking of the phase; anything else is a 404."""
        value = self.request.GET.get("ranking")
        if value is None:
            return None
        if not value.isdigit():
            raise Http404
        return int(value)

    def base_context(self, ranking):
        user = self.request.user
        return {
            "tender": self.tender,
            "phase": self.phase,
            "ranking_title": (
                _("Ranking selectiefase")
                if self.phase == Phase.SELECTION
                else _("Ranking gunningsfase")
            ),
            "ranking": ranking,
            "can_run": can_run_ranking(user, self.tender),
            "can_finalise": can_finalise_ranking(user, self.tender),
            "can_reopen": can_reopen_ranking(user, self.tender),
            "can_export": can_export_scores(user, self.tender),
            "can_rerun": can_rerun_ranking(user, self.tender),
        }


class RankingOverviewView(RankingAccessMixin, View):
    def get(self, request, slug, phase):
        pk = self.requested_ranking_pk()
        ranking = ranking_for_page(tender=self.tender, phase=phase, pk=pk)
        if pk is not None and ranking is None:
            raise Http404
        return render(
            request,
            "evaluation/ranking_overview.html",
            self.overview_context(ranking, chosen=pk is not None),
        )

    def overview_context(self, ranking, *, chosen=False, **forms):
        context = self.base_context(ranking)
        context["form"] = forms.get("form") or RankingRunForm(
            initial={"seed": ranking.seed if ranking else 0}
        )
        context["reopen_form"] = forms.get("reopen_form") or RankingReopenForm()
        context["segments"] = _segment_summaries(self.tender, ranking)
        context["history"] = ranking_history(tender=self.tender, phase=self.phase)
        context["chosen"] = chosen
        context["ranking_query"] = f"?ranking={ranking.pk}" if chosen else ""
        return context

    def post(self, request, slug, phase):
        if not can_run_ranking(request.user, self.tender):
            raise Http404
        form = RankingRunForm(request.POST)
        if not form.is_valid():
            ranking = latest_ranking(tender=self.tender, phase=phase)
            context = self.overview_context(ranking, form=form)
            return render(request, "evaluation/ranking_overview.html", context, status=400)
        with service_action(request):
            ranking_request(
                tender=self.tender, phase=phase, seed=form.cleaned_data["seed"], user=request.user
            )
            messages.success(request, _("De ranking wordt berekend."))
        return redirect("ranking-overview", slug=slug, phase=phase)


class RankingProgressView(RankingAccessMixin, View):
    """htmx partial: the progress of the newest ranking; stops polling once it is done."""

    def get(self, request, slug, phase, pk):
        ranking = get_object_or_404(Ranking, pk=pk, tender=self.tender, phase=phase)
        return render(request, "evaluation/_ranking_progress.html", self.base_context(ranking))


class RankingActionView(RankingAccessMixin, View):
    """POST: one service action on one ranking of the phase, for whoever ``may`` (else 404),
    then back to the overview with ``done`` as the message."""

    may = staticmethod(lambda user, tender: False)
    action = staticmethod(lambda **kwargs: None)
    done = ""
    #: title, consequence and button of the confirmation page of an irreversible action
    confirm: dict | None = None

    def post(self, request, slug, phase, pk):
        if not self.may(request.user, self.tender):
            raise Http404
        ranking = get_object_or_404(Ranking, pk=pk, tender=self.tender, phase=phase)
        if self.confirm is not None and not confirmed(request):
            return confirmation_page(
                request,
                Confirmation(
                    title=str(self.confirm["title"]),
                    consequence=str(self.confirm["consequence"]),
                    button=str(self.confirm["button"]),
                    cancel_url=reverse("ranking-overview", args=[slug, phase]),
                ),
            )
        with service_action(request):
            self.action(
                ranking=ranking, user=request.user, client_address=client_address_of(request)
            )
            messages.success(request, self.done)
        return redirect("ranking-overview", slug=slug, phase=phase)


class RankingFinaliseView(RankingActionView):
    may = staticmethod(can_finalise_ranking)
    action = staticmethod(ranking_finalise)
    done = gettext_lazy("De ranking is definitief vastgesteld.")
    confirm = {
        "title": gettext_lazy("Ranking definitief vaststellen"),
        "consequence": gettext_lazy(
            "De ranking wordt definitief: de volgorde en de gunning per segment liggen vast "
            "en de ranking kan niet meer opnieuw berekend worden."
        ),
        "button": gettext_lazy("Ja, definitief vaststellen"),
    }


class RankingResumeView(RankingActionView):
    """Queue a stalled ranking again (its worker died, or it was never queued)."""

    may = staticmethod(can_run_ranking)
    action = staticmethod(ranking_resume)
    done = gettext_lazy("De berekening is hervat.")


class RankingRerunView(RankingAccessMixin, View):
    """The auditor's check of a final ranking: re-run from its stored inputs and seed, both
    hashes side by side, "gelijk" or "afwijkend". Reads only."""

    tender_predicate = staticmethod(can_rerun_ranking)

    def get(self, request, slug, phase, pk):
        ranking = get_object_or_404(
            Ranking.objects.select_related("finalised_by"),
            pk=pk,
            tender=self.tender,
            phase=phase,
            is_final=True,
        )
        context = {**self.base_context(ranking), "rerun": ranking_rerun(ranking=ranking)}
        return render(request, "evaluation/ranking_rerun.html", context)


class RankingReopenView(RankingOverviewView):
    """The chair reopens the phase's final ranking, with a reason (audited)."""

    def get(self, request, slug, phase, pk):
        return redirect("ranking-overview", slug=slug, phase=phase)

    def post(self, request, slug, phase, pk):
        if not can_reopen_ranking(request.user, self.tender):
            raise Http404
        ranking = get_object_or_404(Ranking, pk=pk, tender=self.tender, phase=phase)
        form = RankingReopenForm(request.POST)
        if not form.is_valid():
            context = self.overview_context(ranking, reopen_form=form)
            return render(request, "evaluation/ranking_overview.html", context, status=400)
        with service_action(request):
            ranking_reopen(
                ranking=ranking,
                user=request.user,
                reason=form.cleaned_data["reason"],
                client_address=client_address_of(request),
            )
            messages.success(
                request,
                _(
                    "De ranking is heropend. Bereken de ranking opnieuw en stel die "
                    "daarna definitief vast."
                ),
            )
        return redirect("ranking-overview", slug=slug, phase=phase)


class RankingSegmentView(RankingAccessMixin, View):
    def get(self, request, slug, phase, code):
        segment = get_object_or_404(
            Segment.objects.select_related("lot"), tender=self.tender, code=code
        )
        pk = self.requested_ranking_pk()
        ranking = ranking_for_page(tender=self.tender, phase=phase, pk=pk)
        if pk is not None and ranking is None:
            raise Http404
        context = self.base_context(ranking)
        rows = gaps = []
        line = matrix = chart = None
        places = segment.places if phase == Phase.SELECTION else segment.effective_award_places
        if ranking is not None and ranking.status == RankingStatus.DONE:
            rows = segment_rows(ranking=ranking, segment=segment)
            gaps = list(RankingGap.objects.filter(ranking=ranking, segment=segment))
            places = segment_places(ranking=ranking, segment=segment)
            line = line_after(
                procedure=self.tender.procedure, phase=phase, rows=rows, places=places
            )
            chart = points_chart(rows=rows, places=places, line=line)
            matrix = coverage_matrix(segment=segment, rows=rows, gaps=gaps)
        context.update(
            {
                "segment": segment,
                "rows": rows,
                "gaps": gaps,
                "places": places,
                "line_after": line,
                "chart": chart,
                "matrix": matrix,
                "status_counts": Counter(row.status for row in rows),
                "chosen": pk is not None,
                "ranking_query": f"?ranking={ranking.pk}" if pk is not None else "",
            }
        )
        return render(request, "evaluation/ranking_segment.html", context)


def _segment_summaries(tender, ranking):
    """Per segment: counts per status and gaps of ``ranking`` (3 queries in all, counted in
    SQL: a row per segment and status, not per bidder)."""
    segments = list(Segment.objects.filter(tender=tender).order_by("code"))
    counts, gap_counts = Counter(), Counter()
    if ranking is not None:
        for segment_id, status, n in (
            RankingRow.objects.filter(ranking=ranking)
            .order_by()
            .values_list("segment_id", "status")
            .annotate(n=Count("id"))
        ):
            counts[(segment_id, status)] = n
        for segment_id, n in (
            RankingGap.objects.filter(ranking=ranking)
            .order_by()
            .values_list("segment_id")
            .annotate(n=Count("id"))
        ):
            gap_counts[segment_id] = n
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
