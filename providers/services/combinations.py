"""Combinations (DOMAIN.md: several organisations bid as one; the lead, penvoerder, submits).

Rules (docs/rules.md, "Provider portal: organisations and combinations"): the lead's admins
form the combination while the tender is published or open for submissions, until the
deadline; they invite registered organisations by KvK; the invited organisation's admins
confirm or decline. An organisation takes part in at most one combination per tender (as lead
or confirmed member), and a confirmed member does not bid alone.
"""

import re

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.ratelimit import rate_limit
from audit.services import audit_record
from tender.constants import BIDDING_STATES
from tender.errors import ApplicationError
from tender.models import Tender
from tender.services.mail import absolute_url, mail_after_commit, mail_render

from ..models import Combination, CombinationMember, Organisation, OrganisationMembership
from ..permissions import (
    can_decide_combination_invitation,
    can_lead_combination,
    is_organisation_admin,
)


def forming_refusal(tender: Tender) -> str | None:
    """Why combinations (and UEAs) of ``tender`` cannot change now, or None."""
    if tender.state not in BIDDING_STATES or tender.deadline_passed(timezone.now()):
        return _(
            "Dit kan alleen bij een gepubliceerde aanbesteding of tijdens de inschrijving, "
            "tot de sluitingstermijn."
        )
    return None


def _check_forming(tender: Tender) -> None:
    refusal = forming_refusal(tender)
    if refusal:
        raise ApplicationError(refusal)


def _engaged_elsewhere(*, tender: Tender, organisation: Organisation, exclude=None) -> bool:
    """Lead of a combination, or a confirmed member of one, in ``tender``."""
    leads = Combination.objects.filter(tender=tender, lead=organisation)
    members = CombinationMember.objects.filter(
        combination__tender=tender, organisation=organisation, confirmed_at__isnull=False
    )
    if exclude is not None:
        leads = leads.exclude(pk=exclude.pk)
        members = members.exclude(combination=exclude)
    return leads.exists() or members.exists()


