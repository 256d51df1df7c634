"""The evaluators' screens: my dossiers with progress, the conflict declaration, the dossier with
its criteria (autosave per criterion), submitting the set."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import can_be_assigned
from audit.services import audit_record, client_address_of
from config.url_patterns import url_pattern
from tender.constants import BIDS_READABLE_STATES, Phase
from tender.errors import service_action
from tender.models import Tender

from ..permissions import can_assign
from ..scoring_forms import DeclarationForm, LevelForm, MyDossiersFilterForm, level_initial
from ..scoring_selectors import (
    assignment_states,
    declaration_for,
    dossier_facts,
    dossiers_assigned_to,
    dossiers_in_phase,
    evaluator_for,
    my_assignments_filtered,
    own_set_submitted,
    phase_criteria,
    phase_locked,
    scoring_deadlines,
    scoring_refusal,
    segments_in_phase,
    tenders_with_assignments_for,
    visible_scores,
)
from ..selectors import finalised_selection
from ..services.assignments import conflict_declare
from ..services.scoring import ScoreSetIncomplete, score_save, score_set_submit
from .common import ScoringAccessMixin


class ScoringHomeView(ScoringAccessMixin, View):
    """``beoordeling/``: an evaluator's tenders with assignments; for the chair every tender
    whose bids may be read, with the chair's screens."""

    def get(self, request):
        user = request.user
        mine = [
            {"tender": t, "award_open": finalised_selection(tender=t) is not None}
            for t in tenders_with_assignments_for(user)
        ]
        chaired = []
        if can_assign(user, None):
            chaired = [
                {"tender": t, "award_open": finalised_selection(tender=t) is not None}
                for t in Tender.objects.filter(
                    state__in=BIDS_READABLE_STATES, submissions__isnull=False
                )
                .distinct()
                .order_by("-deadline", "slug")
            ]
        return render(
            request,
            "evaluation/scoring/home.html",
            self.base_context(mine=mine, chaired=chaired),
        )


MY_DOSSIERS_PER_PAGE = 50


class MyDossiersView(ScoringAccessMixin, View):
    """The evaluator's assigned screen for one tender and phase: dossiers with progress, 50
    a page, filtered by segment and status and searched by bidder name."""

    def get(self, request, slug, phase):
        if not can_be_assigned(request.user):
            raise Http404
        form = MyDossiersFilterForm(
            request.GET or None, segments=segments_in_phase(tender=self.tender, phase=phase)
        )
        assignments = my_assignments_filtered(
            user=request.user, tender=self.tender, phase=phase, **form.filters()
        )
        page = Paginator(assignments, MY_DOSSIERS_PER_PAGE).get_page(request.GET.get("page"))
        states = assignment_states(assignments=page.object_list, phase=phase)
        dossier_url = url_pattern("scoring-dossier", self.tender.slug, phase)
        award_waiting = phase == Phase.AWARD and finalised_selection(tender=self.tender) is None
        query = request.GET.copy()
        query.pop("page", None)
        deadline = scoring_deadlines(tender=self.tender).get(phase)
        return render(
            request,
            "evaluation/scoring/my_dossiers.html",
            self.base_context(
                crumbs=[self.phase_crumb()],
                form=form,
                filtered=any(form.filters().values()),
                states=states,
                rows=[(dossier_url.format(s.assignment.dossier_id), s) for s in states],
                page_obj=page,
                query_string=query.urlencode(),
                award_waiting=award_waiting,
                refusal=scoring_refusal(tender=self.tender, phase=phase),
                deadline=deadline,
                overdue=deadline is not None and deadline.due_at < timezone.now(),
            ),
        )


class DossierMixin(ScoringAccessMixin):
    """Resolves the dossier: assigned to the user, of this tender, taking part in the phase
    (one query)."""

    def get_dossier(self, pk):
        in_phase = dossiers_in_phase(tender=self.tender, phase=self.phase).values("pk")
        return get_object_or_404(
            dossiers_assigned_to(self.request.user)
            .filter(submission__tender=self.tender, pk__in=in_phase)
            .select_related(
                "segment__lot",
                "submission__bidder",
                "submission__tender",
                "submission__combination",
            ),
            pk=pk,
        )

    def dossier_crumbs(self, dossier):
        return [
            self.phase_crumb("scoring-my-dossiers"),
            (None, f"{dossier.segment.code} {dossier.submission.bidder.name}"),
        ]


