"""The provider's submission for one tender (``/portaal/aanbestedingen/<slug>/inschrijving/``):
one overview with the checklist and a section per chosen segment, saving per section, uploads,
subcontractors, submitting (sealing), withdrawing and the receipt (page and PDF).

Everything is scoped to the user's own organisation: another organisation's objects are 404.
"""

import re

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views import View

from accounts.confirmation import Confirmation, confirmation_page, confirmed
from accounts.dutch_numbers import parse_decimal
from audit.services import audit_record, client_address_of
from tender.constants import Procedure, RequirementBinds, Round
from tender.errors import service_action
from tender.files import PDF, document_response
from tender.mixins import tender_or_404
from tender.models import Criterion, Requirement, Segment

from .constants import SubmissionState
from .envelopes import document_name, envelope_unseal
from .models import DocumentKind, PartyAnswer, Subcontractor, SubmissionDocument
from .permissions import can_view_combination_submission
from .portal_views import PortalMixin
from .selectors import portal_tenders
from .services import submissions as services
from .submission_selectors import (
    MAX_REFERENCES,
    checklist_missing,
    draft_of,
    invited_segments,
    member_submissions,
    plan_slots,
    portal_round,
    request_dossiers,
    round_admits,
    seal_review,
    sealed_current_of,
    submission_checklist,
    submission_combination,
    submission_detail,
    submission_parties,
    submissions_of,
    tender_requirements,
    tender_segments,
)


class SubmissionMixin(PortalMixin):
    """The tender from the URL (published ones only) and the user's organisation (required)."""

    def setup_tender(self):
        if self.organisation is None:
            raise Http404
        self.tender = tender_or_404(
            self.request.user, self.kwargs["slug"], queryset=portal_tenders()
        )
        # Round 2 of the restricted procedure exists only for the invited (404 for the rest).
        self.round = portal_round(self.tender)
        if not round_admits(tender=self.tender, organisation=self.organisation, round=self.round):
            raise Http404

    def overview_url(self, anchor: str = "") -> str:
        url = reverse("portal-submission", args=[self.tender.slug])
        return f"{url}#{anchor}" if anchor else url

    def draft(self):
        draft = draft_of(tender=self.tender, organisation=self.organisation)
        if draft is None:
            raise Http404
        return draft

    def run(self, action, *, success: str, anchor: str = ""):
        """Call a service; a refusal becomes an error message on the overview. An htmx
        request (autosave of a section) gets the section's status line and the checklist."""
        with service_action() as outcome:
            action()
        error = outcome.error.message if outcome.refused else None
        if self.request.headers.get("HX-Request"):
            return self.autosave_response(error)
        if error:
            messages.error(self.request, error)
        elif success:
            messages.success(self.request, success)
        return redirect(self.overview_url(anchor))

    def autosave_response(self, error: str | None):
        draft = draft_of(tender=self.tender, organisation=self.organisation)
        checklist = submission_checklist(submission_detail(draft.pk)) if draft else []
        return render(
            self.request,
            "portal/submission/_autosave.html",
            {
                "error": error,
                "saved_at": time_format(timezone.localtime(timezone.now()), "H:i:s"),
                "checklist": checklist,
                "missing": checklist_missing(checklist),
            },
        )


def _requirement_row(requirement, answers, documents, parties=(), party_answers=()) -> dict:
    """One requirement on the overview: the bidder's answer and evidence and, for a
    requirement of every party, each other party's answer and evidence."""
    row = {
        "requirement": requirement,
        "answer": answers.get(requirement.pk),
        "evidence": [
            d for d in documents if d.requirement_id == requirement.pk and not d.party_answer_id
        ],
        "parties": [],
    }
    if requirement.binds == RequirementBinds.EVERY_PARTY:
        for party in parties:
            answer = next(
                (a for a in party_answers if a.requirement_id == requirement.pk and party.owns(a)),
                None,
            )
            row["parties"].append(
                {
                    "party": party,
                    "answer": answer,
                    "evidence": [d for d in documents if answer and d.party_answer_id == answer.pk],
                }
            )
    return row


