"""Forms of the settlement and KPI screens: they parse input; the rules are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.dutch_numbers import DutchDecimalField
from communication.public_forms import SELECT, TEXT, TEXTAREA

from .kpi_models import KpiDirection, KpiPeriod, ProviderKpi
from .settlement_models import AboveBandPolicy

NUMBER = {**TEXT, "class": TEXT["class"] + " utrecht-textbox--numeric", "inputmode": "decimal"}


class ProductionReportForm(forms.Form):
    realised_clients = forms.IntegerField(
        label=_("Aantal cliënten"),
        min_value=0,
        help_text=_("Cliënten die in dit jaar zorg kregen in dit segment."),
        widget=forms.NumberInput(attrs={**NUMBER, "inputmode": "numeric"}),
    )
    realised_hours = DutchDecimalField(
        label=_("Geleverde uren"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Totaal geleverde uren zorg in het jaar, bijvoorbeeld 2100,50."),
    )
    comment = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class ContractPolicyForm(forms.Form):
    above_band = forms.ChoiceField(
        label=_("Productie boven de bovengrens"),
        choices=AboveBandPolicy.choices,
        widget=forms.Select(attrs=SELECT),
    )


class KpiEffectForm(forms.Form):
    effect = forms.CharField(
        label=_("Effect"), max_length=1000, widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2})
    )
    goal = forms.CharField(
        label=_("Doelstelling"),
        max_length=1000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
    )
    municipal_kpi = forms.CharField(
        label=_("KPI gemeenten"),
        max_length=1000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
    )


class ProviderKpiForm(forms.Form):
    effect = forms.ModelChoiceField(
        label=_("Effect"), queryset=None, widget=forms.Select(attrs=SELECT)
    )
    name = forms.CharField(
        label=_("KPI zorgaanbieder"), max_length=300, widget=forms.TextInput(attrs=TEXT)
    )
    unit = forms.CharField(
        label=_("Eenheid"),
        max_length=30,
        help_text=_("Bijvoorbeeld % of cijfer."),
        widget=forms.TextInput(attrs=TEXT),
    )
    target = DutchDecimalField(
        label=_("Streefwaarde"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Leeg: nog niet vastgesteld; de KPI is dan een voorbeeld."),
    )
    direction = forms.ChoiceField(
        label=_("Richting"), choices=KpiDirection.choices, widget=forms.Select(attrs=SELECT)
    )
    period = forms.ChoiceField(
        label=_("Periode"), choices=KpiPeriod.choices, widget=forms.Select(attrs=SELECT)
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=None,
        required=False,
        empty_label=_("Alle segmenten"),
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effect"].queryset = tender.kpi_effects.all()
        self.fields["segment"].queryset = tender.segments.order_by("code")


class KpiTargetForm(forms.Form):
    """Set (or clear) the target of one provider KPI of the tender."""

    kpi = forms.ModelChoiceField(
        queryset=None,
        error_messages={"invalid_choice": _("Kies een KPI van deze aanbesteding.")},
    )
    target = DutchDecimalField(
        label=_("Streefwaarde"), max_digits=12, decimal_places=2, required=False
    )

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = ProviderKpi.objects.filter(effect__tender=tender)


class KpiValueForm(forms.Form):
    value = DutchDecimalField(
        label=_("Waarde"),
        max_digits=12,
        decimal_places=2,
    )
    comment = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
    )


class DeclarationForm(forms.Form):
    """P x Q: the hours of one month (the months to choose from are set by the view)."""

    month = forms.ChoiceField(label=_("Maand"), choices=())
    hours = forms.DecimalField(
        label=_("Geleverde uren"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Geleverde uren zorg in de maand; betaald achteraf tegen het normtarief."),
        widget=forms.TextInput(attrs=NUMBER),
        localize=True,
    )

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.isoformat(), f"{m:%m-%Y}") for m in months]


class TaskAmountForm(forms.Form):
    """Task funding: the yearly amount the municipalities set (empty = the default share)."""

    amount = forms.DecimalField(
        label=_("Bedrag per jaar"),
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Leeg = het budget verdeeld naar huidige cliënten."),
        widget=forms.TextInput(attrs=NUMBER),
        localize=True,
    )
    reason = forms.CharField(
        label=_("Reden"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )
