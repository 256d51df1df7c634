"""Roles, the second factor and the policy helpers every app's permissions build on.

The predicates about a domain live in the app they concern: ``tender.permissions`` (tenders,
set-up, regions), ``providers.permissions`` (organisations, combinations, UEAs, submissions),
``evaluation.permissions`` (assignments, scoring, review, rankings) and
``contracts.permissions`` (contracts, performance, award decision).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from .roles import (
    AANBIEDER,
    AUDITOR,
    BEOORDELAAR,
    STAFF_ROLES,
    TWO_FACTOR_ROLES,
    VOORZITTER,
)


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


def is_auditor(user) -> bool:
    """The auditor (read-only staff role; reads the audit log, re-runs final rankings)."""
    return AUDITOR in role_names(user)


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


# Session key set at sign-in for a provider user who signs in with a second factor (issue 18.8).
PROVIDER_TWO_FACTOR_KEY = "provider_two_factor"


def provider_two_factor_at_login(user) -> bool:
    """A care provider's user passes the TOTP step when it enrolled an authenticator app
    (optional) or its organisation made the second factor required (``two_factor_required``,
    set by an organisation admin; enrolment then starts at the next sign-in). Decided at
    sign-in and kept in the session (``PROVIDER_TWO_FACTOR_KEY``), so a page costs no query."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    membership = provider_membership(user)
    if membership is None:
        return False
    if membership.organisation.two_factor_required:
        return True
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def needs_two_factor_step(user, session=None) -> bool:
    """Signed in with a password, but the TOTP step is still missing (municipal users always;
    a provider user when its session says so)."""
    if is_two_factor_verified(user):
        return False
    if requires_two_factor(user):
        return True
    return bool(session is not None and session.get(PROVIDER_TWO_FACTOR_KEY))


class IsVerifiedWhenStaff(BasePermission):
    """The API side of the two-factor rule: a session of a municipal user that has not passed
    the TOTP step gets 403 (the HTML middleware lets /api/ through so clients get JSON, not a
    redirect to the 2FA page).

    Token-authenticated requests pass: a municipal user's token is made by an administrator
    (``manage.py api_token_create``) for an integration; users make their own tokens only
    when they sign in without a second factor (``can_make_own_api_tokens``).
    """

    message = _("Tweestapsverificatie is vereist: log in op de website en voer uw code in.")

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.successful_authenticator, SessionAuthentication):
            return True
        return not needs_two_factor_step(request.user, getattr(request, "session", None))


def can_make_own_api_tokens(user) -> bool:
    """Users make and revoke their own API tokens unless they sign in with a second factor: a
    token passes no TOTP step, so it would be a way around it."""
    if not getattr(user, "is_authenticated", False) or requires_two_factor(user):
        return False
    return not provider_two_factor_at_login(user)


# -- providers and evaluators (roles and memberships, no model of a later app) ---------------


def is_provider(user) -> bool:
    """A care provider's user (group 'aanbieder')."""
    return AANBIEDER in role_names(user)


def provider_membership(user):
    """The organisation membership a provider user acts through, or None. Read through the
    reverse relation so this module needs no import of the providers app."""
    return getattr(user, "organisation_membership", None) if is_provider(user) else None


EVALUATING_ROLES = frozenset({BEOORDELAAR, VOORZITTER})


def can_be_assigned(user) -> bool:
    """Evaluators and chairs (an active account) can be assigned dossiers to score."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(role_names(user) & EVALUATING_ROLES)
