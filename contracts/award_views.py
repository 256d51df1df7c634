"""The award decision page for staff (/aanbestedingen/<slug>/gunning/) and the provider's
letters in the portal (/portaal/brieven/)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.confirmation import Confirmation, confirmation_page, confirmed
from audit.services import audit_record, client_address_of
from providers.portal_views import PortalMixin
from tender.constants import Phase, TenderState
from tender.errors import service_action
from tender.files import PDF, document_response
from tender.mixins import TenderScopedMixin
from tender.models import Segment, Tender

from .admission_models import AdmissionLetter
from .award_forms import ObjectionForm, ObjectionResolveForm
from .award_models import (
    AwardLetter,
    LetterDelivery,
    LetterRun,
    Objection,
    ObjectionResult,
    RunStatus,
)
from .award_selectors import (
    decision_of,
    decision_segments,
    deliveries_of,
    invitation_rows,
    latest_letters,
    latest_run,
    letter_target_count,
    letters_for_organisation,
    mark_latest,
    objections_of,
    phases_of,
    rationale_gap_count,
    rationale_gaps,
)
from .permissions import can_manage_award, can_read_letter, can_view_award
from .services import awards as services
from .services import invitations as invitations_services


class AwardAccessMixin(TenderScopedMixin):
    """Resolves the tender; 404 for anyone who may not see its award decision."""

    tender_predicate = staticmethod(can_view_award)
    manage_predicate = staticmethod(can_manage_award)

    def require_manager(self):
        if not self.can_manage:
            raise Http404

    def phase_or_404(self, phase: str) -> str:
        if phase not in phases_of(self.tender):
            raise Http404
        return phase

    def back(self):
        return redirect("award-decision", slug=self.tender.slug)

    def ask(self, request, *, title: str, consequence: str, button: str):
        """The confirmation page of an irreversible action (accounts.confirmation)."""
        return confirmation_page(
            request,
            Confirmation(
                title=title,
                consequence=consequence,
                button=button,
                cancel_url=reverse("award-decision", args=[self.tender.slug]),
            ),
        )


RATIONALE_GAPS_SHOWN = 50
LETTERS_PER_PAGE = 50  # the letters and the deliveries of a phase, each a list of its own


def _page(items: list, query: QueryDict, param: str):
    """A page of ``items`` by ``param`` of ``query``, and the query without it."""
    rest = query.copy()
    rest.pop(param, None)
    return Paginator(items, LETTERS_PER_PAGE).get_page(query.get(param)), rest.urlencode()


class PhaseLetters:
    """One phase's block on the page."""

    def __init__(self, tender: Tender, phase: str, query=None):
        self.phase = phase
        self.label = _("Selectiefase") if phase == Phase.SELECTION else _("Gunningsfase")
        self.decision = decision_of(tender=tender, phase=phase)
        self.run = latest_run(tender=tender, phase=phase)
        self.letters = latest_letters(tender=tender, phase=phase)
        self.targets = letter_target_count(tender=tender, phase=phase)
        self.deliveries = deliveries_of(tender=tender, phase=phase)
        # Each list its own page parameter (the other lists keep theirs).
        query = query if query is not None else QueryDict()
        self.letters_param, self.deliveries_param = f"{phase}-brieven", f"{phase}-bezorging"
        self.letters_page, self.letters_query = _page(self.letters, query, self.letters_param)
        self.deliveries_page, self.deliveries_query = _page(
            self.deliveries, query, self.deliveries_param
        )
        # The count and the first RATIONALE_GAPS_SHOWN of them: at region scale a phase
        # without rationales lacks thousands.
        self.rationale_gap_count = (
            rationale_gap_count(tender=tender, phase=phase)
            if not (self.decision and self.decision.sent_at)
            else 0
        )
        self.rationale_gaps = (
            rationale_gaps(tender=tender, phase=phase, limit=RATIONALE_GAPS_SHOWN)
            if self.rationale_gap_count
            else []
        )
        self.send_refusal = (
            services.letters_missing(tender=tender, phase=phase)
            if not (self.decision and self.decision.sent_at)
            else None
        )

    @property
    def sent(self) -> bool:
        return bool(self.decision and self.decision.sent_at)

    @property
    def running(self) -> bool:
        """A live run blocks a second one; a stalled run does not (it can be resumed)."""
        return bool(
            self.run
            and self.run.status in (RunStatus.PENDING, RunStatus.RUNNING)
            and not self.run.is_stalled
        )