def _segment_rows(
    tender, submission, requirements, round=None, organisation=None, parties=(), party_answers=()
):
    """Per segment of the tender: chosen or not, and for chosen ones the dossier, its
    requirements with the answers, and its documents."""
    dossiers = {d.segment_id: d for d in submission.dossiers.all()} if submission else {}
    plans: dict[int, list] = {}
    for plan_segment, criterion in (
        plan_slots(submission, list(dossiers.values())) if submission else []
    ):
        plans.setdefault(plan_segment.pk, []).append(criterion)
    answers = {a.requirement_id: a for a in submission.answers.all()} if submission else {}
    documents = list(submission.documents.all()) if submission else []
    from_request = request_dossiers(submission) if submission else {}
    rows = []
    allowed = (
        set(
            invited_segments(tender=tender, organisation=organisation, round=round).values_list(
                "pk", flat=True
            )
        )
        if round == Round.OFFER and organisation and tender.procedure == Procedure.RESTRICTED
        else None
    )
    for segment in tender_segments(tender):
        if allowed is not None and segment.pk not in allowed:
            continue
        dossier = dossiers.get(segment.pk)
        rows.append(
            {
                "segment": segment,
                "dossier": dossier,
                "served": {m.code for m in dossier.municipalities.all()} if dossier else set(),
                # a restricted offer: the request's dossier of the segment (read-only)
                "request": from_request.get(segment.pk),
                "requirements": [
                    _requirement_row(r, answers, documents, parties, party_answers)
                    for r in requirements
                    if r.segment_id == segment.pk
                ],
                "dossier_documents": [
                    d
                    for d in documents
                    if d.segment_id == segment.pk and d.kind == DocumentKind.DOSSIER
                ],
                "references": [
                    d
                    for d in documents
                    if d.segment_id == segment.pk and d.kind == DocumentKind.REFERENCE
                ],
                # the plans of round 2 (``Tender.plan_documents``): per segment or per criterion
                "plans": [
                    {
                        "criterion": criterion,
                        "documents": [
                            d
                            for d in documents
                            if d.kind == DocumentKind.PLAN
                            and d.segment_id == segment.pk
                            and d.criterion_id == (criterion.pk if criterion else None)
                        ],
                    }
                    for criterion in plans.get(segment.pk, [])
                ],
            }
        )
    return rows


class SubmissionOverviewView(SubmissionMixin, View):
    def get(self, request, slug):
        self.setup_tender()
        versions = list(submissions_of(tender=self.tender, organisation=self.organisation))
        draft = next((v for v in versions if v.state == SubmissionState.DRAFT), None)
        sealed = next(
            (v for v in versions if v.state == SubmissionState.SEALED and v.is_current), None
        )
        submission = submission_detail(draft.pk) if draft else None
        requirements = tender_requirements(self.tender, self.round)
        checklist = submission_checklist(submission) if submission else []
        answers = {a.requirement_id: a for a in submission.answers.all()} if submission else {}
        documents = list(submission.documents.all()) if submission else []
        binding = any(r.binds == RequirementBinds.EVERY_PARTY for r in requirements)
        parties = submission_parties(submission) if submission and binding else []
        party_answers = list(submission.party_answers.all()) if submission else []
        context = {
            "tender": self.tender,
            "organisation": self.organisation,
            "submission": submission,
            "combination": submission_combination(
                tender=self.tender, organisation=self.organisation
            ),
            "sealed": sealed,
            "versions": versions,
            "refusal": services.draft_refusal(self.tender),
            "checklist": checklist,
            "missing": checklist_missing(checklist),
            "general": [
                _requirement_row(r, answers, documents, parties, party_answers)
                for r in requirements
                if r.segment_id is None
            ],
            "segments": _segment_rows(
                self.tender,
                submission,
                requirements,
                self.round,
                self.organisation,
                parties,
                party_answers,
            ),
            "convenant": [d for d in documents if d.kind == DocumentKind.CONVENANT],
            "max_references": MAX_REFERENCES,
        }
        return render(request, "portal/submission/overview.html", context)


class SubmissionStartView(SubmissionMixin, View):
    """Start a draft, or a new version from the sealed or withdrawn one."""

    def post(self, request, slug):
        self.setup_tender()
        return self.run(
            lambda: services.submission_start(
                tender=self.tender,
                organisation=self.organisation,
                user=request.user,
                client_address=client_address_of(request),
            ),
            success=_(
                "Uw concept is klaar om in te vullen. U kunt het steeds tussentijds opslaan."
            ),
        )


