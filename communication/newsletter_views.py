"""Staff screens for newsletter issues: compose, preview and send (docs/rules.md,
"Newsletter"). The mails leave from a Celery task, never inside the request."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from audit.services import client_address_of
from tender.errors import service_action
from tender.services.mail import base_url_of

from .forms import NewsletterIssueForm
from .models import NewsletterIssue
from .services.market import newsletter_recipients
from .services.newsletters import issue_documents_choices, issue_preview, issue_save, issue_send
from .views import CommunicationMixin, attempt


class IssueFormMixin(CommunicationMixin):
    def form(self, data=None, issue=None):
        initial = {}
        if issue is not None:
            initial = {
                "title": issue.title,
                "theme": issue.theme,
                "body": issue.body,
                "news_items": list(issue.news_items.all()),
                "documents": list(issue.documents.all()),
            }
        return NewsletterIssueForm(
            data,
            initial=initial,
            tender=self.tender,
            documents=issue_documents_choices(self.tender),
        )


class IssuesView(IssueFormMixin, View):
    """The issues (drafts and sent) and the form for a new one."""

    def get(self, request, slug, form=None, status=200):
        return self.page(
            request,
            "newsletters.html",
            issues=NewsletterIssue.objects.filter(tender=self.tender),
            subscriber_count=len(newsletter_recipients(self.tender)),
            form=form or self.form(),
            status=status,
        )

    def post(self, request, slug):
        form = self.form(request.POST)
        issue = form.is_valid() and attempt(
            form,
            lambda: issue_save(tender=self.tender, user=request.user, **form.cleaned_data),
        )
        if issue:
            messages.success(request, _("De nieuwsbrief is opgeslagen; bekijk het voorbeeld."))
            return redirect("communication-newsletter", slug=slug, pk=issue.pk)
        return self.get(request, slug, form=form, status=400)


class IssueView(IssueFormMixin, View):
    """One issue: its preview (the mail as a subscriber gets it), the form while it is not
    sent, and the send button."""

    def get(self, request, slug, pk, form=None, status=200):
        issue = get_object_or_404(NewsletterIssue, tender=self.tender, pk=pk)
        return self.page(
            request,
            "newsletter.html",
            issue=issue,
            preview=issue_preview(issue, base_url_of(request)),
            subscriber_count=len(newsletter_recipients(self.tender)),
            form=form or (None if issue.is_sent else self.form(issue=issue)),
            status=status,
        )

    def post(self, request, slug, pk):
        issue = get_object_or_404(NewsletterIssue, tender=self.tender, pk=pk)
        form = self.form(request.POST)
        if form.is_valid() and attempt(
            form,
            lambda: issue_save(
                tender=self.tender, user=request.user, issue=issue, **form.cleaned_data
            ),
        ):
            messages.success(request, _("De nieuwsbrief is opgeslagen."))
            return redirect("communication-newsletter", slug=slug, pk=pk)
        return self.get(request, slug, pk, form=form, status=400)


class IssueSendView(CommunicationMixin, View):
    def post(self, request, slug, pk):
        issue = get_object_or_404(NewsletterIssue, tender=self.tender, pk=pk)
        with service_action(request):
            count = issue_send(
                issue=issue, user=request.user, client_address=client_address_of(request)
            )
            messages.success(
                request,
                _("De nieuwsbrief wordt verstuurd aan %(count)s abonnees.") % {"count": count},
            )
        return redirect("communication-newsletter", slug=slug, pk=pk)
