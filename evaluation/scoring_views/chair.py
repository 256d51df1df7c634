"""The chair's screens: assigning evaluators (with their load and declared conflicts) and the
consensus per dossier with the inter-rater figures."""

from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from audit.services import audit_record, client_address_of
from providers.models import Dossier
from providers.selectors import with_bidder_label
from tender.constants import Phase
from tender.errors import service_action

from ..consensus_selectors import (
    consensus_for,
    consensus_overview,
    declared_conflicts,
    evaluator_load,
    inter_rater,
)
from ..models import Assignment, Evaluator
from ..scoring_forms import (
    EvaluatorChoiceForm,
    LevelForm,
    ReopenForm,
    ScoringDeadlineForm,
    SegmentAssignForm,
    level_initial,
)
from ..scoring_selectors import (
    assignment_states,
    dossier_facts,
    dossier_progress,
    dossiers_in_phase,
    evaluator_candidates,
    evaluators_required,
    phase_locked,
    scoring_deadlines,
    scoring_refusal,
    sealed_dossiers,
    visible_scores,
)
from ..services.assignments import (
    assignment_create,
    assignment_reassign,
    assignment_remove,
    assignments_create_for_segment,
    scoring_deadline_set,
)
from ..services.consensus import final_level_set
from ..services.scoring import score_set_reopen
from .common import ScoringAccessMixin, chairs


class ChairMixin(ScoringAccessMixin):
    user_predicate = staticmethod(chairs)


ASSIGNMENTS_PER_PAGE = 50
ASSIGNMENT_ORDER = ("segment__code", "submission__bidder__name", "id")


def _assignment_dossiers(tender):
    """The tender's sealed dossiers in the order of the assignment page."""
    return sealed_dossiers(tender=tender).order_by(*ASSIGNMENT_ORDER)


def _assignment_rows(tender, dossiers):
    """Per segment: the given sealed dossiers (a page of them), each with its assignments and
    their state in both phases (selection always; award where the dossier takes part)."""
    dossiers = list(
        with_bidder_label(
            Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).select_related("segment"),
            "submission__",
        ).order_by(*ASSIGNMENT_ORDER)
    )
    assignments = list(
        Assignment.objects.filter(dossier__in=dossiers).select_related(
            "evaluator__user", "dossier__submission", "dossier__segment"
        )
    )
    award = set(dossiers_in_phase(tender=tender, phase=Phase.AWARD).values_list("pk", flat=True))
    selection = {
        s.assignment.pk: s
        for s in assignment_states(assignments=assignments, phase=Phase.SELECTION)
    }
    award_states = {
        s.assignment.pk: s
        for s in assignment_states(
            assignments=[a for a in assignments if a.dossier_id in award], phase=Phase.AWARD
        )
    }
    by_dossier = defaultdict(list)
    for a in assignments:
        by_dossier[a.dossier_id].append(
            {"assignment": a, "selection": selection[a.pk], "award": award_states.get(a.pk)}
        )
    segments = defaultdict(list)
    for d in dossiers:
        rows = by_dossier[d.pk]
        active = sum(1 for r in rows if not r["selection"].blocked)
        segments[d.segment].append({"dossier": d, "assignments": rows, "active": active})
    return [{"segment": s, "dossiers": rows} for s, rows in segments.items()]


class AssignmentsView(ChairMixin, View):
    """``beoordeling/<slug>/toewijzing/``: assign per segment or per dossier, the load per
    evaluator, declared conflicts to resolve."""

    def get(self, request, slug):
        return self.render_page()

    def render_page(self, *, segment_form=None, deadline_form=None, status=200):
        page = Paginator(
            _assignment_dossiers(self.tender).only("pk"), ASSIGNMENTS_PER_PAGE
        ).get_page(self.request.GET.get("page"))
        context = self.base_context(
            crumbs=[(None, _("%(tender)s: toewijzing") % {"tender": self.tender.title})],
            segment_form=segment_form or SegmentAssignForm(tender=self.tender),
            deadline_form=deadline_form or ScoringDeadlineForm(),
            deadlines=scoring_deadlines(tender=self.tender),
            candidates=[
                (u.pk, u.get_full_name() or u.get_username()) for u in evaluator_candidates()
            ],
            segments=_assignment_rows(self.tender, page.object_list),
            page_obj=page,
            query_string="",
            load=evaluator_load(tender=self.tender),
            conflicts=declared_conflicts(tender=self.tender),
            required=evaluators_required(),
        )
        return render(self.request, "evaluation/scoring/assignments.html", context, status=status)

    def post(self, request, slug):
        """Assign an evaluator to every sealed dossier of a segment."""
        form = SegmentAssignForm(request.POST, tender=self.tender)
        if not form.is_valid():
            return self.render_page(segment_form=form, status=400)
        with service_action(request, form=form) as outcome:
            result = assignments_create_for_segment(
                segment=form.cleaned_data["segment"],
                user=form.cleaned_data["evaluator"],
                assigned_by=request.user,
                client_address=client_address_of(request),
            )
        if outcome.refused:
            return self.render_page(segment_form=form, status=400)
        messages.success(
            request,
            ngettext("%(n)s dossier toegewezen.", "%(n)s dossiers toegewezen.", len(result.created))
            % {"n": len(result.created)},
        )
        for dossier, reason in result.skipped:
            messages.warning(
                request,
                _("%(segment)s %(bidder)s overgeslagen: %(reason)s")
                % {
                    "segment": dossier.segment.code,
                    "bidder": dossier.submission.bidder.name,
                    "reason": reason,
                },
            )
        return redirect("scoring-assignments", slug=slug)


class ScoringDeadlineView(AssignmentsView):
    """``beoordeling/<slug>/toewijzing/termijn/`` (POST): the chair sets by when the
    evaluators submit their scores in a phase."""

    def get(self, request, slug):
        return redirect("scoring-assignments", slug=slug)

    def post(self, request, slug):
        form = ScoringDeadlineForm(request.POST)
        if not form.is_valid():
            return self.render_page(deadline_form=form, status=400)
        with service_action(request, form=form) as outcome:
            deadline = scoring_deadline_set(
                tender=self.tender,
                phase=form.cleaned_data["phase"],
                due_at=form.cleaned_data["due_at"],
                user=request.user,
                client_address=client_address_of(request),
            )
        if outcome.refused:
            return self.render_page(deadline_form=form, status=400)
        messages.success(
            request,
            _("Beoordelingstermijn %(phase)s vastgesteld.")
            % {"phase": deadline.get_phase_display().lower()},
        )
        return redirect("scoring-assignments", slug=slug)


class AssignDossierView(ChairMixin, View):
    def post(self, request, slug, pk):
        dossier = get_object_or_404(
            sealed_dossiers(tender=self.tender).select_related(
                "submission__tender", "submission__bidder", "segment"
            ),
            pk=pk,
        )
        form = EvaluatorChoiceForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["evaluator"]))
        else:
            with service_action(request):
                assignment_create(
                    dossier=dossier,
                    user=form.cleaned_data["evaluator"],
                    assigned_by=request.user,
                    client_address=client_address_of(request),
                )
                messages.success(request, _("Beoordelaar toegewezen."))
        return redirect(_assignments_url(slug, dossier))


def _assignments_url(slug, dossier=None) -> str:
    """The assignment page; with a dossier, the page it is on and its row."""
    url = reverse("scoring-assignments", args=[slug])
    if dossier is None:
        return url
    pks = list(_assignment_dossiers(dossier.submission.tender).values_list("pk", flat=True))
    number = pks.index(dossier.pk) // ASSIGNMENTS_PER_PAGE + 1 if dossier.pk in pks else 1
    return (f"{url}?page={number}" if number > 1 else url) + f"#dossier-{dossier.pk}"


class AssignmentChangeView(ChairMixin, View):
    """Withdraw an assignment, or replace its evaluator."""

    def post(self, request, slug, pk, action):
        assignment = get_object_or_404(
            Assignment.objects.filter(dossier__submission__tender=self.tender), pk=pk
        )
        dossier = assignment.dossier
        with service_action(request):
            if action == "intrekken":
                assignment_remove(
                    assignment=assignment,
                    removed_by=request.user,
                    client_address=client_address_of(request),
                )
                messages.success(request, _("De toewijzing is ingetrokken."))
            elif action == "vervangen":
                form = EvaluatorChoiceForm(request.POST)
                if not form.is_valid():
                    messages.error(request, " ".join(form.errors["evaluator"]))
                else:
                    assignment_reassign(
                        assignment=assignment,
                        user=form.cleaned_data["evaluator"],
                        assigned_by=request.user,
                        client_address=client_address_of(request),
                    )
                    messages.success(request, _("De beoordelaar is vervangen."))
            else:
                raise Http404
        return redirect(_assignments_url(slug, dossier))


CONSENSUS_PER_PAGE = 50


class ConsensusOverviewView(ChairMixin, View):
    """Per dossier of the phase, 50 a page: sets submitted, flagged criteria, consensus
    progress; and the inter-rater figures per evaluator."""

    def get(self, request, slug, phase):
        dossiers = dossiers_in_phase(tender=self.tender, phase=phase).order_by(
            "segment__code", "submission__bidder__name", "id"
        )
        page = Paginator(dossiers.only("pk"), CONSENSUS_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "evaluation/scoring/consensus_overview.html",
            self.base_context(
                crumbs=[self.phase_crumb(label=_("consensus"))],
                rows=consensus_overview(
                    tender=self.tender,
                    phase=phase,
                    dossiers=Dossier.objects.filter(pk__in=[d.pk for d in page.object_list]),
                ),
                page_obj=page,
                query_string=query.urlencode(),
                raters=inter_rater(tender=self.tender, phase=phase),
                conflicts=declared_conflicts(tender=self.tender),
                locked=phase_locked(tender=self.tender, phase=phase),
                required=evaluators_required(),
                award_waiting=phase == Phase.AWARD
                and not dossiers_in_phase(tender=self.tender, phase=phase).exists(),
            ),
        )


