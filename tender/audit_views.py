"""The audit log screens for the auditor and procurement staff (issue 18): per tender a
filtered, paginated log, one entry with its chain check, a CSV export; and the check of the
whole chain on a worker.

They live in the tender app: they need the tender and its access rule, and the audit app (the
lowest) knows no tenders. The reading and checking are the audit app's selectors and services,
which apply the sealed-entry rule (``audit.sealing.visible_entries``) on every path.
"""

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from audit.exports import BYTE_ORDER_MARK, CSV_CONTENT_TYPE, audit_csv_rows
from audit.models import AuditVerification
from audit.selectors import tender_audit_entry, tender_audit_log, tender_audit_log_choices
from audit.services import audit_entry_check, audit_verification_request, client_address_of

from .audit_forms import AuditLogFilterForm
from .mixins import TenderScopedMixin
from .models import Tender
from .permissions import can_use_audit_log, can_view_audit_log
from .selectors import tenders_visible_to

PAGE_SIZE = 50


class AuditAccessMixin(TenderScopedMixin):
    """404 for anyone who may not read the audit log (of this tender)."""

    user_predicate = staticmethod(can_use_audit_log)
    tender_predicate = staticmethod(can_view_audit_log)


def _latest_verification() -> AuditVerification | None:
    return AuditVerification.objects.select_related("requested_by").first()


class AuditHomeView(AuditAccessMixin, View):
    """The auditor's entry (header link): the tenders with a link to their log, and the
    check of the whole chain."""

    def get(self, request):
        tenders = tenders_visible_to(request.user).order_by("-deadline", "slug")
        page = Paginator(tenders, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "audit/home.html",
            {"page_obj": page, "query_string": "", "verification": _latest_verification()},
        )


class AuditVerifyView(AuditAccessMixin, View):
    """POST: start a check of the whole chain on a worker; back to the page it came from."""

    def post(self, request):
        audit_verification_request(user=request.user, client_address=client_address_of(request))
        slug = request.POST.get("tender", "")
        if slug and Tender.objects.filter(slug=slug).exists():
            return redirect("audit-log", slug=slug)
        return redirect("audit-home")


class AuditVerifyProgressView(AuditAccessMixin, View):
    """htmx partial: the progress or outcome of one check; stops polling once it is done."""

    def get(self, request, pk):
        verification = get_object_or_404(AuditVerification, pk=pk)
        return render(request, "audit/_verification.html", {"verification": verification})


class TenderAuditLogView(AuditAccessMixin, View):
    """The log of one tender: filter by action, person, object and dates; 50 per page. A
    fixed number of queries, whatever the page shows (``test_audit_log_screen``)."""

    def get(self, request, slug):
        form = AuditLogFilterForm(
            request.GET, choices=tender_audit_log_choices(tender_slug=self.tender.slug)
        )
        valid = form.is_valid()
        entries = (
            tender_audit_log(tender_slug=self.tender.slug, filters=form.filters()) if valid else []
        )
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "audit/tender_log.html",
            {
                "tender": self.tender,
                "form": form,
                "page_obj": page,
                "query_string": query.urlencode(),
                "verification": _latest_verification(),
            },
            status=200 if valid else 400,
        )


class _Echo:
    """The file-like object ``csv.writer`` writes each row to, returning it."""

    def write(self, value: str) -> str:
        return value


class TenderAuditExportView(AuditAccessMixin, View):
    """The filtered log of the tender as CSV, streamed (the log grows without bound)."""

    def get(self, request, slug):
        form = AuditLogFilterForm(
            request.GET, choices=tender_audit_log_choices(tender_slug=self.tender.slug)
        )
        if not form.is_valid():
            return HttpResponse(_("Ongeldig filter."), status=400, content_type="text/plain")
        entries = tender_audit_log(tender_slug=self.tender.slug, filters=form.filters())
        writer = csv.writer(_Echo(), delimiter=";")

        def lines():
            yield BYTE_ORDER_MARK
            for row in audit_csv_rows(entries.iterator(chunk_size=1000)):
                yield writer.writerow(row)

        response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="auditlog-{self.tender.slug}.csv"'
        return response


class TenderAuditEntryView(AuditAccessMixin, View):
    """One entry with the chain check of that entry: its hash recomputed from its fields, and
    its previous hash against the entry before it."""

    def get(self, request, slug, seq):
        entry = tender_audit_entry(tender_slug=self.tender.slug, seq=seq)
        if entry is None:
            raise Http404
        return render(
            request,
            "audit/entry.html",
            {"tender": self.tender, "entry": entry, "check": audit_entry_check(entry)},
        )
