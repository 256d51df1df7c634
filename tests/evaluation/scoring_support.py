"""Helpers for the scoring tests: a small tender evaluated in the system, and shortcuts that
go through the services the screens use."""

import copy

from django.contrib.auth.models import Group
from django.test import Client

from evaluation.models import Assignment
from evaluation.services.assignments import assignment_create, conflict_declare
from evaluation.services.scenario import scenario_load
from evaluation.services.scoring import score_save, score_set_submit
from providers.models import Dossier

SEGMENT = "JH-HSJ"


def small_scenario(demo: dict, *, segment: str = SEGMENT, bidders: int = 4) -> dict:
    """The Achterhoek demo cut down to one segment with ``bidders`` bids and no levels at all:
    a tender that has to be evaluated in the system."""
    data = copy.deepcopy(demo)
    data["tender"]["slug"] = "klein-2022"
    data["tender"]["title"] = "Kleine aanbesteding 2022"
    for lot in data["tender"]["lots"]:
        lot["segments"] = [s for s in lot["segments"] if s["code"] == segment]
    data["tender"]["lots"] = [lot for lot in data["tender"]["lots"] if lot["segments"]]
    submissions = []
    for submission in data["submissions"]:
        entries = [e for e in submission["segments"] if e["segment"] == segment]
        if not entries:
            continue
        for entry in entries:
            entry.pop("levels", None)
            entry.pop("scores", None)
        submission["segments"] = entries
        submissions.append(submission)
    data["submissions"] = submissions[:bidders]
    return data


def load_small(demo: dict, *, replace: bool = False, **kwargs):
    return scenario_load(data=small_scenario(demo, **kwargs), replace=replace, one_round=True)


def dossiers_of(tender, segment: str = SEGMENT) -> list[Dossier]:
    return list(
        Dossier.objects.filter(submission__tender=tender, segment__code=segment)
        .select_related("submission__bidder", "submission__tender", "segment")
        .order_by("submission__bidder__kvk")
    )


def assign(dossier: Dossier, users, chair) -> list[Assignment]:
    return [assignment_create(dossier=dossier, user=u, assigned_by=chair) for u in users]


def declare(dossier: Dossier, user, conflict: bool = False, note: str = ""):
    return conflict_declare(dossier=dossier, user=user, has_conflict=conflict, note=note)


def criteria_of(dossier: Dossier, phase: str = "selection"):
    return list(dossier.segment.criteria.filter(phase=phase).order_by("position", "id"))


def fill(dossier, user, *, phase="selection", level="0.5", marker="motivering", levels=None):
    """Save a level and a rationale ``"{marker} {code}"`` for every criterion of the phase."""
    for criterion in criteria_of(dossier, phase):
        score_save(
            dossier=dossier,
            criterion=criterion,
            user=user,
            level=(levels or {}).get(criterion.code, level),
            rationale=f"{marker} {criterion.code}",
        )


def score_and_submit(dossier, user, **kwargs):
    fill(dossier, user, **kwargs)
    return score_set_submit(dossier=dossier, phase=kwargs.get("phase", "selection"), user=user)


def ensure_groups(*names: str) -> None:
    for name in names:
        Group.objects.get_or_create(name=name)


def separate_client(client_for, role: str, username: str) -> Client:
    """A client of its own, logged in as a fresh user with ``role`` through ``client_for``
    (so whatever sign-in step the project adds is passed), then detached from the shared
    client so that the next ``client_for`` call does not end this session."""
    shared = client_for(role, username)
    own = Client()
    own.cookies = copy.copy(shared.cookies)
    own.user = shared.user
    shared.cookies.clear()
    return own
