"""Staff screens for sessions: plan them (with an overflow session) and read or export the
attendee lists (CSV and Excel), in registration order."""

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook

from audit.exports import spreadsheet_safe
from tender.errors import service_action

from .forms import SessionCancelForm, SessionForm
from .models import Session
from .selectors import overflow_candidates, session_attendees, sessions_with_counts
from .services.sessions import (
    session_cancel,
    session_create,
    session_details_send,
    session_update,
)
from .views import CommunicationMixin, attempt


class SessionsView(CommunicationMixin, View):
    def get(self, request, slug):
        return self.page(request, "sessions.html", sessions=sessions_with_counts(self.tender))


class SessionFormView(CommunicationMixin, View):
    """Create (no ``pk``) or change a session."""

    def get_session(self, pk):
        return get_object_or_404(Session, tender=self.tender, pk=pk) if pk else None

    def form(self, session, data=None):
        initial = {}
        if session is not None:
            initial = {
                name: getattr(session, name)
                for name in (
                    "kind",
                    "title",
                    "description",
                    "location",
                    "online_link",
                    "capacity",
                    "overflow",
                    "programme",
                    "details_send_by",
                    "report",
                )
            }
            for name in ("starts_at", "ends_at", "registration_deadline", "registration_opens_at"):
                moment = getattr(session, name)
                initial[name] = timezone.localtime(moment) if moment else None
            initial["lots"] = list(session.lots.all())
            initial["segments"] = list(session.segments.all())
        return SessionForm(
            data,
            initial=initial,
            tender=self.tender,
            overflow_choices=overflow_candidates(self.tender, session),
        )

    def get(self, request, slug, pk=None, form=None, status=200):
        session = self.get_session(pk)
        return self.page(
            request,
            "session_form.html",
            session=session,
            form=form or self.form(session),
            status=status,
        )

    def post(self, request, slug, pk=None):
        session = self.get_session(pk)
        form = self.form(session, request.POST)
        if not form.is_valid():
            return self.get(request, slug, pk, form=form, status=400)
        data = dict(form.cleaned_data)
        if session is None:
            saved = attempt(
                form, lambda: session_create(tender=self.tender, user=request.user, **data)
            )
        else:
            saved = attempt(
                form, lambda: session_update(session=session, user=request.user, **data)
            )
        if saved is None:
            return self.get(request, slug, pk, form=form, status=400)
        messages.success(request, _("De sessie is opgeslagen."))
        return redirect("communication-session", slug=slug, pk=saved.pk)


class SessionAttendeesView(CommunicationMixin, View):
    def get(self, request, slug, pk, cancel_form=None, status=200):
        session = get_object_or_404(
            sessions_with_counts(self.tender).select_related("report"), pk=pk
        )
        attendees = list(session_attendees(session))
        return self.page(
            request,
            "session_attendees.html",
            session=session,
            main_attendees=[a for a in attendees if a.session_id == session.pk],
            overflow_attendees=[a for a in attendees if a.session_id != session.pk],
            cancel_form=cancel_form or SessionCancelForm(),
            now=timezone.now(),
            status=status,
        )


class SessionActionView(CommunicationMixin, View):
    """POST only: send the programme and online link now, or cancel the session (mailed to
    the registrants by a task)."""

    action = ""  # "details" | "cancel"

    def post(self, request, slug, pk):
        session = get_object_or_404(Session, tender=self.tender, pk=pk)
        with service_action(request):
            if self.action == "details":
                session_details_send(session=session, user=request.user)
                messages.success(request, _("Het programma en de deelnamelink worden verstuurd."))
            else:
                form = SessionCancelForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                session_cancel(session=session, user=request.user, reason=reason)
                messages.success(
                    request, _("De sessie is geannuleerd; de deelnemers krijgen bericht.")
                )
        return redirect("communication-session", slug=slug, pk=pk)


EXPORT_HEADER = [
    "Volgorde",
    "Sessie",
    "Extra sessie",
    "Organisatie",
    "KvK",
    "Deelnemer",
    "E-mail",
    "Aangemeld op",
]


def _export_rows(session):
    for index, registration in enumerate(session_attendees(session), start=1):
        yield [
            index,
            registration.session.title,
            "ja" if registration.session_id != session.pk else "nee",
            registration.organisation.name,
            registration.organisation.kvk,
            registration.participant_name,
            registration.participant_email,
            timezone.localtime(registration.registered_at).strftime("%d-%m-%Y %H:%M:%S"),
        ]


def _spreadsheet_safe(value):
    """Text cells through the one CSV-injection rule (``audit.exports.spreadsheet_safe``)."""
    return spreadsheet_safe(value) if isinstance(value, str) else value


class SessionAttendeesExportView(CommunicationMixin, View):
    """The attendee list (session and overflow) as CSV (semicolons, for Dutch Excel) or
    Excel, in registration order."""

    def get(self, request, slug, pk, fmt):
        session = get_object_or_404(Session, tender=self.tender, pk=pk)
        rows = [[_spreadsheet_safe(v) for v in row] for row in _export_rows(session)]
        name = f"deelnemers-{self.tender.slug}-sessie-{session.pk}"
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow(EXPORT_HEADER)
            writer.writerows(rows)
            response = HttpResponse(
                "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
            )
        elif fmt == "xlsx":
            workbook = Workbook()
            sheet = workbook.active
            sheet.title = "Deelnemers"
            sheet.append(EXPORT_HEADER)
            for row in rows:
                sheet.append(row)
            buffer = io.BytesIO()
            workbook.save(buffer)
            response = HttpResponse(
                buffer.getvalue(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
