"""Provider portal screens for organisations, colleagues, combinations, the UEA and the
portal tender page. Thin views: forms parse, services decide, selectors read (scoped to the
user's organisation; another organisation's objects are a 404)."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.confirmation import Confirmation, confirmation_page, confirmed
from audit.services import audit_record, client_address_of
from tender.constants import OPENED_STATES
from tender.errors import attempt, service_action
from tender.files import PDF, document_response
from tender.mixins import tender_or_404

from .models import UEADeclaration
from .permissions import (
    can_lead_combination,
    can_manage_organisation,
    can_sign_uea,
    can_view_uea_as_staff,
    is_organisation_admin,
)
from .portal_forms import (
    AcceptInvitationForm,
    CombinationForm,
    CombinationInviteForm,
    InviteColleagueForm,
    OrganisationForm,
    RegistrationForm,
    UEAForm,
)
from .portal_sections import tender_action, tender_sections
from .portal_selectors import (
    combination_invitations,
    combination_is_complete,
    combination_members_visible_to,
    combination_of,
    invitations_of,
    members_of,
    uea_of,
)
from .portal_views import PortalMixin
from .selectors import portal_tenders
from .services.combinations import (
    combination_create,
    combination_invite,
    combination_member_decide,
    combination_member_remove,
    forming_refusal,
)
from .services.organisations import (
    DETAIL_FIELDS,
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_refusal,
    invitation_revoke,
    invitation_validity,
    organisation_register,
    organisation_update,
)
from .services.uea import uea_pdf, uea_problems, uea_save, uea_sign
from .submission_selectors import INVITED_STATES, offer_invitations_of
from .uea import CLOSING_DECLARATION

# Registration and invitations log the new user in directly: providers sign in with a password
# only (no second factor, accounts.permissions.requires_two_factor), and django-axes counts
# failed password checks, which these forms do not make.
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


class OrganisationRequiredMixin(PortalMixin):
    """A provider user linked to an organisation; anyone else gets a 404."""

    def setup_organisation(self):
        if self.organisation is None:
            raise Http404


# -- registration and invitations ----------------------------------------------------------


class RegisterView(View):
    """Public sign-up: an organisation and its first user (its admin)."""

    def get(self, request, form=None, status=200):
        if request.user.is_authenticated and form is None:
            return redirect("portal-home")
        return render(
            request, "portal/register.html", {"form": form or RegistrationForm()}, status=status
        )

    def post(self, request):
        if request.user.is_authenticated:  # one account per person: sign out first
            return redirect("portal-home")
        form = RegistrationForm(request.POST)
        result = form.is_valid() and attempt(
            form,
            lambda: organisation_register(
                kvk=form.cleaned_data["kvk"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                client_address=client_address_of(request),
                base_url=_base_url(request),
                **form.details(),
            ),
        )
        if not result:
            return self.get(request, form=form, status=400)
        user, organisation = result
        login(request, user, backend=LOGIN_BACKEND)
        messages.success(
            request,
            _("Welkom! %(name)s is geregistreerd en u bent de beheerder.")
            % {"name": organisation.name},
        )
        return redirect("portal-organisation")


class InvitationAcceptView(View):
    """A colleague opens the link in the invitation mail and creates an account."""

    def page(self, request, token, form=None, status=200):
        invitation = invitation_by_token(token)
        refusal = invitation_refusal(invitation)
        context = {
            "invitation": invitation if not refusal else None,
            "refusal": refusal,
            "form": None if refusal else (form or AcceptInvitationForm()),
        }
        return render(
            request,
            "portal/invitation_accept.html",
            context,
            status=status if not refusal else 410 if invitation else 404,
        )

    def get(self, request, token):
        return self.page(request, token)

    def post(self, request, token):
        form = AcceptInvitationForm(request.POST)
        user = form.is_valid() and attempt(
            form,
            lambda: invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                client_address=client_address_of(request),
            ),
        )
        if not user:
            return self.page(request, token, form=form, status=400)
        login(request, user, backend=LOGIN_BACKEND)
        messages.success(request, _("Uw account is aangemaakt."))
        return redirect("portal-home")


# -- the organisation page -----------------------------------------------------------------


class OrganisationView(OrganisationRequiredMixin, View):
    def page(self, request, form=None, invite_form=None, status=200):
        organisation = self.organisation
        is_admin = can_manage_organisation(request.user, organisation.pk)
        if form is None and is_admin:
            form = OrganisationForm(initial={f: getattr(organisation, f) for f in DETAIL_FIELDS})
        now = timezone.now()
        invitations = [(i, i.state(now)) for i in invitations_of(organisation)] if is_admin else []
        return render(
            request,
            "portal/organisation.html",
            {
                "organisation": organisation,
                "is_admin": is_admin,
                "form": form,
                "invite_form": invite_form or (InviteColleagueForm() if is_admin else None),
                "members": members_of(organisation),
                "invitations": invitations,
                "validity_days": invitation_validity().days,
            },
            status=status,
        )

    def get(self, request):
        self.setup_organisation()
        return self.page(request)

    def post(self, request):
        self.setup_organisation()
        if not can_manage_organisation(request.user, self.organisation.pk):
            raise Http404
        action = request.POST.get("action")
        address = client_address_of(request)
        if action == "update":
            form = OrganisationForm(request.POST)
            if form.is_valid() and attempt(
                form,
                lambda: organisation_update(
                    organisation=self.organisation,
                    user=request.user,
                    client_address=address,
                    **form.cleaned_data,
                ),
            ):
                messages.success(request, _("De gegevens zijn opgeslagen."))
                return redirect("portal-organisation")
            return self.page(request, form=form, status=400)
        if action == "invite":
            form = InviteColleagueForm(request.POST)
            if form.is_valid() and attempt(
                form,
                lambda: invitation_create(
                    organisation=self.organisation,
                    user=request.user,
                    email=form.cleaned_data["email"],
                    base_url=_base_url(request),
                    client_address=address,
                ),
            ):
                messages.success(
                    request,
                    _("De uitnodiging is verstuurd naar %(email)s.")
                    % {"email": form.cleaned_data["email"]},
                )
                return redirect("portal-organisation")
            return self.page(request, invite_form=form, status=400)
        if action == "revoke":
            invitation = get_object_or_404(
                invitations_of(self.organisation), pk=request.POST.get("invitation") or 0
            )
            with service_action(request):
                invitation_revoke(invitation=invitation, user=request.user, client_address=address)
                messages.success(request, _("De uitnodiging is ingetrokken."))
            return redirect("portal-organisation")
        raise Http404


# -- tender pages ---------------------------------------------------------------------------


class PortalTenderMixin(OrganisationRequiredMixin):
    def setup_tender(self, slug):
        self.setup_organisation()
        self.tender = tender_or_404(self.request.user, slug, queryset=portal_tenders())


class PortalTenderView(PortalTenderMixin, View):
    """The provider's overview of one tender: key data, its combination or invitations, UEA
    status, its own questions and the published notas, its session registrations, and after
    the opening its own result per phase."""

    def get(self, request, slug):
        self.setup_tender(slug)
        tender, organisation = self.tender, self.organisation
        combination = combination_of(tender=tender, organisation=organisation)
        declaration = uea_of(tender=tender, organisation=organisation)
        return render(
            request,
            "portal/tender.html",
            {
                "tender": tender,
                "organisation": organisation,
                "combination": combination,
                "combination_complete": combination and combination_is_complete(combination),
                "invitations": combination_invitations(tender=tender, organisation=organisation),
                "offer_invitations": offer_invitations_of(
                    tender=tender,
                    organisation=combination.lead if combination else organisation,
                )
                if tender.state in INVITED_STATES
                else [],
                "declaration": declaration,
                "now": timezone.now(),
                "opened": tender.state in OPENED_STATES,
                **tender_sections(tender=tender, organisation=organisation),
            },
        )

    def post(self, request, slug):
        self.setup_tender(slug)
        action = tender_action(request.POST.get("action", ""))
        if action is None:
            raise Http404
        action(request, tender=self.tender, organisation=self.organisation)
        return redirect("portal-tender", slug=slug)


class CombinationView(PortalTenderMixin, View):
    """Form a combination, invite members by KvK, remove unconfirmed members; an invited
    organisation confirms or declines here too."""

    def page(self, request, create_form=None, invite_form=None, status=200):
        tender, organisation = self.tender, self.organisation
        combination = combination_of(tender=tender, organisation=organisation)
        led = combination if combination and combination.lead_id == organisation.pk else None
        is_admin = is_organisation_admin(request.user, organisation.pk)
        refusal = forming_refusal(tender)
        return render(
            request,
            "portal/combination.html",
            {
                "tender": tender,
                "organisation": organisation,
                "combination": combination,
                "is_lead": led is not None and can_lead_combination(request.user, led),
                "complete": combination and combination_is_complete(combination),
                "is_admin": is_admin,
                "refusal": refusal,
                "invitations": combination_invitations(tender=tender, organisation=organisation),
                "create_form": create_form
                or (CombinationForm() if combination is None and is_admin else None),
                "invite_form": invite_form or CombinationInviteForm(),
            },
            status=status,
        )

    def get(self, request, slug):
        self.setup_tender(slug)
        return self.page(request)

    def post(self, request, slug):
        self.setup_tender(slug)
        action = request.POST.get("action")
        address = client_address_of(request)
        if action == "create":
            form = CombinationForm(request.POST)
            if form.is_valid() and attempt(
                form,
                lambda: combination_create(
                    tender=self.tender,
                    organisation=self.organisation,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    legal_entity=form.cleaned_data["legal_entity"],
                    kvk=form.cleaned_data["kvk"],
                    client_address=address,
                ),
            ):
                messages.success(request, _("De combinatie is aangemaakt."))
                return redirect("portal-combination", slug=slug)
            return self.page(request, create_form=form, status=400)
        if action == "invite":
            combination = combination_of(tender=self.tender, organisation=self.organisation)
            if combination is None or combination.lead_id != self.organisation.pk:
                raise Http404
            form = CombinationInviteForm(request.POST)
            member = form.is_valid() and attempt(
                form,
                lambda: combination_invite(
                    combination=combination,
                    kvk=form.cleaned_data["kvk"],
                    user=request.user,
                    base_url=_base_url(request),
                    client_address=address,
                ),
            )
            if member:
                messages.success(
                    request,
                    _("%(name)s is uitgenodigd.") % {"name": member.organisation.name},
                )
                return redirect("portal-combination", slug=slug)
            return self.page(request, invite_form=form, status=400)
        if action in ("confirm", "decline", "remove"):
            member = get_object_or_404(
                combination_members_visible_to(self.organisation).filter(
                    combination__tender=self.tender
                ),
                pk=request.POST.get("member") or 0,
            )
            with service_action(request):
                if action == "remove":
                    if member.combination.lead_id != self.organisation.pk:
                        raise Http404
                    combination_member_remove(
                        member=member, user=request.user, client_address=address
                    )
                    messages.success(request, _("Het lid is verwijderd."))
                else:
                    if member.organisation_id != self.organisation.pk:
                        raise Http404
                    combination_member_decide(
                        member=member,
                        user=request.user,
                        accept=action == "confirm",
                        base_url=_base_url(request),
                        client_address=address,
                    )
                    messages.success(
                        request,
                        _("U neemt deel aan de combinatie.")
                        if action == "confirm"
                        else _("U hebt de uitnodiging afgewezen."),
                    )
            return redirect("portal-combination", slug=slug)
        raise Http404


class UEAView(PortalTenderMixin, View):
    def page(self, request, form=None, status=200):
        declaration = uea_of(tender=self.tender, organisation=self.organisation)
        signed = declaration is not None and declaration.is_signed
        refusal = forming_refusal(self.tender)
        problems = uea_problems(declaration) if declaration and not signed else None
        if form is None and problems and request.GET.get("controle"):
            form = UEAForm.with_problems(declaration, problems)
        form = form or UEAForm(declaration=declaration, disabled=signed or bool(refusal))
        return render(
            request,
            "portal/uea.html",
            {
                "tender": self.tender,
                "organisation": self.organisation,
                "declaration": declaration,
                "signed": signed,
                "refusal": refusal,
                "form": form,
                "parts": form.parts(),
                "problems": problems,
                "may_sign": can_sign_uea(request.user, self.organisation.pk),
                "closing": CLOSING_DECLARATION,
            },
            status=status,
        )

    def get(self, request, slug):
        self.setup_tender(slug)
        return self.page(request)

    def post(self, request, slug):
        self.setup_tender(slug)
        form = UEAForm(request.POST)
        if not form.is_valid():
            return self.page(request, form=form, status=400)
        address = client_address_of(request)
        signing = request.POST.get("action") == "sign"
        if signing and not confirmed(request):
            return confirmation_page(
                request,
                Confirmation(
                    title=_("UEA ondertekenen"),
                    consequence=_(
                        "U verklaart namens %(organisation)s dat de antwoorden in de UEA "
                        "juist zijn. Na ondertekenen liggen ze vast."
                    )
                    % {"organisation": self.organisation.name},
                    button=_("Ja, ondertekenen"),
                    cancel_url=reverse("portal-uea", args=[slug]),
                ),
            )
        # Two actions: the answers are kept as a draft even when signing is refused.
        with service_action(request) as outcome:
            uea_save(
                tender=self.tender,
                organisation=self.organisation,
                user=request.user,
                answers=form.answers(),
                client_address=address,
                **form.signer(),
            )
            if not signing:
                messages.success(request, _("Het concept is opgeslagen."))
        if signing and not outcome.refused:
            with service_action(request) as outcome:
                uea_sign(
                    tender=self.tender,
                    organisation=self.organisation,
                    user=request.user,
                    client_address=address,
                )
                messages.success(request, _("De verklaring is ondertekend."))
        if outcome.refused and signing:
            return redirect(reverse("portal-uea", args=[slug]) + "?controle=1")
        return redirect("portal-uea", slug=slug)


def _pdf_response(declaration: UEADeclaration) -> HttpResponse:
    name = f"UEA-{declaration.tender.slug}-{declaration.organisation.kvk}.pdf"
    return document_response(uea_pdf(declaration), filename=name, content_type=PDF)


class UEAPdfView(PortalTenderMixin, View):
    def get(self, request, slug):
        self.setup_tender(slug)
        declaration = uea_of(tender=self.tender, organisation=self.organisation)
        if declaration is None:
            raise Http404
        return _pdf_response(declaration)


class StaffUEAPdfView(View):
    """Staff download an organisation's UEA once the tender is opened."""

    def get(self, request, slug, organisation_id):
        declaration = get_object_or_404(
            UEADeclaration.objects.select_related("tender__region", "organisation"),
            tender__slug=slug,
            organisation_id=organisation_id,
            signed_at__isnull=False,
        )
        if not can_view_uea_as_staff(request.user, declaration.tender):
            raise Http404
        response = _pdf_response(declaration)
        audit_record(
            action="uea.view",
            actor=request.user,
            obj=declaration,
            tender=declaration.tender,
            client_address=client_address_of(request),
            details={"organisation": declaration.organisation.kvk, "screen": "staff-pdf"},
        )
        return response
