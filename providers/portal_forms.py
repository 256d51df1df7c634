"""Forms of the provider portal. They parse input; the rules are the services'. A refusal
(``ApplicationError``) goes onto its field through ``tender.errors.service_action``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import uea as structure
from .constants import LegalForm

TEXT = {"class": "utrecht-textbox utrecht-textbox--html-input"}
SELECT = {"class": "utrecht-select utrecht-select--html-select"}
TEXTAREA = {"class": "utrecht-textarea utrecht-textarea--html-textarea", "rows": 3}


class PortalForm(forms.Form):
    # Service field names that a form calls differently (read by ``service_action``).
    service_fields = {"password": "password1"}


class OrganisationForm(PortalForm):
    name = forms.CharField(
        label=_("Naam van de organisatie"),
        max_length=200,
        help_text=_("De statutaire naam, zoals in het handelsregister."),
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "organization"}),
    )
    legal_form = forms.ChoiceField(
        label=_("Rechtsvorm"),
        choices=[("", _("Kies…")), *LegalForm.choices],
        widget=forms.Select(attrs=SELECT),
    )
    agb = forms.CharField(
        label=_("AGB-code"),
        required=False,
        max_length=8,
        help_text=_("8 cijfers, als uw organisatie een AGB-code heeft."),
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric"}),
    )
    address = forms.CharField(
        label=_("Adres"),
        max_length=300,
        help_text=_("Straat en huisnummer."),
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=7,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("Plaats"),
        max_length=100,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "address-level2"}),
    )
    phone = forms.CharField(
        label=_("Telefoonnummer"),
        max_length=20,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "tel", "type": "tel"}),
    )
    contact_name = forms.CharField(
        label=_("Contactpersoon voor aanbestedingen"),
        max_length=200,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("E-mailadres contactpersoon"),
        widget=forms.EmailInput(attrs={**TEXT, "autocomplete": "email"}),
    )


class PasswordFieldsMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Wachtwoord"),
        help_text=_("Minimaal 12 tekens; geen veelgebruikt wachtwoord."),
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Herhaal het wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", _("De twee wachtwoorden zijn niet gelijk."))
        return data


class RegistrationForm(OrganisationForm, PasswordFieldsMixin, PortalForm):
    kvk = forms.CharField(
        label=_("KvK-nummer"),
        max_length=8,
        help_text=_("Het inschrijvingsnummer bij de Kamer van Koophandel: 8 cijfers."),
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric"}),
    )
    first_name = forms.CharField(
        label=_("Uw voornaam"),
        max_length=150,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Uw achternaam"),
        max_length=150,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Uw e-mailadres"),
        help_text=_("Hiermee logt u in."),
        widget=forms.EmailInput(attrs={**TEXT, "autocomplete": "email"}),
    )

    field_order = ["kvk", *OrganisationForm.base_fields, "first_name", "last_name", "email"]

    def details(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in OrganisationForm.base_fields}


class InviteColleagueForm(PortalForm):
    email = forms.EmailField(
        label=_("E-mailadres van uw collega"),
        widget=forms.EmailInput(attrs={**TEXT, "autocomplete": "off"}),
    )


class ApiTokenForm(PortalForm):
    name = forms.CharField(
        label=_("Naam van het token"),
        max_length=100,
        help_text=_("Waarvoor u het token gebruikt, bijvoorbeeld 'Koppeling administratie'."),
        error_messages={
            "required": _("Geef het token een naam."),
            "max_length": _("De naam is te lang: hoogstens %(limit_value)d tekens."),
        },
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
    )


class AcceptInvitationForm(PasswordFieldsMixin, PortalForm):
    first_name = forms.CharField(
        label=_("Uw voornaam"),
        max_length=150,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Uw achternaam"),
        max_length=150,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "family-name"}),
    )
    field_order = ["first_name", "last_name", "password1", "password2"]


class CombinationForm(PortalForm):
    name = forms.CharField(
        label=_("Naam van de combinatie"),
        max_length=200,
        help_text=_("Bijvoorbeeld: Combinatie Jeugdzorg Achterhoek."),
        widget=forms.TextInput(attrs=TEXT),
    )
    legal_entity = forms.BooleanField(
        label=_("De combinatie is een eigen rechtspersoon met een KvK-nummer"),
        help_text=_(
            "Laat uit voor een combinatie in oprichting (coöperatie i.o.) of een consortium "
            "zonder rechtspersoonlijkheid: het KvK-nummer van de penvoerder identificeert haar "
            "en elk lid ondertekent een eigen UEA."
        ),
        required=False,
        widget=forms.CheckboxInput(
            attrs={"class": "utrecht-checkbox utrecht-checkbox--html-input"}
        ),
    )
    kvk = forms.CharField(
        label=_("KvK-nummer van de combinatie"),
        max_length=8,
        required=False,
        help_text=_("Alleen bij een eigen rechtspersoon (8 cijfers)."),
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric"}),
    )


class CombinationInviteForm(PortalForm):
    kvk = forms.CharField(
        label=_("KvK-nummer van de organisatie"),
        max_length=8,
        help_text=_("De organisatie moet zich in het portaal hebben geregistreerd."),
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric"}),
    )


YES_NO_CHOICES = [("ja", _("Ja")), ("nee", _("Nee"))]


class _DraftRequired:
    """A field that is required to sign but may be empty in a draft: shown as required (no
    "niet verplicht"), yet an empty value passes validation; signing checks completeness."""

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class DraftChoiceField(_DraftRequired, forms.ChoiceField):
    pass


class DraftCharField(_DraftRequired, forms.CharField):
    pass


class UEAForm(PortalForm):
    """One field per UEA question (``providers.uea``), an explanation field for every yes/no
    question that can need one, and the signer's name, role and place (Deel VI). Fields needed
    to sign show as required, but empty values pass: a draft may be incomplete; signing checks
    completeness (``with_problems`` puts what is missing on the fields)."""

    use_required_attribute = False

    signer_name = DraftCharField(
        label=_("Naam ondertekenaar"),
        max_length=200,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "name"}),
    )
    signer_role = DraftCharField(
        label=_("Functie ondertekenaar"),
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
    )
    signed_place = DraftCharField(
        label=_("Plaats"), max_length=100, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args, declaration=None, disabled=False, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if declaration is not None:
            for q in structure.questions():
                value = declaration.answers.get(q.code)
                if q.kind == structure.YES_NO and isinstance(value, bool):
                    initial[q.code] = "ja" if value else "nee"
                elif value:
                    initial[q.code] = value
                key = structure.explanation_key(q.code)
                if declaration.answers.get(key):
                    initial[key] = declaration.answers[key]
            for field in ("signer_name", "signer_role", "signed_place"):
                initial[field] = getattr(declaration, field)
        super().__init__(*args, initial=initial, **kwargs)
        for q in structure.questions():
            if q.kind == structure.YES_NO:
                self.fields[q.code] = DraftChoiceField(
                    label=q.label, choices=YES_NO_CHOICES, widget=forms.RadioSelect
                )
            else:
                widget = (
                    forms.Textarea(attrs=TEXTAREA)
                    if q.kind == structure.LONG_TEXT
                    else (forms.TextInput(attrs=TEXT))
                )
                field_class = DraftCharField if q.required else forms.CharField
                self.fields[q.code] = field_class(label=q.label, required=q.required, widget=widget)
            if q.explain_when is not None:
                self.fields[structure.explanation_key(q.code)] = DraftCharField(
                    label=_("Toelichting"),
                    help_text=_("Verplicht als u '%(answer)s' antwoordt.")
                    % {"answer": _("Ja") if q.explain_when else _("Nee")},
                    widget=forms.Textarea(attrs=TEXTAREA),
                )
        if disabled:
            for field in self.fields.values():
                field.disabled = True

    @classmethod
    def with_problems(cls, declaration, problems: dict[str, str]) -> "UEAForm":
        """The saved draft as a bound form with what stops signing on its fields."""
        form = cls(data=cls(declaration=declaration).initial)
        form.is_valid()
        for field, message in problems.items():
            form.add_error(field if field in form.fields else None, message)
        return form

    def answers(self) -> dict:
        data = self.cleaned_data
        result = {}
        for q in structure.questions():
            value = data.get(q.code)
            if q.kind == structure.YES_NO:
                if value in ("ja", "nee"):
                    result[q.code] = value == "ja"
            elif value:
                result[q.code] = value
            key = structure.explanation_key(q.code)
            if data.get(key):
                result[key] = data[key]
        return result

    def signer(self) -> dict:
        return {
            f: self.cleaned_data.get(f, "") for f in ("signer_name", "signer_role", "signed_place")
        }

    def parts(self):
        """Bound fields grouped as the UEA parts and sections, for the template."""
        result = []
        for part in structure.PARTS:
            sections = []
            for section in part.sections:
                rows = []
                for q in section.questions:
                    key = structure.explanation_key(q.code)
                    rows.append(
                        {
                            "field": self[q.code],
                            "explanation": self[key] if key in self.fields else None,
                        }
                    )
                sections.append({"title": section.title, "rows": rows})
            result.append({"title": part.title, "sections": sections})
        return result