class SegmentsView(SubmissionMixin, View):
    def post(self, request, slug):
        self.setup_tender()
        draft = self.draft()
        ids = [int(v) for v in request.POST.getlist("segments") if v.isdigit()]
        segments = list(Segment.objects.filter(tender=self.tender, pk__in=ids))
        return self.run(
            lambda: services.submission_segments_set(
                submission=draft,
                segments=segments,
                user=request.user,
                client_address=client_address_of(request),
            ),
            success=_("De keuze van segmenten is opgeslagen."),
            anchor="segmenten",
        )


def _answers_from(post, requirements) -> dict:
    answers = {}
    for requirement in requirements:
        key = f"req-{requirement.pk}"
        if key in post:
            answers[requirement] = {"ja": True, "nee": False}.get(post[key])
    return answers


PARTY_FIELD = re.compile(r"^party-(\d+)-([ms]\d+)$")


def _party_answers_from(post, requirements) -> dict:
    """``party-<requirement id>-<party key>`` fields: the other parties' answers to the
    requirements of every party (the service checks the party belongs to the submission)."""
    by_pk = {r.pk: r for r in requirements}
    answers = {}
    for name, value in post.items():
        match = PARTY_FIELD.match(name)
        if match and int(match.group(1)) in by_pk:
            answers[(by_pk[int(match.group(1))], match.group(2))] = {"ja": True, "nee": False}.get(
                value
            )
    return answers


class GeneralAnswersView(SubmissionMixin, View):
    def post(self, request, slug):
        self.setup_tender()
        draft = self.draft()
        general = Requirement.objects.filter(tender=self.tender, segment__isnull=True)
        return self.run(
            lambda: services.submission_answers_save(
                submission=draft,
                answers=_answers_from(request.POST, general),
                party_answers=_party_answers_from(request.POST, general),
                user=request.user,
                client_address=client_address_of(request),
            ),
            success=_("Uw antwoorden op de algemene eisen zijn opgeslagen."),
            anchor="eisen",
        )


class SegmentSectionView(SubmissionMixin, View):
    def post(self, request, slug, code):
        self.setup_tender()
        draft = self.draft()
        segment = get_object_or_404(Segment, tender=self.tender, code=code)
        requirements = Requirement.objects.filter(tender=self.tender, segment=segment)
        return self.run(
            lambda: services.segment_section_save(
                submission=draft,
                segment=segment,
                answers=_answers_from(request.POST, requirements),
                party_answers=_party_answers_from(request.POST, requirements),
                user=request.user,
                client_address=client_address_of(request),
                municipality_codes=request.POST.getlist("municipalities"),
                specialisms=request.POST.getlist("specialisms"),
                bid_clients=request.POST.get("bid_clients", "").strip(),
                bid_months=_typed_number(request.POST.get("bid_months", "")),
                bid_hours_per_month=_typed_number(request.POST.get("bid_hours_per_month", "")),
            ),
            success=_("Segment %(code)s is opgeslagen.") % {"code": segment.code},
            anchor=f"segment-{segment.code}",
        )


def _typed_number(text: str):
    """A bid figure as typed ("1.040", "12,5", "62.50"; docs/rules.md "Getallen"); text the
    parser refuses goes to the service as typed, which names the field in its refusal."""
    try:
        return parse_decimal(text)
    except ValueError:
        return text.strip()


def _party_answer_of(draft, requirement, key: str) -> PartyAnswer | None:
    """The draft's answer of the party ``key`` (``m<id>`` / ``s<id>``) to ``requirement``."""
    match = re.fullmatch(r"([ms])(\d+)", key or "")
    if requirement is None or match is None:
        return None
    field = "member_id" if match.group(1) == "m" else "subcontractor_id"
    return PartyAnswer.objects.filter(
        submission=draft, requirement=requirement, **{field: int(match.group(2))}
    ).first()


