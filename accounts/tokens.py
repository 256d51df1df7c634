"""Making, using and revoking API tokens (``accounts.models.ApiToken``).

A key is 40 random hex characters, shown once; the database keeps its SHA-256 and its first
eight characters (to recognise it in a list). ``ApiTokenAuthentication`` is the DRF side:
``Authorization: Token <key>``; an unknown, revoked or expired key is a 401 problem.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from audit.services import audit_record

from .models import ApiToken

PREFIX_LENGTH = 8
# "Last used" is written at most this often per token: not a database write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; nobody else's."""
    return ApiToken.objects.filter(user_id=user.pk)


@transaction.atomic
def api_token_create(*, user, name: str, client_address: str | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid ``API_TOKEN_LIFETIME_DAYS`` days. Returns the token and
    its key: the only time the key exists outside the client. ``name`` is checked by the
    caller's form (required, at most 100 characters); ``full_clean`` backs it up."""
    name = (name or "").strip()
    key = secrets.token_hex(20)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=key_hash(key),
        created_at=now,
        expires_at=now + api_token_lifetime(),
    )
    token.full_clean()
    token.save()
    audit_record(
        action="api_token.create",
        actor=user,
        obj=token,
        details={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
        client_address=client_address,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user, client_address: str | None = None) -> ApiToken:
    """The owner revokes one of their tokens; revoking a revoked token changes nothing.
    Callers look the token up in ``api_tokens_of(user)`` (another user's token is a 404);
    ``PermissionDenied`` here is the second line."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        action="api_token.revoke",
        actor=user,
        obj=token,
        details={"prefix": token.prefix},
        client_address=client_address,
    )
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user, reason: str) -> int:
    """Revoke every token of ``user`` that is not revoked yet (a password change or reset:
    whoever had the old password may have made one). Returns how many."""
    now = timezone.now()
    count = api_tokens_of(user).filter(revoked_at__isnull=True).update(revoked_at=now)
    if count:
        audit_record(
            action="api_token.revoke_all",
            actor=user,
            obj=user,
            details={"reason": reason, "count": count},
        )
    return count


class TokenRejected(exceptions.APIException):
    """An unknown, revoked or expired key: 401 with ``WWW-Authenticate: Token``.

    Not an ``AuthenticationFailed``: DRF turns those into a 403 when the first authentication
    class (the session) has no challenge of its own; a request without a token still gets
    the 403 it always got."""

    status_code = 401
    default_detail = gettext_lazy("Het token is ongeldig, ingetrokken of verlopen.")
    default_code = "authentication_failed"
    auth_header = "Token"


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against ``ApiToken`` (hashed, expiring, revocable)."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed as exc:  # malformed header
            raise TokenRejected(exc.detail) from None

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = (
            ApiToken.objects.usable(now)
            .select_related("user")
            .filter(key_hash=key_hash(key), user__is_active=True)
            .first()
        )
        if token is None:
            raise TokenRejected
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        return token.user, token
