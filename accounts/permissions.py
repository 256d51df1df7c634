"""Who may see what: one place for the predicates the views, the API and querysets use."""

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from .roles import (
    AANBIEDER,
    AUDITOR,
    BEOORDELAAR,
    CONTRACTMANAGER,
    INKOPER,
    STAFF_ROLES,
    TWO_FACTOR_ROLES,
    VOORZITTER,
)

# Tender states from the (four-eyes) opening on: sealed content becomes readable.
OPENED_STATES = frozenset({"opened", "selection", "award", "standstill", "awarded", "contracted"})


def role_names(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def is_staff_member(user) -> bool:
    """Municipal procurement staff (inkoper, voorzitter, contractmanager, auditor)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(role_names(user) & set(STAFF_ROLES))


def is_evaluator(user) -> bool:
    return BEOORDELAAR in role_names(user)


def requires_two_factor(user) -> bool:
    """Every municipal role, superusers and Django-admin staff sign in with a TOTP code as
    well as their password; care providers (and users without a role) do not."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or bool(role_names(user) & set(TWO_FACTOR_ROLES))


def is_two_factor_verified(user) -> bool:
    """The session passed the TOTP step. ``is_verified`` is installed by django-otp's
    OTPMiddleware; a user that did not come through it (API token) is never verified."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def needs_two_factor_step(user) -> bool:
    """Signed in with a password, but the TOTP step is still missing."""
    return requires_two_factor(user) and not is_two_factor_verified(user)


class IsVerifiedWhenStaff(BasePermission):
    """The API side of the two-factor rule: a session of a municipal user that has not passed
    the TOTP step gets 403 (the HTML middleware lets /api/ through so clients get JSON, not a
    redirect to the 2FA page).

    Token-authenticated requests pass: API tokens are only created by an administrator (Django
    admin) for integrations, never by the users themselves.
    """

    message = _("Tweestapsverificatie is vereist: log in op de website en voer uw code in.")

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.successful_authenticator, SessionAuthentication):
            return True
        return not needs_two_factor_step(request.user)


def can_view_tender(user, tender) -> bool:
    return is_staff_member(user)


def can_view_ranking(user, tender) -> bool:
    """Rankings show every bidder's points: staff only, never evaluators or providers."""
    return is_staff_member(user)


def can_run_ranking(user, tender) -> bool:
    """The chair and procurement staff start ranking computations."""
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER})


def can_finalise_ranking(user, tender) -> bool:
    """Only the chair (procurement specialist) finalises a ranking."""
    return user.is_superuser or VOORZITTER in role_names(user)


# -- tender set-up ------------------------------------------------------------------------
#
# Rule: the set-up of a tender (its data, lots, segments, subsegments, requirements and
# criteria) is changed by procurement staff (inkoper, or a superuser) only while the tender is
# in "draft" or "published" and no submission exists. From "submissions_open" on the set-up is
# frozen, because bidders prepare their bids against it; the deadline then moves only through
# the lifecycle. A tender that already holds submissions (one loaded from a scenario file) is
# frozen in every state: its bids refer to the set-up as it is; replace it by an import instead.

SETUP_STATES = frozenset({"draft", "published"})


def can_create_tender(user) -> bool:
    """Create tenders and import scenario files: procurement staff (inkoper) only."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or INKOPER in role_names(user)


def setup_refusal(user, tender) -> str | None:
    """Why ``user`` may not change the set-up of ``tender`` (Dutch), or None when allowed."""
    if not can_create_tender(user):
        return str(_("Alleen een inkoper mag de opzet van een aanbesteding wijzigen."))
    if tender.state not in SETUP_STATES:
        return str(
            _("De opzet ligt vast sinds de inschrijving is opengesteld (status '%(state)s').")
            % {"state": tender.get_state_display()}
        )
    if tender.submissions.exists():
        return str(
            _(
                "Er zijn al inschrijvingen voor deze aanbesteding; de opzet ligt vast. "
                "Vervang de aanbesteding zo nodig via een scenario-import."
            )
        )
    return None


def can_edit_tender(user, tender) -> bool:
    """The set-up rule above; ``setup_refusal`` says why not."""
    return setup_refusal(user, tender) is None


def can_open_setup(user, tender) -> bool:
    """Whether to offer the set-up screens (the link on the tender page): an inkoper, while the
    tender is in a set-up state. Costs no query; the screens themselves apply the whole rule
    and explain a freeze by submissions (``setup_refusal``)."""
    return can_create_tender(user) and tender.state in SETUP_STATES


def can_replace_tender(user, tender) -> bool:
    """A scenario import may replace (delete and recreate) a tender only while it is a draft."""
    return can_create_tender(user) and tender.state == "draft"


def can_export_tender(user, tender) -> bool:
    """Exporting a tender as a scenario file: procurement staff (inkoper) only, any state."""
    return can_create_tender(user)


# -- Communication with the market (public site, sessions, questions) ------------------------


def is_provider(user) -> bool:
    """A care provider's user (group 'aanbieder')."""
    return AANBIEDER in role_names(user)


