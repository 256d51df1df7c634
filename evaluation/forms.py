from django import forms
from django.utils.translation import gettext_lazy as _

from .services.reopen import REASON_MAX_LENGTH


class RankingRunForm(forms.Form):
    seed = forms.IntegerField(
        label=_("Seed voor loting"),
        min_value=0,
        max_value=2**63 - 1,
        initial=0,
        help_text=_("Beslist gelijke standen; met dezelfde seed komt dezelfde volgorde."),
        error_messages={
            "required": _("Vul een seed in (een geheel getal vanaf 0)."),
            "invalid": _("De seed moet een geheel getal zijn."),
            "min_value": _("De seed mag niet negatief zijn."),
        },
        widget=forms.NumberInput(attrs={"class": "utrecht-textbox utrecht-textbox--html-input"}),
    )


class RankingReopenForm(forms.Form):
    # No HTML "required": the Utrecht textarea would look invalid (:invalid) before anything
    # is typed; aria-required tells assistive technology, and the server gives the message.
    use_required_attribute = False

    reason = forms.CharField(
        label=_("Reden voor heropenen"),
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Komt in het auditlog en bij de eerdere berekeningen. De definitieve ranking blijft "
            "leesbaar; daarna kunt u opnieuw berekenen en vaststellen."
        ),
        error_messages={
            "required": _("Geef een reden voor het heropenen."),
            "max_length": _("De reden is te lang (maximaal %(limit_value)d tekens)."),
        },
        widget=forms.Textarea(
            attrs={
                "class": "utrecht-textarea utrecht-textarea--html-textarea",
                "rows": 3,
                "aria-required": "true",
            }
        ),
    )
