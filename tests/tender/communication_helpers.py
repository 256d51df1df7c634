"""Fixtures and builders for the tests of the public site, sessions and questions: a small
published tender with two lots, provider users linked to organisations, sessions."""

import datetime as dt
import re
from itertools import count

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import AANBIEDER
from communication.models import Session
from providers.models import Organisation, OrganisationMembership
from tender.models import Lot, Municipality, Region, Segment, Tender

_kvk = count(10000001)


def build_tender(*, slug="inkoop-2022", state="published", deadline=None) -> Tender:
    region, _ = Region.objects.get_or_create(code="achterhoek", defaults={"name": "Achterhoek"})
    municipality, _ = Municipality.objects.get_or_create(
        code="GM0222", defaults={"name": "Doetinchem"}
    )
    region.municipalities.add(municipality)
    tender = Tender.objects.create(
        slug=slug,
        title=f"Inkoop Jeugdhulp, Wmo en Beschermd Wonen ({slug})",
        region=region,
        state=state,
        deadline=deadline or timezone.now() + dt.timedelta(days=30),
    )
    for position, (code, name, segment_code, segment_name) in enumerate(
        [
            ("JH", "Jeugdhulp", "JH-DYS", "Dyslexie"),
            ("WMO", "Wmo", "WMO-BG", "Begeleiding"),
        ]
    ):
        lot = Lot.objects.create(tender=tender, code=code, name=name, position=position)
        lot.municipalities.add(municipality)
        Segment.objects.create(
            tender=tender, lot=lot, code=segment_code, name=segment_name, places=2
        )
    return tender


def make_provider(name: str, *, username: str | None = None, email: str = "", password="x" * 16):
    """A user in group 'aanbieder' linked to a new organisation named ``name``."""
    email = email or f"info@{re.sub(r'[^a-z]', '', name.lower())}.example"
    organisation = Organisation.objects.create(
        kvk=str(next(_kvk)),
        name=name,
        legal_form="stichting",
        contact_name=f"Contact {name}",
        contact_email=email,
    )
    user = get_user_model().objects.create_user(
        username=username or re.sub(r"\W+", "-", name.lower()), password=password, email=email
    )
    user.groups.add(Group.objects.get_or_create(name=AANBIEDER)[0])
    OrganisationMembership.objects.create(user=user, organisation=organisation, is_admin=True)
    return user


def make_session(tender, *, title="Informatieve sessie", capacity=2, overflow=None, **extra):
    starts = extra.pop("starts_at", timezone.now() + dt.timedelta(days=10))
    return Session.objects.create(
        tender=tender,
        kind=extra.pop("kind", Session.Kind.DIALOGUE),
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        location=extra.pop("location", "Online via Microsoft Teams"),
        capacity=capacity,
        registration_deadline=extra.pop("registration_deadline", starts - dt.timedelta(days=3)),
        overflow=overflow,
        **extra,
    )


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture(name="tender")
def tender_fixture(db):
    return build_tender()


@pytest.fixture(name="inkoper")
def inkoper_fixture(make_user):
    return make_user("inkoper-comm", "inkoper")


@pytest.fixture(name="provider")
def provider_fixture(db):
    return make_provider("Zorg Oost")


@pytest.fixture(name="other_provider")
def other_provider_fixture(db):
    return make_provider("Jeugdzorg West")
