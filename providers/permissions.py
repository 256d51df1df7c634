"""Who may act for an organisation, on combinations, UEAs and submissions, and read sealed
documents (the views, the API and the services ask here). Roles and the policy helpers are
``accounts.permissions``; the states are named in ``tender.constants``.

A provider user belongs to one organisation (its membership). Every member of the organisation
reads the organisation's portal data; its admins (``is_admin``) change the organisation's
details, invite and revoke colleagues, confirm or decline a combination invitation, and sign
the UEA. Creating and steering a combination is done by the lead's admins. Staff read a signed
UEA only once the tender is opened (sealed until then).
"""

from accounts.permissions import is_staff_member, provider_membership, role_names
from accounts.roles import INKOPER, VOORZITTER
from tender.constants import OPENED_STATES

from .constants import SubmissionState
from .models import CombinationMember, Dossier


def can_act_for_organisation(user, organisation_id) -> bool:
    """The user is a member of this organisation (registrations, questions of its own)."""
    membership = provider_membership(user)
    return (
        organisation_id is not None
        and membership is not None
        and membership.organisation_id == organisation_id
    )


def is_organisation_admin(user, organisation_id) -> bool:
    """The user is an admin of this organisation."""
    membership = provider_membership(user)
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


def is_confirmed_member(user, combination_id) -> bool:
    """The user's organisation confirmed its membership of this combination (not the lead,
    not an invited or declined member)."""
    membership = provider_membership(user)
    return (
        combination_id is not None
        and membership is not None
        and CombinationMember.objects.filter(
            combination_id=combination_id,
            organisation_id=membership.organisation_id,
            confirmed_at__isnull=False,
        ).exists()
    )


def can_view_combination_submission(user, submission) -> bool:
    """A confirmed member of the combination reads (never changes) the combination's sealed,
    current submission in its own portal; drafts and older versions stay the lead's."""
    return (
        submission.combination_id is not None
        and submission.state == SubmissionState.SEALED
        and submission.is_current
        and is_confirmed_member(user, submission.combination_id)
    )


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
    if not submission.tender.round_readable(submission.round) or (
        submission.tender.state not in OPENED_STATES
    ):
        return False
    if submission.state != SubmissionState.SEALED or not submission.is_current:
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER}):
        return True
    dossiers = Dossier.objects.scorable_by(user).filter(submission=submission)
    if document.segment_id is not None:
        dossiers = dossiers.filter(segment_id=document.segment_id)
    return dossiers.exists()
