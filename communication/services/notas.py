"""The nota van inlichtingen: answered questions published together, anonymously, as a
numbered PDF that becomes a public tender document (DOMAIN.md, "Sessions and Q&A").
Asking and answering the questions is ``questions.py``.
"""

import hashlib
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record
from tender.constants import Procedure, TenderState
from tender.errors import ApplicationError
from tender.models import Tender
from tender.pdf import render_to_pdf
from tender.services.mail import absolute_url, local_display, mail_after_commit, mail_render

from ..models import Nota, Question, TenderDocument
from ..selectors import invited_organisations
from .market import is_public, market_mail, require_manager

NOTA_MIN_DAYS_BEFORE_DEADLINE = 6


def nota_latest_publication(tender: Tender):
    """The last moment a nota may be published: 6 days before the deadline of the round open
    now (in round 2 of the restricted procedure the offers deadline)."""
    deadline = tender.current_deadline or tender.deadline
    return deadline - timedelta(days=NOTA_MIN_DAYS_BEFORE_DEADLINE)


def nota_for_invited(tender: Tender) -> bool:
    """A nota published in round 2 of the restricted procedure (offers open) is for the
    invited candidates only: its document's audience is ``invited``, it is mailed to them
    alone and shows only to them (docs/rules.md, "Rounds")."""
    return tender.procedure == Procedure.RESTRICTED and tender.state == TenderState.OFFERS_OPEN


def invited_addresses(tender: Tender) -> list[str]:
    """Every active user of an invited candidate (and of the confirmed members of its
    combination), and the organisations' contact addresses."""
    organisations = invited_organisations(tender)
    rows = (
        get_user_model()
        .objects.filter(organisation_membership__organisation__in=organisations, is_active=True)
        .values_list("email", flat=True)
    )
    contacts = organisations.values_list("contact_email", flat=True)
    return sorted({a for a in [*rows, *contacts] if a})


def _select_questions(tender: Tender, nota: Nota | None, questions: Iterable) -> list:
    """The chosen questions, checked: this tender's, answered, in no other nota."""
    ids = {getattr(q, "pk", q) for q in questions}
    chosen = list(tender.questions.filter(pk__in=ids))
    if len(chosen) != len(ids):
        raise ApplicationError(_("Kies alleen vragen van deze aanbesteding."), field="questions")
    for question in chosen:
        if not question.is_answered:
            raise ApplicationError(
                _("Vraag '%(text)s' is nog niet beantwoord.") % {"text": question.text[:60]},
                field="questions",
            )
        if question.nota_id is not None and (nota is None or question.nota_id != nota.pk):
            raise ApplicationError(
                _("Vraag '%(text)s' staat al in een andere nota.") % {"text": question.text[:60]},
                field="questions",
            )
    return chosen


@transaction.atomic
def nota_create(*, tender: Tender, user, questions: Iterable, intro: str = "") -> Nota:
    """Start the next nota (number = highest + 1) with answered questions. One nota at a time
    is in preparation per tender, so numbers follow the order of publication."""
    require_manager(user, tender)
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not is_public(tender) or tender.state == TenderState.CANCELLED:
        raise ApplicationError(
            _("Nota's van inlichtingen horen bij een gepubliceerde aanbesteding.")
        )
    draft = Nota.objects.filter(tender=tender, published_at__isnull=True).first()
    if draft is not None:
        raise ApplicationError(
            _("Nota %(number)s is nog in voorbereiding; publiceer of wijzig die eerst.")
            % {"number": draft.number}
        )
    chosen = _select_questions(tender, None, questions)
    kind = Nota.Kind.REPORT if tender.state == TenderState.CONSULTATION else Nota.Kind.NOTA
    last = Nota.objects.filter(tender=tender, kind=kind).order_by("-number").first()
    nota = Nota(
        tender=tender,
        kind=kind,
        number=(last.number + 1) if last else 1,
        intro=intro.strip(),
        created_by=user,
    )
    nota.full_clean()
    nota.save()
    tender.questions.filter(pk__in=[q.pk for q in chosen]).update(nota=nota)
    return nota


@transaction.atomic
def nota_update(*, nota: Nota, user, questions: Iterable, intro: str = "") -> Nota:
    """Change the questions and introduction of a nota in preparation."""
    nota = Nota.objects.select_for_update(of=("self",)).select_related("tender").get(pk=nota.pk)
    require_manager(user, nota.tender)
    if nota.is_published:
        raise ApplicationError(_("Een gepubliceerde nota kan niet meer worden gewijzigd."))
    chosen = _select_questions(nota.tender, nota, questions)
    nota.questions.exclude(pk__in=[q.pk for q in chosen]).update(nota=None)
    nota.tender.questions.filter(pk__in=[q.pk for q in chosen]).update(nota=nota)
    nota.intro = intro.strip()
    nota.full_clean()
    nota.save(update_fields=["intro"])
    return nota


