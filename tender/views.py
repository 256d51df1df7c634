from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.confirmation import Confirmation, confirmation_page, confirmed
from accounts.permissions import is_staff_member
from audit.services import client_address_of

from .errors import service_action
from .files import stored_document_response
from .models import Tender
from .selectors import tender_detail, tender_list, tenders_visible_to
from .services.decisions import decisions_of
from .services.lifecycle import (
    OFFERS_DEADLINE_STATES,
    OPENINGS,
    TRANSITIONS,
    available_transitions,
    opening_of,
    steps_of,
    tender_confirm_opening,
    tender_offers_deadline_set,
    tender_transition,
)


class TenderListView(LoginRequiredMixin, View):
    """Home page: the tenders the user may see, paginated."""

    def get(self, request):
        if not is_staff_member(request.user):
            return redirect("start")  # evaluators and providers: their start page
        page = Paginator(tender_list(user=request.user), 20).get_page(request.GET.get("page"))
        return render(request, "tender/tender_list.html", {"page_obj": page, "query_string": ""})


class TenderDetailView(LoginRequiredMixin, View):
    def get(self, request, slug):
        try:
            tender = tender_detail(user=request.user, slug=slug)
        except Tender.DoesNotExist as exc:
            raise Http404 from exc
        return render(
            request,
            "tender/tender_detail.html",
            {
                "tender": tender,
                "transitions": available_transitions(tender=tender, user=request.user),
                "steps": steps_of(tender),
                "offers_deadline_editable": tender.has_selection()
                and tender.state in OFFERS_DEADLINE_STATES,
                "opening": opening_of(tender),
                "confirmations": tender.opening_confirmations.filter(
                    round=OPENINGS.get(opening_of(tender) or "", "")
                ).select_related("user"),
                "documents": tender.documents.all(),
                "decisions": decisions_of(tender),
            },
        )


#: What each lifecycle action does that cannot be undone (the confirmation page says it).
CONSEQUENCES = {
    "publish": gettext_lazy(
        "De aanbesteding en haar documenten worden openbaar op de aanbestedingssite; "
        "de opzet ligt daarna vast."
    ),
    "open_requests": gettext_lazy(
        "U bevestigt de opening van de verzoeken tot deelneming. Na de tweede bevestiging "
        "worden de verzoeken ontsleuteld en wordt het proces-verbaal opgemaakt."
    ),
    "open_offers": gettext_lazy(
        "U bevestigt de opening van de inschrijvingen. Na de tweede bevestiging worden de "
        "inschrijvingen ontsleuteld en wordt het proces-verbaal opgemaakt."
    ),
    "close_requests": gettext_lazy("Er kunnen geen verzoeken tot deelneming meer binnenkomen."),
    "close_offers": gettext_lazy("Er kunnen geen inschrijvingen meer binnenkomen."),
    "cancel": gettext_lazy(
        "De aanbesteding wordt ingetrokken; alle aanbieders zien dat zij is beëindigd."
    ),
    "award": gettext_lazy("De gunning wordt definitief; daarna volgen de contracten."),
}


class TenderTransitionView(LoginRequiredMixin, View):
    """POST one lifecycle action from the tender page; the service decides, we report.
    Every lifecycle step is irreversible: without ``confirm=1`` the confirmation page."""

    def post(self, request, slug, name):
        tender = get_object_or_404(tenders_visible_to(request.user), slug=slug)
        transition = TRANSITIONS.get(name)
        if transition is not None and not confirmed(request):
            return confirmation_page(
                request,
                Confirmation(
                    title=_("%(action)s: %(tender)s")
                    % {"action": transition.label, "tender": tender.title},
                    consequence=str(
                        CONSEQUENCES.get(
                            name,
                            _("De aanbesteding gaat naar de volgende stap van de procedure."),
                        )
                    ),
                    button=str(transition.label),
                    cancel_url=reverse("tender-detail", args=[slug]),
                ),
            )
        with service_action(request):
            if name in OPENINGS:
                tender = tender_confirm_opening(
                    tender=tender, user=request.user, client_address=client_address_of(request)
                )
                if opening_of(tender) is None:
                    messages.success(
                        request, _("De ronde is geopend; het proces-verbaal is opgemaakt.")
                    )
                else:
                    messages.info(
                        request,
                        _(
                            "Uw bevestiging is vastgelegd. Een tweede persoon "
                            "moet de opening bevestigen."
                        ),
                    )
            else:
                tender = tender_transition(
                    tender=tender,
                    name=name,
                    user=request.user,
                    reason=request.POST.get("reason", ""),
                    client_address=client_address_of(request),
                )
                messages.success(
                    request,
                    _("Status gewijzigd naar '%(state)s'.") % {"state": tender.get_state_display()},
                )
        return redirect("tender-detail", slug=slug)


class TenderOffersDeadlineView(LoginRequiredMixin, View):
    """POST the deadline of round 2 of a restricted tender (``datetime-local``)."""

    def post(self, request, slug):
        tender = get_object_or_404(tenders_visible_to(request.user), slug=slug)
        raw = request.POST.get("offers_deadline", "")
        moment = parse_datetime(raw)
        if moment is None:
            messages.error(request, _("Vul een geldige datum en tijd in."))
            return redirect("tender-detail", slug=slug)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        with service_action(request):
            tender_offers_deadline_set(
                tender=tender,
                deadline=moment,
                user=request.user,
                client_address=client_address_of(request),
            )
            messages.success(request, _("De sluitingstermijn van de inschrijvingen is ingesteld."))
        return redirect("tender-detail", slug=slug)


class TenderDocumentView(LoginRequiredMixin, View):
    """Download a tender document (staff only; public documents also on the public site)."""

    def get(self, request, slug, pk):
        tender = get_object_or_404(tenders_visible_to(request.user), slug=slug)
        document = get_object_or_404(tender.documents, pk=pk)
        return stored_document_response(
            document.file.open("rb"), filename=document.file.name.rsplit("/", 1)[-1]
        )
