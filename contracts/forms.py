"""Forms of the contract screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communication.forms import NUMBER
from communication.public_forms import SELECT, TEXTAREA


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=[("extend", _("Verlengen met 2 jaar")), ("decline", _("Niet verlengen"))],
        widget=forms.Select(attrs=SELECT),
    )
    note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3}),
    )
    late_reason = forms.CharField(
        label=_("Reden van het late besluit"),
        help_text=_(
            "Het besluit krijgt de datum van vandaag. Na de uiterste besluitdatum alleen met "
            "een reden."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
    )


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Jaar"), min_value=1900, max_value=2200, widget=forms.TextInput(attrs=NUMBER)
    )


class KpiDeferForm(forms.Form):
    """ "KPI's worden in de implementatiefase vastgesteld", with the date by which."""

    until = forms.DateField(
        label=_("KPI's vastgesteld uiterlijk op"),
        help_text=_("Bijvoorbeeld 31-3-2023."),
        input_formats=["%d-%m-%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"class": "utrecht-textbox"}),
    )
