"""The sign-in and password-reset pages (Django's, with a rate limit), the TOTP pages (setup
and verify) and the lockout page of django-axes."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from audit.services import client_address_of

from .forms import TOTPCodeForm
from .permissions import is_provider, is_two_factor_verified, needs_two_factor_step
from .ratelimit import rate_limit
from .services import (
    TwoFactorError,
    totp_device_confirm,
    totp_device_confirmed,
    totp_device_for_setup,
    totp_qr_svg,
    totp_secret,
    totp_verify,
)


def _next_url(request) -> str:
    """Where to go after the TOTP step: the ``next`` the middleware passed, if it is ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _redirect_keeping_next(url_name: str, request) -> HttpResponseRedirect:
    url = reverse(url_name)
    next_url = request.POST.get("next") or request.GET.get("next")
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return HttpResponseRedirect(url)


class LoginView(auth_views.LoginView):
    """Django's sign-in with a limit per client address on the failed attempts (any
    username), so one address cannot try passwords at scale; successful sign-ins do not
    count (many colleagues behind one address). django-axes locks a username + address out
    after AXES_FAILURE_LIMIT wrong passwords."""

    def post(self, request, *args, **kwargs):
        rate_limit("login", address=client_address_of(request), count=False)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        rate_limit("login", address=client_address_of(self.request))
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset with a limit per client address and per e-mail address on the
    requests, so nobody floods a mailbox with reset mails."""

    def form_valid(self, form):
        rate_limit(
            "password-reset",
            address=client_address_of(self.request),
            account=form.cleaned_data["email"],
        )
        return super().form_valid(form)


@method_decorator(login_required, name="dispatch")
class TwoFactorVerifyView(View):
    """Second step of signing in: the current code of the user's authenticator app."""

    template_name = "accounts/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if not needs_two_factor_step(request.user, request.session):
            return redirect(_next_url(request))
        if totp_device_confirmed(user=request.user) is None:
            return _redirect_keeping_next("two_factor_setup", request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, TOTPCodeForm(autofocus=True))

    def post(self, request):
        form = TOTPCodeForm(request.POST, autofocus=True)
        if form.is_valid():
            try:
                totp_verify(request=request, token=form.cleaned_data["token"])
            except TwoFactorError as error:
                form.add_error("token", error.message)
            else:
                return redirect(_next_url(request))
        return self._render(request, form)

    def _render(self, request, form):
        context = {"form": form, "next": _next_url(request)}
        return render(request, self.template_name, context)


@method_decorator(login_required, name="dispatch")
class TwoFactorSetupView(View):
    """First sign-in of a municipal user: link an authenticator app (QR code or secret) and
    confirm it with a first code."""

    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        voluntary = is_provider(request.user) and not is_two_factor_verified(request.user)
        if not needs_two_factor_step(request.user, request.session) and not voluntary:
            return redirect(_next_url(request))
        if totp_device_confirmed(user=request.user) is not None:
            return _redirect_keeping_next("two_factor_verify", request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, TOTPCodeForm())

    def post(self, request):
        form = TOTPCodeForm(request.POST)
        if form.is_valid():
            try:
                totp_device_confirm(request=request, token=form.cleaned_data["token"])
            except TwoFactorError as error:
                form.add_error("token", error.message)
            else:
                messages.success(request, _("Tweestapsverificatie is ingesteld."))
                return redirect(_next_url(request))
        return self._render(request, form)

    def _render(self, request, form):
        device = totp_device_for_setup(user=request.user)
        context = {
            "form": form,
            "next": _next_url(request),
            "qr_svg": totp_qr_svg(device, label=_("QR-code om uw authenticator-app te koppelen")),
            "secret": totp_secret(device),
        }
        return render(request, self.template_name, context)


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer once a username and address have too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/lockout.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