class ConsensusView(ChairMixin, View):
    """One dossier: the individual levels side by side once every set is in, flagged criteria,
    and the final level with its rationale per criterion."""

    def get_dossier(self, pk):
        """A sealed dossier of the tender that takes part in the phase (one query)."""
        in_phase = dossiers_in_phase(tender=self.tender, phase=self.phase).values("pk")
        return get_object_or_404(
            sealed_dossiers(tender=self.tender)
            .filter(pk__in=in_phase)
            .select_related(
                "segment__lot",
                "submission__bidder",
                "submission__tender",
                "submission__combination",
            ),
            pk=pk,
        )

    def get(self, request, slug, phase, pk):
        return self.render_page(self.get_dossier(pk))

    def render_page(self, dossier, *, forms=None, errors=None, status=200):
        progress = dossier_progress(dossier=dossier, phase=self.phase)
        scores = visible_scores(user=self.request.user, dossier=dossier, phase=self.phase)
        rows = consensus_for(
            dossier=dossier, phase=self.phase, scores=scores if progress.all_submitted else []
        )
        if forms is None:
            forms = {
                row.criterion.pk: LevelForm(
                    criterion=row.criterion,
                    prefix=f"f{row.criterion.pk}",
                    initial=level_initial(row.final.level, row.final.rationale)
                    if row.final
                    else {},
                )
                for row in rows
            }
        errors = errors or {}
        locked = phase_locked(tender=self.tender, phase=self.phase)
        evaluators = sorted({s.evaluator for r in rows for s in r.scores}, key=lambda e: e.name)
        items = []
        for row in rows:
            by_evaluator = {s.evaluator_id: s for s in row.scores}
            items.append(
                {
                    "row": row,
                    "form": forms[row.criterion.pk],
                    "error": errors.get(row.criterion.pk),
                    "cells": [by_evaluator.get(e.pk) for e in evaluators],
                }
            )
        context = self.base_context(
            crumbs=[
                self.phase_crumb("scoring-consensus-overview", label=_("consensus")),
                (None, f"{dossier.segment.code} {dossier.submission.bidder.name}"),
            ],
            dossier=dossier,
            facts=dossier_facts(dossier, phase=self.phase, locked=locked),
            progress=progress,
            evaluators=evaluators,
            items=items,
            error_list=[(i["row"].criterion, i["error"]) for i in items if i["error"]],
            refusal=scoring_refusal(
                tender=self.tender, phase=self.phase, segment=dossier.segment, locked=locked
            ),
            in_system=Assignment.objects.filter(dossier__submission__tender=self.tender).exists(),
            reopen_form=ReopenForm(),
        )
        if status == 200:
            audit_record(
                action="dossier.view",
                actor=self.request.user,
                obj=dossier,
                tender=self.tender,
                client_address=client_address_of(self.request),
                details={"phase": self.phase, "screen": "consensus"},
            )
        return render(self.request, "evaluation/scoring/consensus.html", context, status=status)

    def post(self, request, slug, phase, pk):
        dossier = self.get_dossier(pk)
        criteria = [row.criterion for row in consensus_for(dossier=dossier, phase=phase, scores=[])]
        forms = {c.pk: LevelForm(request.POST, criterion=c, prefix=f"f{c.pk}") for c in criteria}
        errors, saved = {}, 0
        for criterion in criteria:
            form = forms[criterion.pk]
            if not form.is_valid():
                errors[criterion.pk] = " ".join(
                    form.errors.get("level", []) + form.errors.get("rationale", [])
                )
                continue
            level, rationale = form.cleaned_data["level"], form.cleaned_data["rationale"]
            if not level and not rationale.strip():
                continue
            with service_action() as outcome:
                final_level_set(
                    dossier=dossier,
                    criterion=criterion,
                    level=level,
                    rationale=rationale,
                    user=request.user,
                    client_address=client_address_of(request),
                )
                saved += 1
            if outcome.refused:
                errors[criterion.pk] = outcome.error.message
        if errors:
            return self.render_page(dossier, forms=forms, errors=errors, status=400)
        if saved:
            messages.success(request, _("De consensus is vastgelegd."))
        else:
            messages.info(request, _("Er was niets om vast te leggen."))
        return redirect("scoring-consensus", slug=slug, phase=phase, pk=pk)


class ReopenView(ChairMixin, View):
    """Return an evaluator's submitted set (a mistake to correct), with a reason."""

    def post(self, request, slug, phase, pk, evaluator_pk):
        dossier = get_object_or_404(sealed_dossiers(tender=self.tender), pk=pk)
        evaluator = get_object_or_404(Evaluator, tender=self.tender, pk=evaluator_pk)
        form = ReopenForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["reason"]))
        else:
            with service_action(request):
                score_set_reopen(
                    dossier=dossier,
                    evaluator=evaluator,
                    phase=phase,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    client_address=client_address_of(request),
                )
                messages.success(
                    request,
                    _("De beoordeling van %(name)s is teruggezet.") % {"name": evaluator.name},
                )
        return redirect("scoring-consensus", slug=slug, phase=phase, pk=pk)
