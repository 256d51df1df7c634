"""Request guards of the accounts app: the interface language, session expiry, the second
factor, and the page for a rate limit. Order in ``MIDDLEWARE``: after AuthenticationMiddleware,
django-otp's OTPMiddleware and MessageMiddleware (the guards read ``request.user.is_verified``
and add messages)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext
from django_otp import user_has_device

from .permissions import needs_two_factor_step
from .ratelimit import RateLimited


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the user chose another language with the language switch.

    Django would follow the browser's Accept-Language header; a Dutch municipal product shows
    Dutch to everyone by default, and English only to whoever picks it (the choice is kept in the
    language cookie).
    """

    def process_request(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


# Session keys (epoch seconds) written at sign-in (``accounts.signals``) and by the middleware.
SESSION_LOGIN_AT = "accounts_login_at"
SESSION_ACTIVE_AT = "accounts_active_at"
# Activity is written to the session at most once a minute, not on every request.
ACTIVITY_RESOLUTION = 60


def session_mark_login(session) -> None:
    now = int(time.time())
    session[SESSION_LOGIN_AT] = now
    session[SESSION_ACTIVE_AT] = now


class SessionExpiryMiddleware:
    """Sign out after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and
    ``SESSION_COOKIE_AGE`` seconds after sign-in whatever the activity, with a Dutch message
    on the next page.

    Django's own session expiry moves with every session save, so on its own it is neither an
    idle timeout nor a maximum. The last activity is stored with a resolution of
    ``ACTIVITY_RESOLUTION`` seconds (to spare a database write per request); the idle check
    allows for that, so nobody is signed out before the full idle time has passed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session, now = request.session, int(time.time())
        login_at, active_at = session.get(SESSION_LOGIN_AT), session.get(SESSION_ACTIVE_AT)
        if login_at is None or active_at is None:  # a session from before this guard
            session_mark_login(session)
        elif now - active_at >= settings.SESSION_IDLE_TIMEOUT + ACTIVITY_RESOLUTION:
            logout(request)
            minutes = settings.SESSION_IDLE_TIMEOUT // 60
            messages.info(
                request,
                ngettext(
                    "U bent uitgelogd omdat u %(minutes)s minuut niet actief was.",
                    "U bent uitgelogd omdat u %(minutes)s minuten niet actief was.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        elif now - login_at >= settings.SESSION_COOKIE_AGE:
            logout(request)
            hours = settings.SESSION_COOKIE_AGE // 3600
            messages.info(
                request,
                ngettext(
                    "U bent uitgelogd omdat u langer dan %(hours)s uur was ingelogd. "
                    "Log opnieuw in.",
                    "U bent uitgelogd omdat u langer dan %(hours)s uur was ingelogd. "
                    "Log opnieuw in.",
                    hours,
                )
                % {"hours": hours},
            )
        elif now - active_at >= ACTIVITY_RESOLUTION:
            session[SESSION_ACTIVE_AT] = now


class TwoFactorRequiredMiddleware:
    """Municipal users (``accounts.permissions.requires_two_factor``) pass the TOTP step
    before any page: without a confirmed device they go to the setup page, otherwise to the
    verify page, and come back to where they were going.

    Exempt: signing in and out, the 2FA pages, the language switch, ``/healthz``, static files,
    the admin sign-in and ``/api/`` (where ``IsVerifiedWhenStaff`` answers 403 JSON instead of a
    redirect).
    """

    API_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_paths: frozenset[str] | None = None

    def __call__(self, request):
        session = getattr(request, "session", None)
        if needs_two_factor_step(request.user, session) and not self._is_exempt(request.path_info):
            return self._redirect(request)
        return self.get_response(request)

    def _is_exempt(self, path: str) -> bool:
        if path.startswith((self.API_PREFIX, settings.STATIC_URL)):
            return True
        if self._exempt_paths is None:  # the URLconf is not loaded yet in __init__
            names = (
                "login",
                "logout",
                "two_factor_verify",
                "two_factor_setup",
                "set_language",
                "healthz",
            )
            self._exempt_paths = frozenset(
                [reverse(name) for name in names]
                + [reverse("admin:login"), reverse("admin:logout")]
            )
        return path in self._exempt_paths

    def _redirect(self, request):
        target = "two_factor_verify" if user_has_device(request.user) else "two_factor_setup"
        url = reverse(target)
        if request.method in ("GET", "HEAD"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):  # htmx: navigate the whole page, not a fragment
            return HttpResponse(headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)


class RateLimitMiddleware:
    """Turns a ``RateLimited`` refusal of an HTML page into the 429 page with its Dutch
    message (the API answers a 429 problem itself: ``config.api.exceptions``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RateLimited):
            return None
        response = render(
            request,
            "429.html",
            {"message": exception.message, "back_url": request.get_full_path()},
            status=429,
        )
        response["Retry-After"] = str(exception.retry_after)
        return response
