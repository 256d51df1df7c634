"""Staff screens for the tender's communication: the overview, news, key dates and moving the
deadline; sessions are in ``session_views.py``, questions and notas in ``question_views.py``.

Municipal staff may look (``can_view_tender_communication``); changing anything needs
``can_manage_tender_communication`` (inkoper, voorzitter). Anyone else gets a 404.
"""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from audit.services import client_address_of
from tender.errors import attempt
from tender.mixins import TenderScopedMixin
from tender.services.mail import base_url_of

from .forms import (
    DeadlineMoveForm,
    DocumentUploadForm,
    KeyDateForm,
    NewsItemForm,
)
from .models import KeyDate, NewsItem, TenderDocument
from .permissions import (
    can_manage_tender_communication,
    can_move_deadline,
    can_view_tender_communication,
)
from .selectors import documents_visible_to, questions_visible_to
from .services.documents import document_upload
from .services.market import (
    is_public,
    key_date_delete,
    key_date_save,
    news_item_delete,
    news_item_save,
    tender_deadline_move,
)
from .services.notas import NOTA_MIN_DAYS_BEFORE_DEADLINE


class CommunicationMixin(TenderScopedMixin):
    """Resolves the tender; 404 for anyone who may not see its communication, and for a POST
    by staff who may only look."""

    tender_predicate = staticmethod(can_view_tender_communication)
    manage_predicate = staticmethod(can_manage_tender_communication)
    post_needs_manage = True

    def page(self, request, template, context=None, status=200, **extra):
        context = {"tender": self.tender, "can_manage": self.can_manage, **(context or {})}
        return render(
            request, f"tender/communication/{template}", {**context, **extra}, status=status
        )


class HubView(CommunicationMixin, View):
    def get(self, request, slug):
        tender = self.tender
        questions = questions_visible_to(request.user, tender)
        return self.page(
            request,
            "hub.html",
            is_public=is_public(tender),
            news_count=tender.news_items.count(),
            issue_count=tender.newsletter_issues.count(),
            key_date_count=tender.key_dates.count(),
            session_count=tender.sessions.count(),
            open_questions=questions.filter(answered_at__isnull=True).count(),
            question_count=questions.count(),
            nota_count=tender.notas.count(),
            document_count=tender.documents.count(),
            can_move_deadline=can_move_deadline(request.user, tender),
        )


# -- news -----------------------------------------------------------------------------------


class NewsView(CommunicationMixin, View):
    def get(self, request, slug, form=None, status=200):
        items = NewsItem.objects.filter(tender=self.tender).order_by("-published_at", "-pk")
        return self.page(
            request, "news.html", items=items, form=form or NewsItemForm(), status=status
        )

    def post(self, request, slug):
        form = NewsItemForm(request.POST)
        if form.is_valid() and attempt(
            form,
            lambda: news_item_save(
                tender=self.tender,
                user=request.user,
                base_url=base_url_of(request),
                **form.cleaned_data,
            ),
        ):
            messages.success(request, _("Het nieuwsbericht is opgeslagen."))
            return redirect("communication-news", slug=slug)
        return self.get(request, slug, form=form, status=400)


class NewsEditView(CommunicationMixin, View):
    def get(self, request, slug, pk, form=None, status=200):
        item = get_object_or_404(NewsItem, tender=self.tender, pk=pk)
        form = form or NewsItemForm(
            initial={
                "title": item.title,
                "body": item.body,
                "published": item.published,
                "published_at": timezone.localtime(item.published_at),
            }
        )
        return self.page(request, "news_edit.html", item=item, form=form, status=status)

    def post(self, request, slug, pk):
        item = get_object_or_404(NewsItem, tender=self.tender, pk=pk)
        if request.POST.get("action") == "delete":
            news_item_delete(item=item, user=request.user)
            messages.success(request, _("Het nieuwsbericht is verwijderd."))
            return redirect("communication-news", slug=slug)
        form = NewsItemForm(request.POST)
        if form.is_valid() and attempt(
            form,
            lambda: news_item_save(
                tender=self.tender,
                user=request.user,
                item=item,
                base_url=base_url_of(request),
                **form.cleaned_data,
            ),
        ):
            messages.success(request, _("Het nieuwsbericht is opgeslagen."))
            return redirect("communication-news", slug=slug)
        return self.get(request, slug, pk, form=form, status=400)


# -- the document library ----------------------------------------------------------------


