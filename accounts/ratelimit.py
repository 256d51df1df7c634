"""Rate limits on the actions anyone can repeat to flood mailboxes or guess at scale: signing
in, registering, password-reset mails, questions, invitations and newsletter sign-ups.

One counter per action and client address, and one per action and account (a user, or the
e-mail address an anonymous action is about), in Django's cache: Redis in
production (shared by every web process), local memory in the embedded default. A counter
starts with the first attempt and lives ``seconds`` (a fixed window). The limits are in
``settings.RATE_LIMITS``; django-axes' lockout after wrong passwords stays as it is.

Over the limit, ``rate_limit`` raises ``RateLimited`` before the action does anything (no row,
no mail). It is not an ``ApplicationError``, so a form does not swallow it: the HTML side shows
the 429 page (``accounts.middleware.RateLimitMiddleware``), the API a 429 problem
(``config.api.exceptions``).
"""

import hashlib
import math

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext


class RateLimited(Exception):
    """Too many attempts at one action; ``message`` is Dutch, ``retry_after`` in seconds."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def rate_limit(
    action: str, *, address: str | None = None, account: object = None, count: bool = True
) -> None:
    """Count one attempt at ``action`` by ``address`` and by ``account`` (a user, or a string
    such as an e-mail address; None counts nothing for that key). Raises ``RateLimited`` when
    either count passes its limit in ``settings.RATE_LIMITS[action]``
    (``{"ip": n, "account": n, "seconds": s}``; a missing or None limit does not apply).

    With ``count=False`` nothing is counted: it only refuses an attempt that would pass a
    limit, for actions that count their failures only (signing in)."""
    limits = settings.RATE_LIMITS[action]
    seconds = int(limits["seconds"])
    keys = []
    if address and limits.get("ip"):
        keys.append(("ip", str(address), int(limits["ip"])))
    if account is not None and limits.get("account"):
        value = getattr(account, "pk", account)
        keys.append(("account", str(value).strip().lower(), int(limits["account"])))
    over = False
    for kind, value, limit in keys:
        key = _key(f"{action}:{kind}:{value}")
        attempt = _count(key, seconds) if count else (cache.get(key) or 0) + 1
        over = attempt > limit or over
    if over:
        minutes = max(1, math.ceil(seconds / 60))
        raise RateLimited(
            ngettext(
                "Te veel pogingen in korte tijd. Probeer het over %(minutes)d minuut opnieuw.",
                "Te veel pogingen in korte tijd. Probeer het over %(minutes)d minuten opnieuw.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=seconds,
        )


def _key(name: str) -> str:
    # Hashed: no client or e-mail address in the cache's keys.
    return "ratelimit:" + hashlib.sha256(name.encode()).hexdigest()


def _count(key: str, seconds: int) -> int:
    """The attempts counted under ``key`` in the current window, this one included."""
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=seconds)
        return 1
