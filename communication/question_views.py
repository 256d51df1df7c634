"""Staff screens for the questions of bidders (with who asked them: staff only) and the
notas van inlichtingen that publish them anonymously."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from audit.services import client_address_of
from tender.errors import service_action
from tender.services.mail import base_url_of

from .forms import (
    AnswerForm,
    NotaForm,
    QuestionFilterForm,
)
from .models import Nota
from .permissions import can_move_deadline
from .selectors import questions_filter, questions_visible_to
from .services.notas import (
    nota_create,
    nota_latest_publication,
    nota_publish,
    nota_update,
)
from .services.questions import question_answer
from .views import CommunicationMixin, attempt


class QuestionsView(CommunicationMixin, View):
    def get(self, request, slug):
        filters = QuestionFilterForm(request.GET or None, tender=self.tender)
        questions = questions_visible_to(request.user, self.tender)
        if filters.is_bound and filters.is_valid():
            questions = questions_filter(
                questions,
                lot=filters.cleaned_data["lot"],
                segment=filters.cleaned_data["segment"],
                answered=filters.answered_value(),
            )
        return self.page(
            request, "questions.html", questions=questions.order_by("asked_at"), filters=filters
        )


class QuestionAnswerView(CommunicationMixin, View):
    def get(self, request, slug, pk, form=None, status=200):
        question = get_object_or_404(questions_visible_to(request.user, self.tender), pk=pk)
        form = form or AnswerForm(
            initial={"public_text": question.public_text, "answer": question.answer}
        )
        locked = question.nota_id is not None and question.nota.is_published
        return self.page(
            request,
            "question_answer.html",
            question=question,
            form=form,
            locked=locked,
            status=status,
        )

    def post(self, request, slug, pk):
        question = get_object_or_404(questions_visible_to(request.user, self.tender), pk=pk)
        form = AnswerForm(request.POST)
        if form.is_valid() and attempt(
            form, lambda: question_answer(question=question, user=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("Het antwoord is opgeslagen."))
            return redirect("communication-questions", slug=slug)
        return self.get(request, slug, pk, form=form, status=400)


def _nota_candidates(tender, nota=None):
    """Answered questions in no nota (or in this draft nota)."""
    queryset = tender.questions.filter(answered_at__isnull=False, nota__isnull=True)
    if nota is not None:
        queryset = queryset | tender.questions.filter(nota=nota)
    return queryset.select_related("lot", "segment").order_by("asked_at", "pk")


class NotasView(CommunicationMixin, View):
    def get(self, request, slug, form=None, status=200):
        notas = Nota.objects.filter(tender=self.tender).select_related("document")
        draft = next((n for n in notas if not n.is_published), None)
        if form is None and draft is None:
            form = NotaForm(questions=_nota_candidates(self.tender))
        return self.page(
            request,
            "notas.html",
            notas=notas,
            draft=draft,
            form=form,
            latest=nota_latest_publication(self.tender),
            status=status,
        )

    def post(self, request, slug):
        form = NotaForm(request.POST, questions=_nota_candidates(self.tender))
        nota = form.is_valid() and attempt(
            form,
            lambda: nota_create(
                tender=self.tender,
                user=request.user,
                questions=form.cleaned_data["questions"],
                intro=form.cleaned_data["intro"],
            ),
        )
        if nota:
            messages.success(request, _("Nota %(number)s is aangemaakt.") % {"number": nota.number})
            return redirect("communication-nota", slug=slug, pk=nota.pk)
        return self.get(request, slug, form=form, status=400)


class NotaView(CommunicationMixin, View):
    """A nota: in preparation, its questions can change and it can be published; once
    published it shows its questions and the PDF."""

    def get(self, request, slug, pk, form=None, status=200, refusal=None):
        nota = get_object_or_404(Nota.objects.select_related("document"), tender=self.tender, pk=pk)
        if form is None and not nota.is_published:
            form = NotaForm(
                initial={"questions": list(nota.questions.all()), "intro": nota.intro},
                questions=_nota_candidates(self.tender, nota),
            )
        return self.page(
            request,
            "nota.html",
            nota=nota,
            questions=nota.questions.select_related("lot", "segment", "organisation").order_by(
                "number", "asked_at", "pk"
            ),
            form=form,
            refusal=refusal,
            latest=nota_latest_publication(self.tender),
            can_move_deadline=can_move_deadline(request.user, self.tender),
            status=status,
        )

    def post(self, request, slug, pk):
        nota = get_object_or_404(Nota, tender=self.tender, pk=pk)
        if request.POST.get("action") == "publish":
            with service_action() as outcome:
                nota_publish(
                    nota=nota,
                    user=request.user,
                    client_address=client_address_of(request),
                    base_url=base_url_of(request),
                )
            if outcome.refused:
                return self.get(request, slug, pk, status=400, refusal=outcome.error)
            messages.success(
                request,
                _("Nota %(number)s is gepubliceerd en verstuurd.") % {"number": nota.number},
            )
            return redirect("communication-nota", slug=slug, pk=pk)
        form = NotaForm(request.POST, questions=_nota_candidates(self.tender, nota))
        if form.is_valid() and attempt(
            form,
            lambda: nota_update(
                nota=nota,
                user=request.user,
                questions=form.cleaned_data["questions"],
                intro=form.cleaned_data["intro"],
            ),
        ):
            messages.success(request, _("De nota is opgeslagen."))
            return redirect("communication-nota", slug=slug, pk=pk)
        return self.get(request, slug, pk, form=form, status=400)