def _provider_organisation_id(user):
    """The organisation a provider user acts for (its membership), or None. Read through the
    reverse relation so this module needs no import of the providers app."""
    membership = getattr(user, "organisation_membership", None) if is_provider(user) else None
    return membership.organisation_id if membership is not None else None


def can_act_for_organisation(user, organisation_id) -> bool:
    """The user is a member of this organisation (registrations, questions of its own)."""
    return organisation_id is not None and _provider_organisation_id(user) == organisation_id


# -- evaluation: assignments, scoring, consensus, requirement review -----------------------
#
# Who may do what; *when* (tender state, blind scoring, a final ranking) is decided by the
# evaluation app (``evaluation.scoring_selectors``). These predicates follow relations of the
# objects they get, so this module imports no model of a later app.

EVALUATING_ROLES = frozenset({BEOORDELAAR, VOORZITTER})


def can_assign(user, tender) -> bool:
    """The chair (procurement specialist) assigns evaluators, sees their load, reviews
    requirement answers and sets the consensus."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or VOORZITTER in role_names(user)


def can_set_consensus(user, tender) -> bool:
    return can_assign(user, tender)


def can_be_assigned(user) -> bool:
    """Evaluators and chairs (an active account) can be assigned dossiers to score."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(role_names(user) & EVALUATING_ROLES)


def is_assigned_to(user, dossier) -> bool:
    """Assigned to ``dossier``, whatever the conflict declaration says (the dossier then shows
    the declaration first)."""
    return can_be_assigned(user) and dossier.assignments.filter(evaluator__user=user).exists()


def can_score(user, dossier) -> bool:
    """An assigned evaluator who declared no conflict of interest with the dossier's bidder.
    ``dossier.submission`` is read, so select it along."""
    if not can_be_assigned(user):
        return False
    return dossier.assignments.filter(
        evaluator__user=user,
        evaluator__conflict_declarations__organisation_id=dossier.submission.bidder_id,
        evaluator__conflict_declarations__has_conflict=False,
    ).exists()


def can_view_scores_of(user, dossier) -> bool:
    """Whether ``user`` may see individual scores of ``dossier`` at all: the chair and the
    evaluators who may score it. The blind rule (not before one's own set is submitted, for
    the chair not before every set is) is ``evaluation.scoring_selectors.visible_scores``."""
    return can_assign(user, dossier.submission.tender) or can_score(user, dossier)


def can_review_answer(user, answer) -> bool:
    """The chair, or an evaluator who may score a dossier of the answer's submission (for a
    segment requirement: the dossier of that segment)."""
    submission = answer.submission
    if can_assign(user, submission.tender):
        return True
    if not can_be_assigned(user):
        return False
    dossiers = submission.dossiers.filter(
        assignments__evaluator__user=user,
        assignments__evaluator__conflict_declarations__organisation_id=submission.bidder_id,
        assignments__evaluator__conflict_declarations__has_conflict=False,
    )
    if answer.requirement.segment_id is not None:
        dossiers = dossiers.filter(segment_id=answer.requirement.segment_id)
    return dossiers.exists()


def can_reopen_ranking(user, tender) -> bool:
    """Reopening a final ranking undoes the chair's decision: only the chair may do it."""
    return user.is_superuser or VOORZITTER in role_names(user)


def can_export_scores(user, tender) -> bool:
    """The scores workbook and the ranking CSV for the procurement file show every evaluator's
    levels: procurement staff, the chair and the auditor, not the contract manager."""
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER, AUDITOR})


# -- regions --------------------------------------------------------------------------------


def can_manage_regions(user) -> bool:
    """Create and change regions and their municipalities: procurement staff (inkoper) only,
    like creating tenders. Whether a municipality may leave a region (no lot uses it) is the
    service's rule."""
    return can_create_tender(user)


# -- provider portal: organisations, combinations, UEA ----------------------------------------
#
# A provider user belongs to one organisation (its membership). Every member of the
# organisation reads the organisation's portal data; its admins (``is_admin``) change the
# organisation's details, invite and revoke colleagues, confirm or decline a combination
# invitation, and sign the UEA. Creating and steering a combination is done by the lead's
# admins. Staff read a signed UEA only once the tender is opened (sealed until then).


def _provider_membership(user):
    return getattr(user, "organisation_membership", None) if is_provider(user) else None


