"""A dossier document for the scoring screens: decrypted by the one function that checks the
opening and the user (``providers.services.submissions.submission_document_open``), audited
there, and streamed (decrypted a chunk at a time as it is sent). PDFs are shown inline (framed
by our own pages only); every other file is a download (``tender.files.document_response``)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin

from audit.services import client_address_of
from providers.models import SubmissionDocument
from providers.services.submissions import submission_document_open
from tender.errors import service_action
from tender.files import document_response

from .common import ScoringAccessMixin


@method_decorator(xframe_options_sameorigin, name="dispatch")
class DossierDocumentView(ScoringAccessMixin, View):
    def get(self, request, slug, pk):
        document = get_object_or_404(
            SubmissionDocument.objects.select_related("file"),
            pk=pk,
            submission__tender=self.tender,
        )
        with service_action() as outcome:
            content = submission_document_open(
                document=document, user=request.user, client_address=client_address_of(request)
            )
        if outcome.refused:  # a document the caller may not read does not exist for them
            raise Http404
        response = document_response(
            content,
            filename=document.name,
            content_type=document.file.content_type,
            inline=True,
            size=document.file.size,
        )
        response["Cache-Control"] = "private, no-store"
        return response
