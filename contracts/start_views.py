"""The start page per role (issue 18.1): the page after login and the header's "Start".

It puts together the lines each app builds for the data it owns (``*/todo_selectors.py``);
this module sits in the top app because it reads all of them. A user with several roles gets
a section per role. Every section costs a fixed number of queries (pinned per role in
tests/contracts/test_start_page.py).
"""

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import is_provider, role_names
from accounts.roles import AUDITOR, BEOORDELAAR, CONTRACTMANAGER, INKOPER, VOORZITTER
from accounts.todos import Todo
from communication.todo_selectors import question_todos
from evaluation.todo_selectors import consensus_todos, evaluator_todos
from providers.selectors import organisation_of
from providers.todo_selectors import provider_todos
from tender.todo_selectors import procurement_todos, tenders_in_progress

from .todo_selectors import award_todos, contract_manager_todos, provider_contract_todos


@dataclass
class Section:
    key: str
    title: str
    intro: str
    todos: list[Todo]
    empty: str


def start_sections(user) -> list[Section]:
    roles = role_names(user)
    sections = []
    if roles & {INKOPER, VOORZITTER}:
        tenders = list(tenders_in_progress(user))
        sections.append(
            Section(
                "aanbestedingen",
                _("Aanbestedingen: stap en volgende actie"),
                _("Per lopende aanbesteding de huidige stap en wat er nu moet gebeuren."),
                procurement_todos(user=user, tenders=tenders),
                _("Er loopt geen aanbesteding."),
            )
        )
        waiting = question_todos(tenders=tenders) + consensus_todos(tenders=tenders)
        waiting += award_todos(tenders=tenders)
        sections.append(
            Section(
                "wacht",
                _("Wacht op u"),
                _("Vragen, nota's, consensus, brieven, opschortende termijnen en bezwaren."),
                sorted(waiting, key=_by_due),
                _("Er wacht niets op u."),
            )
        )
    if BEOORDELAAR in roles:
        sections.append(
            Section(
                "beoordeling",
                _("Uw dossiers"),
                _("De dossiers die aan u zijn toegewezen, met wat er nog moet gebeuren."),
                evaluator_todos(user=user),
                _("Er zijn geen dossiers aan u toegewezen."),
            )
        )
    if CONTRACTMANAGER in roles:
        sections.append(
            Section(
                "contracten",
                _("Contracten"),
                _("Besluiten over verlenging, verantwoordingen en verrekeningen."),
                contract_manager_todos(),
                _("Er wacht geen contract op een besluit."),
            )
        )
    if AUDITOR in roles:
        sections.append(
            Section(
                "audit",
                _("Auditlog"),
                _("Alle vastgelegde handelingen, met de controle van de hashketen."),
                [
                    Todo(
                        subject=_("Auditlog"),
                        action=_("Auditlog doorzoeken en controleren"),
                        url=reverse("audit-home"),
                    )
                ],
                "",
            )
        )
    if is_provider(user):
        organisation = organisation_of(user)
        todos = []
        if organisation is not None:
            todos = provider_todos(organisation=organisation)
            todos += provider_contract_todos(organisation=organisation)
        else:
            todos = [
                Todo(
                    subject=_("Uw organisatie"),
                    action=_("Organisatie registreren"),
                    url=reverse("portal-register"),
                )
            ]
        sections.append(
            Section(
                "portaal",
                _("Uw inschrijvingen en contracten"),
                _("Open aanbestedingen, concepten, uitnodigingen, brieven en contracten."),
                todos,
                _("Er staat niets voor u open."),
            )
        )
    return sections


def _by_due(todo: Todo):
    """Lines with a deadline first, the nearest first (dates and moments compare by day)."""
    due = todo.due
    if due is None:
        return (1, "")
    return (0, due.date().isoformat() if hasattr(due, "date") else due.isoformat())


class StartView(LoginRequiredMixin, View):
    """``start/``: what the user has to do next, per role."""

    def get(self, request):
        return render(request, "workspace/start.html", {"sections": start_sections(request.user)})