class AwardDecisionView(AwardAccessMixin, View):
    def get(self, request, slug):
        return render(request, "contracts/award_decision.html", self.context())

    def context(self, **forms):
        tender = self.tender
        segments = decision_segments(tender=tender)
        selection_rows = invitation_rows(tender=tender)
        # The segments carry every objection of the tender; before the award ranking is
        # final (between the rounds, or reopened after an upheld objection) there are none,
        # so ask for them.
        objections = (
            [o for s in segments for o in s.objections]
            if segments
            else objections_of(tender=tender)
        )
        for objection in objections:
            objection.next_step = services.objection_next_step(objection)
        return {
            "tender": tender,
            "phases": [
                PhaseLetters(tender, phase, self.request.GET) for phase in phases_of(tender)
            ],
            "segments": segments,
            "objections": objections,
            "result_choices": ObjectionResult.choices,
            "can_manage": can_manage_award(self.request.user, tender),
            "in_standstill": tender.state == TenderState.STANDSTILL,
            "selection_standstills": selection_rows,
            "objections_open": tender.state == TenderState.STANDSTILL
            or any(not row.standstill.invited_at for row in selection_rows),
            "objection_form": forms.get("objection_form") or ObjectionForm(tender=tender),
            "resolve_form": ObjectionResolveForm(),
        }


class LettersGenerateView(AwardAccessMixin, View):
    def post(self, request, slug, phase):
        self.require_manager()
        with service_action(request):
            run = services.letters_request(
                tender=self.tender,
                phase=self.phase_or_404(phase),
                user=request.user,
                client_address=client_address_of(request),
            )
            if run.attached:
                messages.info(
                    request,
                    _(
                        "De brieven worden al gemaakt (%(done)s van %(total)s); u ziet de "
                        "voortgang van die taak. Er is geen tweede taak gestart."
                    )
                    % {"done": run.done, "total": run.total},
                )
            else:
                messages.success(request, _("De brieven worden gemaakt."))
        return self.back()


class LetterRunProgressView(AwardAccessMixin, View):
    """htmx partial: the progress of a letter run; stops polling once it is done."""

    def get(self, request, slug, pk):
        run = get_object_or_404(LetterRun, pk=pk, tender=self.tender)
        return render(
            request,
            "contracts/_letter_progress.html",
            {"tender": self.tender, "run": run, "can_manage": self.can_manage},
        )


class LettersResumeView(AwardAccessMixin, View):
    """Queue a stalled letter run again; only the missing letters are made."""

    def post(self, request, slug, pk):
        self.require_manager()
        run = get_object_or_404(LetterRun, pk=pk, tender=self.tender)
        with service_action(request):
            services.letters_resume(
                run=run, user=request.user, client_address=client_address_of(request)
            )
            messages.success(request, _("Het maken van de brieven is hervat."))
        return self.back()


class DecisionSendView(AwardAccessMixin, View):
    def post(self, request, slug, phase):
        self.require_manager()
        if not confirmed(request):
            return self.ask(
                request,
                title=_("Brieven versturen"),
                consequence=_(
                    "Alle brieven van deze fase worden verzonden en de inschrijvers gemaild; "
                    "de opschortende termijn begint."
                ),
                button=_("Ja, brieven versturen"),
            )
        with service_action(request):
            services.decision_send(
                tender=self.tender,
                phase=self.phase_or_404(phase),
                user=request.user,
                base_url=request.build_absolute_uri("/"),
                client_address=client_address_of(request),
            )
            messages.success(request, _("De brieven zijn verzonden; de inschrijvers zijn gemaild."))
        return self.back()