def is_organisation_admin(user, organisation_id) -> bool:
    """The user is an admin of this organisation."""
    membership = _provider_membership(user)
    return (
        membership is not None
        and organisation_id is not None
        and membership.organisation_id == organisation_id
        and membership.is_admin
    )


def can_manage_organisation(user, organisation_id) -> bool:
    """Edit the organisation's details and invite or revoke colleagues: its admins."""
    return is_organisation_admin(user, organisation_id)


def can_lead_combination(user, combination) -> bool:
    """Name, invite and remove members of a combination: the lead's admins."""
    return is_organisation_admin(user, combination.lead_id)


def can_decide_combination_invitation(user, member) -> bool:
    """Confirm or decline an invitation into a combination: the invited organisation's
    admins."""
    return is_organisation_admin(user, member.organisation_id)


def can_edit_uea(user, organisation_id) -> bool:
    """Fill in the draft UEA of one's own organisation: every member of it."""
    return can_act_for_organisation(user, organisation_id)


def can_sign_uea(user, organisation_id) -> bool:
    """Sign (and so lock) the UEA: an admin of the organisation."""
    return is_organisation_admin(user, organisation_id)


def can_view_uea_as_staff(user, tender) -> bool:
    """Staff read UEAs once the tender is opened, like the submissions they belong to."""
    return is_staff_member(user) and tender.state in OPENED_STATES


# -- Submissions in the provider portal and their documents ---------------------------------
#
# A provider user works on its own organisation's submissions only (anything else is a 404 in
# the views). Submission content, and above all the files, is readable by municipal users only
# once the tender is opened (four-eyes opening) and only for the sealed, current version:
# procurement staff (inkoper), the chair and the evaluators assigned to a dossier of the
# submission without a conflict (for a segment document: the dossier of that segment).


def can_edit_submission(user, submission) -> bool:
    """A member of the bidding organisation (the lead of a combination)."""
    return can_act_for_organisation(user, submission.bidder_id)


def can_read_submission_document(user, document) -> bool:
    """Whether ``user`` may read (decrypt) ``document``: see the rule above. ``document``'s
    submission and its tender are read, so select them along."""
    submission = document.submission
    if submission.tender.state not in OPENED_STATES:
        return False
    if submission.state != "sealed" or not submission.is_current:
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER}):
        return True
    dossiers = submission.dossiers.select_related("submission")
    if document.segment_id is not None:
        dossiers = dossiers.filter(segment_id=document.segment_id)
    return any(can_score(user, dossier) for dossier in dossiers)


# -- contracts and payment schedules -----------------------------------------------------------
#
# Municipal staff read contracts, schedules and the finance export; the contract manager and
# procurement staff (inkoper) create contracts, record extension decisions and store payment
# schedules. A provider sees only the contracts its organisation holds, as contractor or as a
# member of the contracting combination (``contracts.selectors.contracts_visible_to``).

CONTRACT_WRITE_ROLES = frozenset({INKOPER, CONTRACTMANAGER})


def can_view_contracts(user, tender) -> bool:
    return is_staff_member(user)


def can_manage_contracts(user, tender) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(role_names(user) & CONTRACT_WRITE_ROLES)


# -- contract performance: settlement, KPIs, OCDS ------------------------------------------
#
# Rule: municipal staff read everything of a tender's contracts (reports, settlements, KPI
# dashboards, the OCDS export); the contract manager and procurement staff (inkoper) define
# KPIs, compute and approve settlements. A care provider sees and reports only on the contracts
# of its own organisation; anything else answers 404.


def can_view_contract_performance(user, tender) -> bool:
    return is_staff_member(user)


def can_manage_contract_performance(user, tender) -> bool:
    return user.is_superuser or bool(role_names(user) & {INKOPER, CONTRACTMANAGER})


def can_report_on_contract(user, contract) -> bool:
    """A provider user of the contracted organisation (the lead of a combination)."""
    organisation_id = _provider_organisation_id(user)
    return organisation_id is not None and contract.provider_id == organisation_id


# -- award decision: letters, standstill, objections, final award --------------------------
#
# The award page (every bidder's points and letters) is for municipal staff; procurement
# staff and the chair make and send letters, register and resolve objections and make the
# award final. A provider reads only the sent letters addressed to its own organisation.


def can_view_award(user, tender) -> bool:
    return is_staff_member(user)


def can_manage_award(user, tender) -> bool:
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER})


def can_read_letter(user, letter) -> bool:
    """Staff read every letter; a provider its own organisation's letters once sent."""
    if is_staff_member(user):
        return True
    return letter.sent_at is not None and can_act_for_organisation(user, letter.bidder_id)
