from django import forms
from django.utils.translation import gettext_lazy as _


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
