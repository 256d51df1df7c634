"""Forms of the award decision page: registering and resolving objections."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communication.public_forms import SELECT, TEXTAREA
from providers.models import Organisation
from tender.constants import Phase, TenderState
from tender.models import Segment, Tender

from .award_models import ObjectionKind, ObjectionResult


class ObjectionForm(forms.Form):
    use_required_attribute = False

    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.none(),
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": _("Kies het segment.")},
    )
    bidder = forms.ModelChoiceField(
        label=_("Inschrijver"),
        queryset=Organisation.objects.none(),
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": _("Kies de inschrijver die bezwaar maakt.")},
    )
    phase = forms.ChoiceField(
        label=_("Tegen de beslissing"),
        choices=Phase.choices,
        initial=Phase.AWARD,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    kind = forms.ChoiceField(
        label=_("Soort"), choices=ObjectionKind.choices, widget=forms.Select(attrs=SELECT)
    )
    note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args, tender: Tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = (
            Segment.objects.filter(tender=tender)
            .filter(Q(standstill__isnull=False) | Q(selection_standstill__isnull=False))
            .order_by("code")
        )
        if tender.state != TenderState.STANDSTILL:
            self.fields["phase"].initial = Phase.SELECTION
        self.fields["bidder"].queryset = (
            Organisation.objects.filter(award_letters__tender=tender).distinct().order_by("name")
        )

    def clean_phase(self):
        """Not given: the decision whose standstill runs now."""
        return self.cleaned_data.get("phase") or self.fields["phase"].initial


class ObjectionResolveForm(forms.Form):
    use_required_attribute = False

    result = forms.ChoiceField(
        label=_("Uitkomst"),
        choices=ObjectionResult.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Gegrond heropent de ranking van de fase (alleen de voorzitter): daarna gaan "
            "gecorrigeerde brieven uit."
        ),
        error_messages={"required": _("Kies de uitkomst: ongegrond, gegrond of ingetrokken.")},
    )
    outcome = forms.CharField(
        label=_("Motivering"),
        max_length=4000,
        help_text=_("Waarom deze uitkomst, bijvoorbeeld de overwegingen van de rechter."),
        error_messages={"required": _("Beschrijf de uitkomst.")},
        widget=forms.Textarea(attrs=TEXTAREA),
    )