def _forms_for(criteria, scores_by_criterion, data=None):
    forms = []
    for criterion in criteria:
        score = scores_by_criterion.get(criterion.pk)
        initial = level_initial(score.level, score.rationale) if score else {}
        forms.append(LevelForm(data, criterion=criterion, initial=initial))
    return forms


class DossierView(DossierMixin, View):
    """One dossier for the evaluator: first the conflict declaration for its bidder; then the
    facts beside the criteria, each with a level and a rationale (autosaved); then submit."""

    def get(self, request, slug, phase, pk):
        return self.render_page(self.get_dossier(pk))

    def render_page(self, dossier, *, forms=None, errors=None, status=200):
        user = self.request.user
        evaluator = evaluator_for(tender=self.tender, user=user)
        declaration = declaration_for(evaluator=evaluator, dossier=dossier)
        context = self.base_context(
            dossier=dossier, declaration=declaration, crumbs=self.dossier_crumbs(dossier)
        )
        if declaration is None or declaration.has_conflict:
            context["form"] = DeclarationForm()
            return render(self.request, "evaluation/scoring/declaration.html", context)

        criteria = phase_criteria(segment=dossier.segment, phase=self.phase)
        submitted = own_set_submitted(
            evaluator=evaluator, dossier=dossier, phase=self.phase, criteria=criteria
        )
        locked = phase_locked(tender=self.tender, phase=self.phase)
        scores = visible_scores(
            user=user, dossier=dossier, phase=self.phase, own_submitted=submitted
        )
        own = {s.criterion_id: s for s in scores if s.evaluator_id == evaluator.pk}
        others = [s for s in scores if s.evaluator_id != evaluator.pk]
        forms = forms or _forms_for(criteria, own)
        errors = errors or {}
        context.update(
            facts=dossier_facts(dossier, phase=self.phase, locked=locked),
            items=[
                {
                    "criterion": form.criterion,
                    "form": form,
                    "own": own.get(form.criterion.pk),
                    "others": [s for s in others if s.criterion_id == form.criterion.pk],
                    "error": errors.get(form.criterion.pk),
                }
                for form in forms
            ],
            error_list=[
                (form.criterion, errors[form.criterion.pk])
                for form in forms
                if form.criterion.pk in errors
            ],
            submitted=submitted,
            refusal=scoring_refusal(
                tender=self.tender, phase=self.phase, segment=dossier.segment, locked=locked
            ),
        )
        if status == 200:
            audit_record(
                action="dossier.view",
                actor=user,
                obj=dossier,
                tender=self.tender,
                client_address=client_address_of(self.request),
                details={"phase": self.phase, "screen": "scoring"},
            )
        return render(self.request, "evaluation/scoring/dossier.html", context, status=status)


class DeclareView(DossierMixin, View):
    def post(self, request, slug, phase, pk):
        dossier = self.get_dossier(pk)
        form = DeclarationForm(request.POST)
        if form.is_valid():
            with service_action(request, form=form):
                conflict_declare(
                    dossier=dossier,
                    user=request.user,
                    has_conflict=form.cleaned_data["has_conflict"],
                    note=form.cleaned_data["note"],
                    client_address=client_address_of(request),
                )
        if not form.is_valid():
            context = self.base_context(
                dossier=dossier,
                declaration=declaration_for(
                    evaluator=evaluator_for(tender=self.tender, user=request.user), dossier=dossier
                ),
                form=form,
                crumbs=self.dossier_crumbs(dossier),
            )
            return render(request, "evaluation/scoring/declaration.html", context, status=400)
        if form.cleaned_data["has_conflict"]:
            messages.warning(
                request,
                _(
                    "Uw belangenconflict is vastgelegd en aan de voorzitter gemeld. "
                    "De dossiers van deze inschrijver zijn voor u geblokkeerd."
                ),
            )
            return redirect("scoring-my-dossiers", slug=slug, phase=phase)
        messages.success(request, _("Uw verklaring is vastgelegd."))
        return redirect("scoring-dossier", slug=slug, phase=phase, pk=pk)


