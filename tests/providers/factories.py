"""Factories for organisations and their provider users (provider portal tests)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import AANBIEDER
from providers.models import Organisation, OrganisationMembership


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kvk = factory.Sequence(lambda n: f"{60000000 + n}")
    name = factory.Sequence(lambda n: f"Zorgaanbieder {n}")
    legal_form = "stichting"
    address = "Hoofdstraat 1"
    postcode = "7001 AB"
    city = "Doetinchem"
    phone = "0314 000000"
    contact_name = "Contact"
    contact_email = factory.LazyAttribute(lambda o: f"info-{o.kvk}@example.org")


class ProviderUserFactory(factory.django.DjangoModelFactory):
    """A user in group 'aanbieder'; pass ``organisation`` (and ``is_admin``) to link it."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"aanbieder{n}@example.org")
    email = factory.LazyAttribute(lambda u: u.username)
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Jansen{n}")
    password = factory.PostGenerationMethodCall("set_password", "x" * 16)

    @factory.post_generation
    def organisation(self, create, extracted, is_admin=True, **kwargs):
        self.groups.add(Group.objects.get_or_create(name=AANBIEDER)[0])
        if extracted is not None:
            OrganisationMembership.objects.create(
                user=self, organisation=extracted, is_admin=is_admin
            )
        self.save()


def provider(organisation=None, *, is_admin=True):
    """A provider user of ``organisation`` (a new one when None)."""
    organisation = organisation or OrganisationFactory()
    return ProviderUserFactory(organisation=organisation, organisation__is_admin=is_admin)


def uea_answers(**overrides) -> dict:
    """A complete UEA: no exclusion ground applies (nee), the selection statements are met
    (ja), every text answered, and the signer's details."""
    from providers import uea as structure

    data = {}
    for q in structure.questions():
        if q.kind == structure.YES_NO:
            data[q.code] = "ja" if q.explain_when is False else "nee"
        else:
            data[q.code] = f"Antwoord op {q.code}"
    data.update(signer_name="Petra de Boer", signer_role="Bestuurder", signed_place="Doetinchem")
    data.update(overrides)
    return data


def uea_signed(*, tender, organisation, user):
    """Fill in and sign ``organisation``'s UEA for ``tender`` (``user`` is one of its admins)."""
    from providers.services.uea import uea_save, uea_sign

    answers = {
        code: {"ja": True, "nee": False}.get(value, value) for code, value in uea_answers().items()
    }
    signer = {key: answers.pop(key) for key in ("signer_name", "signer_role", "signed_place")}
    uea_save(tender=tender, organisation=organisation, user=user, answers=answers, **signer)
    return uea_sign(tender=tender, organisation=organisation, user=user)