class UploadView(SubmissionMixin, View):
    def post(self, request, slug):
        self.setup_tender()
        draft = self.draft()
        kind = request.POST.get("kind", "")
        segment = Segment.objects.filter(
            tender=self.tender, code=request.POST.get("segment", "")
        ).first()
        requirement = Requirement.objects.filter(
            tender=self.tender, code=request.POST.get("requirement", "")
        ).first()
        party_answer = _party_answer_of(draft, requirement, request.POST.get("party", ""))
        criterion = (
            Criterion.objects.filter(
                segment=segment, code=request.POST.get("criterion", "")
            ).first()
            if segment
            else None
        )
        anchor = f"segment-{segment.code}" if segment else "eisen"
        if kind == DocumentKind.CONVENANT:
            anchor = "combinatie"
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Kies een bestand om te uploaden."))
            return redirect(self.overview_url(anchor))

        def action():
            services.document_upload(
                submission=draft,
                kind=kind,
                name=upload.name,
                data=upload,
                user=request.user,
                client_address=client_address_of(request),
                segment=segment,
                requirement=requirement,
                criterion=criterion,
                party_answer=party_answer,
            )

        return self.run(
            action,
            success=_("%(name)s is versleuteld opgeslagen.") % {"name": upload.name},
            anchor=anchor,
        )


class DocumentDeleteView(SubmissionMixin, View):
    def post(self, request, slug, pk):
        self.setup_tender()
        draft = self.draft()
        document = get_object_or_404(SubmissionDocument, pk=pk, submission=draft)
        if not confirmed(request):
            return confirmation_page(
                request,
                Confirmation(
                    title=_("%(name)s verwijderen") % {"name": document_name(document)},
                    consequence=_(
                        "Het bestand wordt uit uw concept verwijderd; om het terug te krijgen "
                        "moet u het opnieuw uploaden."
                    ),
                    button=_("Ja, verwijderen"),
                    cancel_url=self.overview_url(),
                ),
            )
        return self.run(
            lambda: services.document_delete(
                document=document, user=request.user, client_address=client_address_of(request)
            ),
            success=_("%(name)s is verwijderd.") % {"name": document_name(document)},
        )


class SubcontractorAddView(SubmissionMixin, View):
    def post(self, request, slug):
        self.setup_tender()
        draft = self.draft()
        return self.run(
            lambda: services.subcontractor_add(
                submission=draft,
                name=request.POST.get("name", ""),
                kvk=request.POST.get("kvk", ""),
                user=request.user,
                client_address=client_address_of(request),
            ),
            success=_("De onderaannemer is toegevoegd."),
            anchor="onderaannemers",
        )


class SubcontractorRemoveView(SubmissionMixin, View):
    def post(self, request, slug, pk):
        self.setup_tender()
        draft = self.draft()
        subcontractor = get_object_or_404(Subcontractor, pk=pk, submission=draft)
        return self.run(
            lambda: services.subcontractor_remove(
                subcontractor=subcontractor,
                user=request.user,
                client_address=client_address_of(request),
            ),
            success=_("De onderaannemer is verwijderd."),
            anchor="onderaannemers",
        )


class SealView(SubmissionMixin, View):
    """GET: the read-only review of the whole draft (segments, answers, files with their size
    and SHA-256, the bids) with the confirming button; POST with ``confirm=1`` seals. A POST
    without it shows the review again and seals nothing (issue 18.3)."""

    def confirmation(self, draft):
        return Confirmation(
            title=_("Inschrijving controleren en indienen"),
            consequence=_(
                "Bij indienen wordt versie %(version)s verzegeld: niemand kan haar lezen vóór "
                "de opening en u kunt haar niet meer wijzigen (wel intrekken of een nieuwe "
                "versie indienen vóór de sluitingstermijn)."
            )
            % {"version": draft.version},
            button=_("Ja, inschrijving indienen"),
            cancel_url=self.overview_url("checklist"),
            template="portal/submission/seal_review.html",
            context={"tender": self.tender, "review": seal_review(submission_detail(draft.pk))},
        )

    def get(self, request, slug):
        self.setup_tender()
        draft = self.draft()
        return confirmation_page(request, self.confirmation(draft))

    def post(self, request, slug):
        self.setup_tender()
        draft = draft_of(tender=self.tender, organisation=self.organisation)
        if draft is None:
            # A retried submit whose first attempt was sealed (e.g. the answer was lost when
            # the connection dropped): the receipt, not a second seal or an error.
            sealed = sealed_current_of(tender=self.tender, organisation=self.organisation)
            if sealed is None:
                raise Http404
            messages.info(request, _("Uw inschrijving was al ontvangen en verzegeld."))
            return redirect("portal-submission-receipt", self.tender.slug, sealed.version)
        if not confirmed(request):
            return confirmation_page(request, self.confirmation(draft))
        with service_action(request) as outcome:
            sealed = services.submission_seal(
                submission=draft,
                user=request.user,
                client_address=client_address_of(request),
                base_url=request.build_absolute_uri("/"),
            )
        if outcome.refused:
            return redirect(self.overview_url("checklist"))
        messages.success(
            request, _("Uw inschrijving is ontvangen en verzegeld. Bewaar het ontvangstbewijs.")
        )
        return redirect("portal-submission-receipt", self.tender.slug, sealed.version)


