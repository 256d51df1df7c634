"""The public tender site (no login): news, downloads, calendar, vraag & antwoord, key dates
and the newsletter sign-up, plus what a logged-in provider does there: register for a session
and ask questions.

Only tenders that are not a draft exist here; anything else is a 404.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from audit.services import client_address_of
from providers.organisation_views import PortalTenderMixin
from providers.selectors import organisation_of
from tender.errors import service_action
from tender.files import stored_document_response
from tender.models import Tender
from tender.public_sections import public_sections
from tender.services.lifecycle import steps_of
from tender.services.mail import base_url_of

from .models import NewsletterIssue
from .permissions import can_ask_question, can_register_for_session
from .public_forms import NewsletterForm, QuestionForm, SessionRegistrationForm
from .selectors import (
    document_audiences,
    documents_visible_to,
    key_moments,
    organisation_document_audiences,
    public_documents,
    public_news,
    public_tenders,
    published_documents,
    published_notas,
    questions_visible_to,
    registration_of,
    sessions_with_counts,
    tender_requirements,
    tender_structure,
)
from .services.market import (
    newsletter_confirm,
    newsletter_subscribe,
    newsletter_unsubscribe,
)
from .services.questions import question_ask
from .services.registrations import session_register, session_registration_cancel

NEWS_ON_FRONT_PAGE = 5


def public_tender_or_404(slug: str) -> Tender:
    return get_object_or_404(public_tenders(), slug=slug)


def _documents_with_size(tender):
    """Public documents; those stored before the library recorded sizes get theirs from disk."""
    documents = list(public_documents(tender))
    for document in documents:
        if document.size is None:
            try:
                document.size = document.file.size
            except OSError:  # a file missing on disk: list it without a size
                document.size = None
    return documents


class PublicTenderListView(View):
    def get(self, request):
        tenders = public_tenders().order_by("-deadline", "slug")
        return render(request, "public/tender_list.html", {"tenders": tenders})


def tender_page(request, tender, newsletter_form=None, status=200):
    """The tender's page, like the seeds' 'Inkoop 2022' page: every section at a glance, and
    the tender itself (lots, segments, requirements, criteria, the award notice) in a fixed
    number of queries."""
    sessions = list(sessions_with_counts(tender))
    now = timezone.now()
    context = {
        "tender": tender,
        "lots": tender_structure(tender),
        "requirements": tender_requirements(tender),
        "news": public_news(tender)[:NEWS_ON_FRONT_PAGE],
        "documents": _documents_with_size(tender),
        "upcoming": [s for s in sessions if s.ends_at >= now],
        "past_count": sum(1 for s in sessions if s.ends_at < now),
        "now": now,
        "moments": key_moments(tender),
        "steps": steps_of(tender),
        "notas": published_notas(tender, document_audiences(request.user, tender)),
        "newsletter_form": newsletter_form or NewsletterForm(),
        "section": "overview",
        **public_sections(tender=tender),
    }
    return render(request, "public/tender.html", context, status=status)


class PublicTenderView(View):
    def get(self, request, slug):
        return tender_page(request, public_tender_or_404(slug))


class PublicNewsListView(View):
    def get(self, request, slug):
        tender = public_tender_or_404(slug)
        return render(
            request,
            "public/news_list.html",
            {"tender": tender, "news": public_news(tender), "section": "news"},
        )


def sent_issues(tender):
    return NewsletterIssue.objects.filter(tender=tender, sent_at__isnull=False).order_by(
        "-sent_at", "-pk"
    )


class NewsletterArchiveView(View):
    """The archive: every newsletter issue that was sent."""

    def get(self, request, slug):
        tender = public_tender_or_404(slug)
        return render(
            request,
            "public/newsletter_archive.html",
            {"tender": tender, "issues": sent_issues(tender), "section": "news"},
        )


class NewsletterIssueView(View):
    def get(self, request, slug, pk):
        tender = public_tender_or_404(slug)
        issue = get_object_or_404(sent_issues(tender), pk=pk)
        return render(
            request,
            "public/newsletter_issue.html",
            {
                "tender": tender,
                "issue": issue,
                "news": public_news(tender).filter(newsletter_issues=issue),
                "documents": public_documents(tender).filter(newsletter_issues=issue),
                "section": "news",
            },
        )


class PublicNewsDetailView(View):
    def get(self, request, slug, pk):
        tender = public_tender_or_404(slug)
        item = get_object_or_404(public_news(tender), pk=pk)
        return render(
            request, "public/news_detail.html", {"tender": tender, "item": item, "section": "news"}
        )


def document_download(document):
    """A library document as a download, typed by its content (``tender.files``)."""
    return stored_document_response(
        document.file.open("rb"), filename=document.file.name.rsplit("/", 1)[-1]
    )


class PublicDocumentView(View):
    """A published public document; any other document is a 404 here, also for a provider
    that may read it (the portal has its own link, after login)."""

    def get(self, request, slug, pk):
        tender = public_tender_or_404(slug)
        return document_download(get_object_or_404(public_documents(tender), pk=pk))


class PortalDocumentView(PortalTenderMixin, View):
    """A document published for the organisation's audiences (public, registered or invited
    candidates); anything else is a 404."""

    def get(self, request, slug, pk):
        self.setup_tender(slug)
        audiences = organisation_document_audiences(self.tender, self.organisation)
        return document_download(
            get_object_or_404(published_documents(self.tender, audiences), pk=pk)
        )


class PublicCalendarView(View):
    def get(self, request, slug):
        tender = public_tender_or_404(slug)
        return render(
            request,
            "public/calendar.html",
            {
                "tender": tender,
                "sessions": sessions_with_counts(tender),
                "moments": key_moments(tender),
                "now": timezone.now(),
                "section": "calendar",
            },
        )


class PublicSessionView(View):
    """A session with its registration: a logged-in provider registers its organisation (one
    participant) or cancels; everyone else sees how to register."""

    def setup_session(self, slug, pk):
        self.tender = public_tender_or_404(slug)
        self.session = get_object_or_404(sessions_with_counts(self.tender), pk=pk)

    def render_page(self, request, form=None, status=200):
        session = self.session
        registration = registration_of(user=request.user, session=session)
        overflow = None
        if session.overflow_id:
            overflow = sessions_with_counts(self.tender).get(pk=session.overflow_id)
        context = {
            "tender": self.tender,
            "session": session,
            "overflow": overflow,
            "main": session.main_session,
            "registration": registration,
            "organisation": organisation_of(request.user),
            "may_register": can_register_for_session(request.user, session),
            "open": timezone.now() <= session.registration_deadline,
            "not_yet_open": session.registration_not_yet_open(timezone.now()),
            "report": (
                documents_visible_to(request.user, self.tender).filter(pk=session.report_id).first()
                if session.report_id
                else None
            ),
            "form": form or SessionRegistrationForm(initial=self._initial(request.user)),
            "section": "calendar",
        }
        return render(request, "public/session.html", context, status=status)

    @staticmethod
    def _initial(user):
        if not user.is_authenticated:
            return {}
        return {"participant_name": user.get_full_name(), "participant_email": user.email}

    def get(self, request, slug, pk):
        self.setup_session(slug, pk)
        return self.render_page(request)

    def post(self, request, slug, pk):
        self.setup_session(slug, pk)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_register_for_session(request.user, self.session):
            raise Http404
        if request.POST.get("action") == "cancel":
            return self._cancel(request)
        form = SessionRegistrationForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        with service_action(request, form=form) as outcome:
            registration = session_register(
                session=self.session,
                organisation=organisation_of(request.user),
                user=request.user,
                base_url=base_url_of(request),
                **form.cleaned_data,
            )
        if outcome.refused:
            return self.render_page(request, form, status=400)
        if registration.session_id == self.session.pk:
            messages.success(request, _("Uw organisatie is aangemeld voor deze sessie."))
        else:
            messages.warning(
                request,
                _(
                    "Deze sessie is vol. Uw organisatie is aangemeld voor de extra sessie "
                    "'%(title)s'."
                )
                % {"title": registration.session.title},
            )
        return redirect("public-session", slug=self.tender.slug, pk=self.session.pk)

    def _cancel(self, request):
        registration = registration_of(user=request.user, session=self.session)
        if registration is None:
            messages.error(request, _("Uw organisatie is niet aangemeld voor deze sessie."))
        else:
            with service_action(request):
                session_registration_cancel(registration=registration, user=request.user)
                messages.success(request, _("Uw aanmelding is afgemeld."))
        return redirect("public-session", slug=self.tender.slug, pk=self.session.pk)


class PublicQuestionsView(View):
    """Vraag & antwoord: the published notas, anonymous. A provider also asks questions here
    and sees its own (an answer shows once the nota with it is published)."""

    def render_page(self, request, tender, form=None, status=200):
        may_ask = can_ask_question(request.user, tender)
        own = questions_visible_to(request.user, tender) if may_ask else []
        context = {
            "tender": tender,
            "notas": published_notas(tender, document_audiences(request.user, tender)),
            "may_ask": may_ask,
            "own_questions": own,
            "form": form or (QuestionForm(tender=tender) if may_ask else None),
            "section": "questions",
        }
        return render(request, "public/questions.html", context, status=status)

    def get(self, request, slug):
        return self.render_page(request, public_tender_or_404(slug))

    def post(self, request, slug):
        tender = public_tender_or_404(slug)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_ask_question(request.user, tender):
            raise Http404
        form = QuestionForm(request.POST, tender=tender)
        if not form.is_valid():
            return self.render_page(request, tender, form, status=400)
        with service_action(request, form=form) as outcome:
            question_ask(
                tender=tender,
                organisation=organisation_of(request.user),
                user=request.user,
                client_address=client_address_of(request),
                **form.cleaned_data,
            )
        if outcome.refused:
            return self.render_page(request, tender, form, status=400)
        messages.success(
            request,
            _(
                "Uw vraag is ontvangen. Het antwoord verschijnt in een nota van inlichtingen, "
                "zonder de naam van uw organisatie."
            ),
        )
        return redirect(reverse("public-questions", args=[tender.slug]) + "#eigen-vragen")


class NewsletterSubscribeView(View):
    def post(self, request, slug):
        tender = public_tender_or_404(slug)
        form = NewsletterForm(request.POST)
        if not form.is_valid():
            return tender_page(request, tender, newsletter_form=form, status=400)
        newsletter_subscribe(
            tender=tender,
            email=form.cleaned_data["email"],
            base_url=base_url_of(request),
            client_address=client_address_of(request),
        )
        # The same message whatever happened: nobody learns whether an address is subscribed.
        messages.success(
            request,
            _(
                "Bedankt. U ontvangt een e-mail met een link om uw aanmelding te bevestigen, "
                "tenzij dit adres al is aangemeld."
            ),
        )
        return redirect(reverse("public-tender", args=[tender.slug]) + "#nieuwsbrief")


@method_decorator(csrf_exempt, name="dispatch")
class NewsletterTokenView(View):
    """Confirm or unsubscribe from a link in a mail. The link opens a page with a button: a
    GET never changes anything, so mail scanners that follow links cannot (un)subscribe.

    One-click unsubscribe (RFC 8058): a mail client POSTs ``List-Unsubscribe=One-Click`` to
    the link of the ``List-Unsubscribe`` header; the signed token is the proof, so that POST
    needs no CSRF token. Every other POST is checked for one as usual."""

    action = ""  # "confirm" | "unsubscribe"

    def get(self, request, slug, token):
        tender = public_tender_or_404(slug)
        return render(
            request,
            "public/newsletter_action.html",
            {"tender": tender, "action": self.action, "done": False},
        )

    def post(self, request, slug, token):
        one_click = (
            self.action == "unsubscribe" and request.POST.get("List-Unsubscribe") == "One-Click"
        )
        if not one_click:
            rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if rejected is not None:
                return rejected
        tender = public_tender_or_404(slug)
        with service_action() as outcome:
            if self.action == "confirm":
                newsletter_confirm(tender=tender, token=token)
            else:
                newsletter_unsubscribe(tender=tender, token=token)
        if outcome.refused:
            return render(
                request,
                "public/newsletter_action.html",
                {"tender": tender, "action": self.action, "error": outcome.error.message},
                status=400,
            )
        return render(
            request,
            "public/newsletter_action.html",
            {"tender": tender, "action": self.action, "done": True},
        )