def _save_posted(request, dossier, forms) -> dict[int, str]:
    """Save every criterion the form holds a level for; errors (Dutch) per criterion id.
    Each save is its own transaction (``score_save``)."""
    errors = {}
    for form in forms:
        criterion = form.criterion
        if not form.is_valid():
            errors[criterion.pk] = " ".join(
                form.errors.get("level", []) + form.errors.get("rationale", [])
            )
            continue
        level, rationale = form.cleaned_data["level"], form.cleaned_data["rationale"]
        if not level:
            if rationale.strip():
                errors[criterion.pk] = _(
                    "Kies een niveau; zonder niveau wordt de motivering niet bewaard."
                )
            continue
        with service_action() as outcome:
            score_save(
                dossier=dossier,
                criterion=criterion,
                user=request.user,
                level=level,
                rationale=rationale,
                client_address=client_address_of(request),
            )
        if outcome.refused:
            errors[criterion.pk] = outcome.error.message
    return errors


class SaveView(DossierView):
    """Without JavaScript: save every criterion at once ("Tussentijds opslaan")."""

    def get(self, request, slug, phase, pk):
        return redirect("scoring-dossier", slug=slug, phase=phase, pk=pk)

    def post(self, request, slug, phase, pk):
        dossier = self.get_dossier(pk)
        refusal = scoring_refusal(tender=self.tender, phase=phase, segment=dossier.segment)
        if refusal:
            messages.error(request, refusal)
            return redirect("scoring-dossier", slug=slug, phase=phase, pk=pk)
        forms = [
            LevelForm(request.POST, criterion=c)
            for c in phase_criteria(segment=dossier.segment, phase=phase)
        ]
        errors = _save_posted(request, dossier, forms)
        if errors:
            return self.render_page(dossier, forms=forms, errors=errors, status=400)
        messages.success(request, _("Uw scores zijn bewaard."))
        return redirect("scoring-dossier", slug=slug, phase=phase, pk=pk)


class SubmitView(SaveView):
    """Save what is posted, then submit the set; every missing level or rationale is listed."""

    def post(self, request, slug, phase, pk):
        dossier = self.get_dossier(pk)
        refusal = scoring_refusal(tender=self.tender, phase=phase, segment=dossier.segment)
        if refusal:
            messages.error(request, refusal)
            return redirect("scoring-dossier", slug=slug, phase=phase, pk=pk)
        forms = [
            LevelForm(request.POST, criterion=c)
            for c in phase_criteria(segment=dossier.segment, phase=phase)
        ]
        errors = _save_posted(request, dossier, forms) if request.POST else {}
        if not errors:
            with service_action(request) as outcome:
                try:
                    score_set_submit(
                        dossier=dossier,
                        phase=phase,
                        user=request.user,
                        client_address=client_address_of(request),
                    )
                except ScoreSetIncomplete as exc:  # shown per criterion, not as one message
                    errors = {criterion.pk: message for criterion, message in exc.errors}
            if outcome.refused:
                return redirect("scoring-dossier", slug=slug, phase=phase, pk=pk)
        if errors:
            return self.render_page(dossier, forms=forms, errors=errors, status=400)
        messages.success(request, _("Uw beoordeling is ingediend."))
        return redirect("scoring-dossier", slug=slug, phase=phase, pk=pk)


class AutosaveView(DossierMixin, View):
    """htmx: save one criterion; answers with the status line of that criterion."""

    def post(self, request, slug, phase, pk, criterion_pk):
        dossier = self.get_dossier(pk)
        criterion = get_object_or_404(dossier.segment.criteria.filter(phase=phase), pk=criterion_pk)
        form = LevelForm(request.POST, criterion=criterion)
        error, saved_at = None, None
        if not form.is_valid():
            error = " ".join(form.errors.get("level", []) + form.errors.get("rationale", []))
        elif not form.cleaned_data["level"]:
            error = _("Nog niet bewaard: kies eerst een niveau.")
        else:
            with service_action() as outcome:
                score = score_save(
                    dossier=dossier,
                    criterion=criterion,
                    user=request.user,
                    level=form.cleaned_data["level"],
                    rationale=form.cleaned_data["rationale"],
                    client_address=client_address_of(request),
                )
                saved_at = timezone.localtime(score.updated_at)
            if outcome.refused:
                error = outcome.error.message
        if not request.headers.get("HX-Request"):
            if error:
                messages.error(request, error)
            return redirect("scoring-dossier", slug=slug, phase=phase, pk=pk)
        html = render_to_string(
            "evaluation/scoring/_autosave_status.html",
            {"error": error, "saved_at": saved_at and time_format(saved_at, "H:i:s")},
            request=request,
        )
        return HttpResponse(html)