class LetterMixin(AwardAccessMixin):
    def letter(self, pk) -> AwardLetter:
        return get_object_or_404(
            AwardLetter.objects.select_related("bidder"), pk=pk, tender=self.tender
        )


class LetterDownloadView(LetterMixin, View):
    def get(self, request, slug, pk):
        return letter_response(request, self.letter(pk))


class LetterNewVersionView(LetterMixin, View):
    def post(self, request, slug, pk):
        self.require_manager()
        with service_action(request):
            letter = services.letter_new_version(
                letter=self.letter(pk),
                user=request.user,
                client_address=client_address_of(request),
            )
            messages.success(request, _("Brief %(ref)s is gemaakt.") % {"ref": letter.reference})
        return self.back()


class LetterSendView(LetterMixin, View):
    def post(self, request, slug, pk):
        self.require_manager()
        if not confirmed(request):
            letter = self.letter(pk)
            return self.ask(
                request,
                title=_("Brief %(ref)s versturen") % {"ref": letter.reference},
                consequence=_("De brief wordt verzonden aan %(name)s en per e-mail gemeld.")
                % {"name": letter.bidder.name},
                button=_("Ja, brief versturen"),
            )
        with service_action(request):
            letter = services.letter_send(
                letter=self.letter(pk),
                user=request.user,
                base_url=request.build_absolute_uri("/"),
                client_address=client_address_of(request),
            )
            messages.success(request, _("Brief %(ref)s is verzonden.") % {"ref": letter.reference})
        return self.back()


class DeliveryView(AwardAccessMixin, View):
    """A failed delivery: send the mail again, or record delivery by other means with a
    reason (both audited)."""

    def post(self, request, slug, pk):
        self.require_manager()
        delivery = get_object_or_404(
            LetterDelivery.objects.filter(letter__tender=self.tender), pk=pk
        )
        with service_action(request):
            if request.POST.get("action") == "other_means":
                services.delivery_other_means(
                    delivery=delivery,
                    reason=request.POST.get("reason", ""),
                    user=request.user,
                    client_address=client_address_of(request),
                )
                messages.success(request, _("De bezorging op andere wijze is vastgelegd."))
            else:
                services.delivery_resend(
                    delivery=delivery,
                    user=request.user,
                    base_url=request.build_absolute_uri("/"),
                    client_address=client_address_of(request),
                )
                messages.success(request, _("De brief wordt opnieuw gemaild."))
        return self.back()


class ObjectionRegisterView(AwardDecisionView):
    def get(self, request, slug):
        return self.back()

    def post(self, request, slug):
        self.require_manager()
        form = ObjectionForm(request.POST, tender=self.tender)
        if form.is_valid():
            with service_action(request, form=form):
                services.objection_register(
                    segment=form.cleaned_data["segment"],
                    bidder=form.cleaned_data["bidder"],
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    phase=form.cleaned_data["phase"],
                    user=request.user,
                    client_address=client_address_of(request),
                )
                messages.success(request, _("Het bezwaar is geregistreerd."))
                return self.back()
        return render(
            request, "contracts/award_decision.html", self.context(objection_form=form), status=400
        )


class InviteView(AwardAccessMixin, View):
    """Invite the selected candidates of one segment to round 2 (restricted procedure)."""

    def post(self, request, slug, code):
        self.require_manager()
        segment = get_object_or_404(Segment, tender=self.tender, code=code)
        with service_action(request):
            invitations = invitations_services.offers_invite(
                segment=segment,
                user=request.user,
                base_url=request.build_absolute_uri("/"),
                client_address=client_address_of(request),
            )
            messages.success(
                request,
                ngettext(
                    "%(n)s kandidaat is uitgenodigd tot inschrijving.",
                    "%(n)s kandidaten zijn uitgenodigd tot inschrijving.",
                    len(invitations),
                )
                % {"n": len(invitations)},
            )
        return self.back()