class WithdrawView(SubmissionMixin, View):
    def post(self, request, slug):
        self.setup_tender()
        sealed = (
            submissions_of(tender=self.tender, organisation=self.organisation)
            .filter(state=SubmissionState.SEALED, is_current=True)
            .first()
        )
        if sealed is None:
            raise Http404
        if not confirmed(request):
            return confirmation_page(
                request,
                Confirmation(
                    title=_("Versie %(version)s intrekken") % {"version": sealed.version},
                    consequence=_(
                        "Uw ingediende versie %(version)s telt dan niet meer mee. Tot de "
                        "sluitingstermijn kunt u opnieuw indienen."
                    )
                    % {"version": sealed.version},
                    button=_("Ja, versie %(version)s intrekken") % {"version": sealed.version},
                    cancel_url=self.overview_url(),
                ),
            )
        return self.run(
            lambda: services.submission_withdraw(
                submission=sealed, user=request.user, client_address=client_address_of(request)
            ),
            success=_(
                "Uw inschrijving is ingetrokken. Tot de sluitingstermijn kunt u opnieuw indienen."
            ),
        )


class ReceiptMixin(SubmissionMixin):
    def receipt_submission(self, version):
        self.setup_tender()
        submission = get_object_or_404(
            submissions_of(tender=self.tender, organisation=self.organisation)
            .exclude(state=SubmissionState.DRAFT)
            .select_related("tender__region", "bidder"),
            version=version,
        )
        return envelope_unseal(submission)


class ReceiptView(ReceiptMixin, View):
    def get(self, request, slug, version):
        submission = self.receipt_submission(version)
        return render(
            request,
            "portal/submission/receipt.html",
            {
                "tender": self.tender,
                "submission": submission,
                "manifest": submission.manifest or {},
                "reference": services.receipt_reference(submission),
            },
        )


class ReceiptPdfView(ReceiptMixin, View):
    def get(self, request, slug, version):
        submission = self.receipt_submission(version)
        pdf = services.submission_receipt_pdf(submission)
        return document_response(
            pdf, filename=f"{services.receipt_reference(submission)}.pdf", content_type=PDF
        )


class MemberSubmissionView(PortalMixin, View):
    """A confirmed member of a combination reads the combination's sealed submission (the
    manifest: answers, segments, municipalities, bids and the hash of every document), read
    only. Anyone else, an unconfirmed member and the lead included, gets a 404 (the lead has
    its own screens). Every read is audited (``submission.member_view``)."""

    def get(self, request, slug):
        if self.organisation is None:
            raise Http404
        tender = tender_or_404(request.user, slug, queryset=portal_tenders())
        submissions = [
            s
            for s in member_submissions(tender=tender, organisation=self.organisation)
            if can_view_combination_submission(request.user, s)
        ]
        if not submissions:
            raise Http404
        for submission in submissions:
            audit_record(
                action="submission.member_view",
                actor=request.user,
                obj=submission,
                tender=tender,
                client_address=client_address_of(request),
                details={"member": self.organisation.kvk, "round": submission.round},
            )
        return render(
            request,
            "portal/submission/member.html",
            {
                "tender": tender,
                "organisation": self.organisation,
                "submissions": [
                    {
                        "submission": s,
                        "manifest": s.manifest or {},
                        "reference": services.receipt_reference(s),
                    }
                    for s in submissions
                ],
            },
        )