def nota_items(nota: Nota) -> list[dict]:
    """What a published nota shows of each question: never who asked it."""
    return [
        {
            "number": q.number,
            "lot": str(q.lot) if q.lot_id else "",
            "segment": str(q.segment) if q.segment_id else "",
            "question": q.published_question,
            "answer": q.answer,
        }
        for q in nota.questions.select_related("lot", "segment").order_by("number", "pk")
    ]


@transaction.atomic
def nota_publish(
    *, nota: Nota, user, client_address: str | None = None, base_url: str = ""
) -> Nota:
    """Number the questions (1..n in the order they were asked), render the PDF, store it as a
    public tender document, and mail the tender's registered bidders and subscribers.

    Refused later than 6 days before the deadline (``field="deadline"``: the deadline must be
    moved first, ``tender_deadline_move``), for an empty nota, a published one, and a tender
    that is not public or is cancelled.
    """
    nota = Nota.objects.select_for_update().get(pk=nota.pk)
    tender = (
        Tender.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=nota.tender_id)
    )
    require_manager(user, tender)
    if nota.is_published:
        raise ApplicationError(_("Deze nota is al gepubliceerd."))
    if not is_public(tender) or tender.state == TenderState.CANCELLED:
        raise ApplicationError(
            _("Nota's van inlichtingen horen bij een gepubliceerde aanbesteding.")
        )
    now = timezone.now()
    latest = nota_latest_publication(tender)
    if now > latest:
        raise ApplicationError(
            ngettext(
                "Een nota van inlichtingen moet uiterlijk %(days)s dag vóór de "
                "sluitingstermijn (%(deadline)s) worden gepubliceerd, dus uiterlijk op "
                "%(latest)s. Verplaats eerst de sluitingstermijn.",
                "Een nota van inlichtingen moet uiterlijk %(days)s dagen vóór de "
                "sluitingstermijn (%(deadline)s) worden gepubliceerd, dus uiterlijk op "
                "%(latest)s. Verplaats eerst de sluitingstermijn.",
                NOTA_MIN_DAYS_BEFORE_DEADLINE,
            )
            % {
                "days": NOTA_MIN_DAYS_BEFORE_DEADLINE,
                "deadline": local_display(tender.current_deadline or tender.deadline),
                "latest": local_display(latest),
            },
            field="deadline",
        )
    questions = list(nota.questions.order_by("asked_at", "pk"))
    if not questions:
        raise ApplicationError(_("Voeg eerst beantwoorde vragen aan de nota toe."))
    if any(not q.is_answered for q in questions):
        raise ApplicationError(_("Alle vragen in de nota moeten beantwoord zijn."))
    for number, question in enumerate(questions, start=1):
        question.number = number
    Question.objects.bulk_update(questions, ["number"])
    nota.published_at, nota.published_by = now, user

    for_invited = nota_for_invited(tender)
    prefix = "CV" if nota.is_report else "NvI"
    reference = f"{prefix}-{tender.slug}-{nota.number}"
    pdf = render_to_pdf(
        "pdf/nota.html",
        {
            "tender": tender,
            "nota": nota,
            "items": nota_items(nota),
            "reference": reference,
            "region_name": tender.region.name,
        },
    )
    document = TenderDocument(
        tender=tender,
        kind=TenderDocument.Kind.NOTA,
        title=nota.label,
        sha256=hashlib.sha256(pdf).hexdigest(),
        category=(
            TenderDocument.Category.REPORT if nota.is_report else TenderDocument.Category.NOTA
        ),
        audience=(
            TenderDocument.Audience.INVITED if for_invited else TenderDocument.Audience.PUBLIC
        ),
        announced_at=timezone.now(),  # the nota's own mail to the market announces it
    )
    document.file.save(f"{reference}.pdf", ContentFile(pdf), save=True)
    nota.document = document
    nota.save(update_fields=["published_at", "published_by", "document"])
    audit_record(
        action="nota.publish",
        actor=user,
        obj=nota,
        tender=tender,
        client_address=client_address,
        details={
            "kind": nota.kind,
            "number": nota.number,
            "questions": len(questions),
            "sha256": document.sha256,
        },
    )
    context = {
        "nota": nota,
        "count": len(questions),
        "document_url": absolute_url(
            reverse(
                "portal-document" if for_invited else "public-document",
                args=[tender.slug, document.pk],
            ),
            base_url,
        ),
        "faq_url": absolute_url(reverse("public-questions", args=[tender.slug]), base_url),
        "deadline": local_display(tender.current_deadline or tender.deadline),
    }
    if for_invited:
        mail_after_commit(
            mail_render("nota_published", {**context, "tender": tender}, email)
            for email in invited_addresses(tender)
        )
    else:
        market_mail(tender, "nota_published", context, base_url=base_url)
    return nota