class ObjectionResolveView(AwardAccessMixin, View):
    def post(self, request, slug, pk):
        self.require_manager()
        objection = get_object_or_404(Objection, pk=pk, segment__tender=self.tender)
        form = ObjectionResolveForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("Kies de uitkomst en geef de motivering om het bezwaar af te handelen."),
            )
            return self.back()
        with service_action(request):
            services.objection_resolve(
                objection=objection,
                result=form.cleaned_data["result"],
                outcome=form.cleaned_data["outcome"],
                user=request.user,
                client_address=client_address_of(request),
            )
            messages.success(request, _("Het bezwaar is afgehandeld."))
        return self.back()


class AwardFinaliseView(AwardAccessMixin, View):
    def post(self, request, slug):
        self.require_manager()
        if not confirmed(request):
            return self.ask(
                request,
                title=_("Definitief gunnen"),
                consequence=_(
                    "De segmenten waarvan de opschortende termijn voorbij is en waartegen geen "
                    "bezwaar openstaat, worden definitief gegund."
                ),
                button=_("Ja, definitief gunnen"),
            )
        with service_action(request) as outcome:
            result = services.award_finalise(
                tender=self.tender, user=request.user, client_address=client_address_of(request)
            )
        if outcome.refused:
            return self.back()
        if result.finalised:
            messages.success(
                request,
                _("Definitief gegund: %(codes)s.") % {"codes": ", ".join(result.finalised)},
            )
        # One message per reason (all segments of a decision share the standstill end).
        by_reason: dict[str, list[str]] = {}
        for code, reason in result.refused:
            by_reason.setdefault(reason, []).append(code)
        for reason, codes in by_reason.items():
            messages.error(
                request,
                ngettext(
                    "Segment %(codes)s is nog niet definitief: %(reason)s.",
                    "De segmenten %(codes)s zijn nog niet definitief: %(reason)s.",
                    len(codes),
                )
                % {"codes": ", ".join(codes), "reason": reason},
            )
        if result.tender_awarded:
            messages.success(request, _("Alle segmenten zijn definitief gegund."))
        return self.back()


def letter_response(request, letter: AwardLetter) -> HttpResponse:
    """The PDF, after the object-level check (404 when the user may not read it); a
    provider's read is audited."""
    if not can_read_letter(request.user, letter):
        raise Http404
    if not can_view_award(request.user, letter.tender):
        audit_record(
            action="award.letter_read",
            actor=request.user,
            obj=letter,
            tender=letter.tender,
            client_address=client_address_of(request),
            details={"reference": letter.reference},
        )
    return document_response(
        letter.pdf.open("rb"),
        filename=letter.reference.replace("/", "-") + ".pdf",
        content_type=PDF,
    )


# -- provider portal ----------------------------------------------------------------------


class PortalLettersView(PortalMixin, View):
    """The organisation's decision letters, every version, newest first per tender."""

    def get(self, request):
        letters = (
            letters_for_organisation(organisation=self.organisation)
            if self.organisation
            else AwardLetter.objects.none()
        )
        return render(
            request,
            "portal/letters.html",
            {
                "organisation": self.organisation,
                "letters": mark_latest(list(letters)),
                "admission_letters": (
                    AdmissionLetter.objects.filter(submission__bidder=self.organisation)
                    .select_related("submission__tender")
                    .order_by("-generated_at")
                    if self.organisation
                    else []
                ),
            },
        )


class PortalLetterDownloadView(PortalMixin, View):
    def get(self, request, pk):
        if self.organisation is None:
            raise Http404
        letter = get_object_or_404(letters_for_organisation(organisation=self.organisation), pk=pk)
        response = letter_response(request, letter)
        services.letter_opened(letter=letter, organisation=self.organisation)
        return response