class DocumentsView(CommunicationMixin, View):
    """The library: every document with its category, version, audience and publication
    moment (scheduled ones too), and the upload form (inkoper, voorzitter)."""

    def replaceable(self):
        return TenderDocument.objects.filter(
            tender=self.tender, kind=TenderDocument.Kind.DOCUMENT, replaced_by__isnull=True
        ).order_by("title", "-version")

    def get(self, request, slug, form=None, status=200):
        return self.page(
            request,
            "documents.html",
            documents=documents_visible_to(request.user, self.tender),
            now=timezone.now(),
            form=form
            or DocumentUploadForm(
                replaceable=self.replaceable(), has_selection=self.tender.has_selection()
            ),
            status=status,
        )

    def post(self, request, slug):
        form = DocumentUploadForm(
            request.POST,
            request.FILES,
            replaceable=self.replaceable(),
            has_selection=self.tender.has_selection(),
        )
        if form.is_valid() and attempt(
            form,
            lambda: document_upload(
                tender=self.tender,
                user=request.user,
                uploaded_file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                category=form.cleaned_data["category"],
                audience=form.cleaned_data["audience"],
                publish_at=form.cleaned_data["publish_at"],
                replaces=form.cleaned_data["replaces"],
                client_address=client_address_of(request),
            ),
        ):
            messages.success(request, _("Het document is opgeslagen."))
            return redirect("communication-documents", slug=slug)
        return self.get(request, slug, form=form, status=400)


# -- key dates ------------------------------------------------------------------------------


class KeyDatesView(CommunicationMixin, View):
    def get(self, request, slug, form=None, status=200):
        key_dates = KeyDate.objects.filter(tender=self.tender).order_by("date", "pk")
        return self.page(
            request,
            "key_dates.html",
            key_dates=key_dates,
            form=form or KeyDateForm(),
            status=status,
        )

    def post(self, request, slug):
        if "delete" in request.POST:
            pk = request.POST["delete"]
            key_date = get_object_or_404(KeyDate, tender=self.tender, pk=pk if pk.isdigit() else 0)
            key_date_delete(key_date=key_date, user=request.user)
            messages.success(request, _("De datum is verwijderd."))
            return redirect("communication-key-dates", slug=slug)
        form = KeyDateForm(request.POST)
        if form.is_valid() and attempt(
            form,
            lambda: key_date_save(tender=self.tender, user=request.user, **form.cleaned_data),
        ):
            messages.success(request, _("De datum is toegevoegd."))
            return redirect("communication-key-dates", slug=slug)
        return self.get(request, slug, form=form, status=400)


class KeyDateEditView(CommunicationMixin, View):
    def get(self, request, slug, pk, form=None, status=200):
        key_date = get_object_or_404(KeyDate, tender=self.tender, pk=pk)
        form = form or KeyDateForm(
            initial={"label": key_date.label, "date": key_date.date, "note": key_date.note}
        )
        return self.page(
            request,
            "form_page.html",
            form=form,
            title=_("Datum wijzigen"),
            back=reverse("communication-key-dates", args=[slug]),
            back_label=_("Belangrijke data"),
            submit=_("Opslaan"),
            status=status,
        )

    def post(self, request, slug, pk):
        key_date = get_object_or_404(KeyDate, tender=self.tender, pk=pk)
        form = KeyDateForm(request.POST)
        if form.is_valid() and attempt(
            form,
            lambda: key_date_save(
                tender=self.tender, user=request.user, key_date=key_date, **form.cleaned_data
            ),
        ):
            messages.success(request, _("De datum is opgeslagen."))
            return redirect("communication-key-dates", slug=slug)
        return self.get(request, slug, pk, form=form, status=400)


# -- the deadline ---------------------------------------------------------------------------


def deadline_for_nota_now(tender):
    """A suggestion: the first day on which a nota published now is in time, at the current
    deadline's time of day (Amsterdam time)."""
    current = timezone.localtime(tender.current_deadline or tender.deadline)
    earliest = timezone.localtime(timezone.now() + timedelta(days=NOTA_MIN_DAYS_BEFORE_DEADLINE))
    suggestion = earliest.replace(hour=current.hour, minute=current.minute, second=0, microsecond=0)
    if suggestion < earliest:
        suggestion += timedelta(days=1)
    return suggestion


class DeadlineMoveView(CommunicationMixin, View):
    def check(self, request):
        if not can_move_deadline(request.user, self.tender):
            raise Http404

    def get(self, request, slug, form=None, status=200):
        self.check(request)
        if form is None:
            initial = {}
            if request.GET.get("reden") == "nota":
                initial["new_deadline"] = deadline_for_nota_now(self.tender)
            form = DeadlineMoveForm(initial=initial)
        return self.page(
            request,
            "deadline_move.html",
            form=form,
            passed=self.tender.deadline_passed(timezone.now()),
            for_nota=request.GET.get("reden") == "nota",
            status=status,
        )

    def post(self, request, slug):
        self.check(request)
        form = DeadlineMoveForm(request.POST)
        if form.is_valid() and attempt(
            form,
            lambda: tender_deadline_move(
                tender=self.tender,
                new_deadline=form.cleaned_data["new_deadline"],
                user=request.user,
                client_address=client_address_of(request),
                base_url=base_url_of(request),
            ),
        ):
            messages.success(request, _("De sluitingstermijn is verplaatst."))
            return redirect("communication-hub", slug=slug)
        return self.get(request, slug, form=form, status=400)
