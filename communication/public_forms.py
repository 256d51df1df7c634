"""Forms of the public tender site: newsletter sign-up, session registration, a question.

They parse input only; the rules are the services'. A refusal (``ApplicationError``) is shown
on its field through ``tender.errors.service_action``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from tender.models import Lot, Segment, Tender

TEXT = {"class": "utrecht-textbox utrecht-textbox--html-input"}
SELECT = {"class": "utrecht-select utrecht-select--html-select"}
TEXTAREA = {"class": "utrecht-textarea utrecht-textarea--html-textarea", "rows": 6}


class NewsletterForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        help_text=_("U ontvangt eerst een e-mail met een link om uw aanmelding te bevestigen."),
        error_messages={
            "required": _("Vul uw e-mailadres in."),
            "invalid": _("Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl."),
        },
        widget=forms.EmailInput(attrs={**TEXT, "autocomplete": "email"}),
    )


class SessionRegistrationForm(forms.Form):
    participant_name = forms.CharField(
        label=_("Naam deelnemer"),
        max_length=200,
        error_messages={"required": _("Vul de naam van de deelnemer in.")},
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "name"}),
    )
    participant_email = forms.EmailField(
        label=_("E-mailadres deelnemer"),
        help_text=_("Hierheen sturen wij de bevestiging en de deelnamelink."),
        error_messages={
            "required": _("Vul het e-mailadres van de deelnemer in."),
            "invalid": _("Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl."),
        },
        widget=forms.EmailInput(attrs={**TEXT, "autocomplete": "email"}),
    )


class QuestionForm(forms.Form):
    lot = forms.ModelChoiceField(
        label=_("Perceel"),
        queryset=Lot.objects.none(),
        required=False,
        empty_label=_("Algemeen (geen bepaald perceel)"),
        widget=forms.Select(attrs=SELECT),
    )
    segment = forms.ModelChoiceField(
        label=_("Inkoopsegment"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=_("Geen bepaald segment"),
        widget=forms.Select(attrs=SELECT),
    )
    text = forms.CharField(
        label=_("Uw vraag"),
        max_length=5000,
        help_text=_(
            "Vragen en antwoorden worden gepubliceerd in een nota van inlichtingen, "
            "zonder de naam van uw organisatie."
        ),
        error_messages={"required": _("Vul uw vraag in.")},
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args, tender: Tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = Lot.objects.filter(tender=tender).order_by("position", "code")
        self.fields["segment"].queryset = Segment.objects.filter(tender=tender).order_by("code")