def _admin_emails(organisation_id: int) -> list[str]:
    return list(
        OrganisationMembership.objects.filter(
            organisation_id=organisation_id, is_admin=True, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def _mail_admins(template: str, organisation_id: int, context: dict) -> None:
    mail_after_commit(mail_render(template, context, to) for to in _admin_emails(organisation_id))


@transaction.atomic
def combination_create(
    *,
    tender: Tender,
    organisation: Organisation,
    user,
    name: str,
    legal_entity: bool = False,
    kvk: str = "",
    client_address: str | None = None,
) -> Combination:
    """The lead's admin forms a combination for ``tender``. A combination in formation
    (coöperatie i.o.) or a consortium that is no legal entity has no KvK number of its own:
    its lead's identifies it (``Combination.identifying_kvk``); only a legal entity states its
    own (8 digits, not the lead's)."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not is_organisation_admin(user, organisation.pk):
        raise ApplicationError(
            _("Alleen een beheerder van de organisatie kan een combinatie vormen.")
        )
    _check_forming(tender)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Geef de combinatie een naam."), field="name")
    if _engaged_elsewhere(tender=tender, organisation=organisation):
        raise ApplicationError(
            _("Uw organisatie neemt al deel aan een combinatie voor deze aanbesteding."),
            field="name",
        )
    kvk = (kvk or "").strip()
    if not legal_entity and kvk:
        raise ApplicationError(
            _(
                "Een combinatie in oprichting of zonder rechtspersoonlijkheid heeft geen eigen "
                "KvK-nummer: het KvK-nummer van de penvoerder identificeert haar."
            ),
            field="kvk",
        )
    if legal_entity and not re.fullmatch(r"[0-9]{8}", kvk):
        raise ApplicationError(
            _("Vul het KvK-nummer van de combinatie in (8 cijfers)."), field="kvk"
        )
    if legal_entity and kvk == organisation.kvk:
        raise ApplicationError(
            _("Het KvK-nummer van de combinatie is een ander dan dat van de penvoerder."),
            field="kvk",
        )
    combination = Combination.objects.create(
        tender=tender, lead=organisation, name=name[:200], legal_entity=legal_entity, kvk=kvk
    )
    audit_record(
        action="combination.create",
        actor=user,
        obj=combination,
        tender=tender,
        details={
            "lead": organisation.kvk,
            "name": combination.name,
            "legal_entity": legal_entity,
            "kvk": combination.identifying_kvk,
        },
        client_address=client_address,
    )
    return combination


@transaction.atomic
def combination_invite(
    *,
    combination: Combination,
    kvk: str,
    user,
    base_url: str = "",
    client_address: str | None = None,
) -> CombinationMember:
    """Invite a registered organisation (by KvK number) into the combination. A member who
    declined earlier can be invited again. Rate-limited per client address and inviting user
    (``accounts.ratelimit.RateLimited``: no invitation, no mail).

    Whether the invited organisation already takes part in another combination for the tender
    is not checked here: the answer (message, status, work done) must not tell the inviter
    what another organisation does in this tender. That organisation's admin meets the
    conflict when they confirm (``combination_member_decide``)."""
    combination = (
        Combination.objects.select_for_update(of=("self",))
        .select_related("tender", "lead")
        .get(pk=combination.pk)
    )
    if not can_lead_combination(user, combination):
        raise ApplicationError(_("Alleen de penvoerder kan leden uitnodigen."))
    rate_limit("combination-invitation", address=client_address, account=user)
    _check_forming(combination.tender)
    kvk = (kvk or "").strip().replace(" ", "")
    if len(kvk) != 8 or not kvk.isdigit():
        raise ApplicationError(_("Een KvK-nummer bestaat uit 8 cijfers."), field="kvk")
    organisation = Organisation.objects.filter(kvk=kvk).first()
    if organisation is None or not organisation.memberships.exists():
        raise ApplicationError(
            _(
                "Er is geen organisatie met KvK-nummer %(kvk)s geregistreerd in het portaal. "
                "Vraag die organisatie zich eerst te registreren."
            )
            % {"kvk": kvk},
            field="kvk",
        )
    if organisation.pk == combination.lead_id:
        raise ApplicationError(_("De penvoerder is al deel van de combinatie."), field="kvk")
    member = CombinationMember.objects.filter(
        combination=combination, organisation=organisation
    ).first()
    now = timezone.now()
    if member is not None and not member.is_declined:
        raise ApplicationError(
            _("%(name)s is al uitgenodigd.") % {"name": organisation.name}, field="kvk"
        )
    if member is None:
        member = CombinationMember(combination=combination, organisation=organisation)
    member.invited_at, member.invited_by = now, user
    member.confirmed_at = member.declined_at = member.decided_by = None
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ApplicationError(
            _("%(name)s is al uitgenodigd.") % {"name": organisation.name}, field="kvk"
        ) from None
    audit_record(
        action="combination.invite",
        actor=user,
        obj=member,
        tender=combination.tender,
        details={"combination": combination.pk, "member": organisation.kvk},
        client_address=client_address,
    )
    _mail_admins(
        "combination_invitation",
        organisation.pk,
        {
            "combination": combination,
            "member": organisation,
            "url": absolute_url(reverse("portal-tender", args=[combination.tender.slug]), base_url),
        },
    )
    return member


@transaction.atomic
def combination_member_decide(
    *,
    member: CombinationMember,
    user,
    accept: bool,
    base_url: str = "",
    client_address: str | None = None,
) -> CombinationMember:
    """The invited organisation's admin confirms or declines; the lead's admins get a mail."""
    member = (
        CombinationMember.objects.select_for_update(of=("self",))
        .select_related("combination__tender", "combination__lead", "organisation")
        .get(pk=member.pk)
    )
    combination = member.combination
    if not can_decide_combination_invitation(user, member):
        raise ApplicationError(_("Alleen een beheerder van de uitgenodigde organisatie beslist."))
    _check_forming(combination.tender)
    if not member.is_pending:
        raise ApplicationError(_("Over deze uitnodiging is al beslist."))
    if accept:
        # Serialise with the organisation's other combination actions (create, confirm).
        Organisation.objects.select_for_update().get(pk=member.organisation_id)
        if _engaged_elsewhere(
            tender=combination.tender, organisation=member.organisation, exclude=combination
        ):
            raise ApplicationError(
                _("Uw organisatie neemt al deel aan een andere combinatie voor deze aanbesteding.")
            )
        if member.organisation.submissions.filter(
            tender=combination.tender, is_current=True
        ).exists():
            raise ApplicationError(
                _(
                    "Uw organisatie heeft zelf een inschrijving voor deze aanbesteding. Een "
                    "organisatie schrijft alleen in of in een combinatie, niet allebei."
                )
            )
        member.confirmed_at = timezone.now()
    else:
        member.declined_at = timezone.now()
    member.decided_by = user
    member.save(update_fields=["confirmed_at", "declined_at", "decided_by"])
    audit_record(
        action="combination.confirm" if accept else "combination.decline",
        actor=user,
        obj=member,
        tender=combination.tender,
        details={"combination": combination.pk, "member": member.organisation.kvk},
        client_address=client_address,
    )
    _mail_admins(
        "combination_decision",
        combination.lead_id,
        {
            "combination": combination,
            "member": member.organisation,
            "accepted": accept,
            "url": absolute_url(
                reverse("portal-combination", args=[combination.tender.slug]), base_url
            ),
        },
    )
    return member


@transaction.atomic
def combination_member_remove(
    *, member: CombinationMember, user, client_address: str | None = None
) -> None:
    """The lead removes a member that has not confirmed (pending or declined)."""
    member = (
        CombinationMember.objects.select_for_update(of=("self",))
        .select_related("combination__tender", "organisation")
        .get(pk=member.pk)
    )
    combination = member.combination
    if not can_lead_combination(user, combination):
        raise ApplicationError(_("Alleen de penvoerder kan leden verwijderen."))
    _check_forming(combination.tender)
    if member.is_confirmed:
        raise ApplicationError(
            _("Een lid dat deelname heeft bevestigd, kan niet meer worden verwijderd.")
        )
    audit_record(
        action="combination.remove_member",
        actor=user,
        obj=member,
        tender=combination.tender,
        details={"combination": combination.pk, "member": member.organisation.kvk},
        client_address=client_address,
    )
    member.delete()
