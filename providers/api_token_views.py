"""The provider's own API tokens in the portal (``/portaal/api-tokens/``): list, make (the
key is shown once, on the answer to the POST) and revoke. A user sees and revokes only their
own tokens; another user's token is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.permissions import can_make_own_api_tokens
from accounts.tokens import api_token_create, api_token_lifetime, api_token_revoke, api_tokens_of
from audit.services import client_address_of

from .portal_forms import ApiTokenForm
from .portal_views import PortalMixin


@method_decorator(never_cache, name="dispatch")
class ApiTokensView(PortalMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_make_own_api_tokens(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def page(self, request, form=None, new_key=None, status=200):
        now = timezone.now()
        return render(
            request,
            "portal/api_tokens.html",
            {
                "tokens": [(t, t.state(now)) for t in api_tokens_of(request.user)],
                "form": form or ApiTokenForm(),
                "new_key": new_key,
                "lifetime_days": api_token_lifetime().days,
            },
            status=status,
        )

    def get(self, request):
        return self.page(request)

    def post(self, request):
        action = request.POST.get("action")
        if action == "create":
            form = ApiTokenForm(request.POST)
            if not form.is_valid():
                return self.page(request, form=form, status=400)
            _token, key = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                client_address=client_address_of(request),
            )
            # Rendered, not redirected: the key exists only in this answer (never cached).
            return self.page(request, new_key=key)
        if action == "revoke":
            pk = request.POST.get("token", "")
            if not pk.isdigit():
                raise Http404
            token = get_object_or_404(api_tokens_of(request.user), pk=pk)
            api_token_revoke(
                token=token, user=request.user, client_address=client_address_of(request)
            )
            messages.success(
                request, _("Het token '%(name)s' is ingetrokken.") % {"name": token.name}
            )
            return redirect("portal-api-tokens")
        raise Http404
