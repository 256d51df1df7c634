"""Forms of the scoring screens. They parse input only; the rules are in the services."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import dutch_numbers
from tender.constants import Phase
from tender.models import Segment

from .scoring_selectors import (
    STATUS_BLOCKED,
    STATUS_BUSY,
    STATUS_SUBMITTED,
    STATUS_TODO,
    evaluator_candidates,
    scale_of,
)

TEXTAREA = {"class": "utrecht-textarea utrecht-textarea--html-textarea", "rows": 4}
SELECT = {"class": "utrecht-select utrecht-select--html-select"}


def level_label(level: Decimal) -> str:
    """A level as the Dutch screen shows it: 0,25 (trailing zeros dropped)."""
    return dutch_numbers.level(level)


class LevelForm(forms.Form):
    """A level on the criterion's scale and a rationale, for one criterion; used for the
    individual score (prefix ``c<pk>``) and for the consensus (prefix ``f<pk>``)."""

    level = forms.ChoiceField(
        label=_("Niveau"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Kies een niveau op de schaal van dit criterium.")},
    )
    rationale = forms.CharField(
        label=_("Motivering"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args, criterion, **kwargs):
        kwargs.setdefault("prefix", f"c{criterion.pk}")
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        self.fields["level"].choices = [
            (format(level.normalize(), "f"), level_label(level)) for level in scale_of(criterion)
        ]


def level_initial(level: Decimal | None, rationale: str = "") -> dict:
    if level is None:
        return {"rationale": rationale}
    return {"level": format(Decimal(level).normalize(), "f"), "rationale": rationale}


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Hebt u een (schijn van) belangenconflict met deze inschrijver?"),
        choices=[
            ("0", _("Nee, ik heb geen belangenconflict")),
            ("1", _("Ja, ik heb een belangenconflict")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies of u een belangenconflict hebt.")},
    )
    note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=5000,
        help_text=_("Verplicht bij een belangenconflict: wat is de relatie met de inschrijver?"),
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class EvaluatorChoiceForm(forms.Form):
    evaluator = forms.ModelChoiceField(
        label=_("Beoordelaar"),
        queryset=None,
        empty_label=_("Kies een beoordelaar"),
        widget=forms.Select(attrs=SELECT),
        error_messages={
            "required": _("Kies een beoordelaar."),
            "invalid_choice": _("Kies een beoordelaar uit de lijst."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = evaluator_candidates()
        self.fields["evaluator"].label_from_instance = lambda u: (
            u.get_full_name() or u.get_username()
        )


class SegmentAssignForm(EvaluatorChoiceForm):
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=None,
        empty_label=_("Kies een segment"),
        widget=forms.Select(attrs=SELECT),
        error_messages={
            "required": _("Kies een segment."),
            "invalid_choice": _("Kies een segment uit de lijst."),
        },
    )

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.filter(tender=tender).order_by("code")
        self.order_fields(["segment", "evaluator"])


class ScoringDeadlineForm(forms.Form):
    """The chair sets by when the evaluators submit their scores in a phase."""

    phase = forms.ChoiceField(
        label=_("Fase"),
        choices=Phase.choices,
        widget=forms.Select(attrs=SELECT),
        error_messages={
            "required": _("Kies de fase."),
            "invalid_choice": _("Kies de fase: selectie of gunning."),
        },
    )
    due_at = forms.DateTimeField(
        label=_("Beoordelen uiterlijk"),
        help_text=_("Datum en tijd in Nederlandse tijd, bijvoorbeeld 01-06-2026 12:00."),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        error_messages={
            "required": _("Vul de beoordelingstermijn in."),
            "invalid": _("Vul een datum en tijd in, bijvoorbeeld 01-06-2026 12:00."),
        },
        widget=forms.DateTimeInput(
            attrs={
                "class": "utrecht-textbox utrecht-textbox--html-input",
                "type": "datetime-local",
            },
            format="%Y-%m-%dT%H:%M",
        ),
    )


class ReviewForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("Uitkomst van de controle"),
        choices=[("1", _("Akkoord: het bewijs bevestigt het antwoord")), ("0", _("Afkeuren"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies akkoord of afkeuren.")},
    )
    reason = forms.CharField(
        label=_("Reden van afkeuren"),
        required=False,
        help_text=_("Verplicht bij afkeuren."),
        max_length=5000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van terugzetten"),
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
        error_messages={"required": _("Geef een reden voor het terugzetten.")},
    )


class MyDossiersFilterForm(forms.Form):
    """The filters of the evaluator's dossier list (GET): segment, status and a search on the
    bidder's name. An invalid value shows its error and filters nothing."""

    segment = forms.ChoiceField(label=_("Segment"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Alle")),
            (STATUS_TODO, _("Nog niet begonnen")),
            (STATUS_BUSY, _("Bezig")),
            (STATUS_SUBMITTED, _("Ingediend")),
            (STATUS_BLOCKED, _("Geblokkeerd")),
        ],
    )
    q = forms.CharField(label=_("Zoek op inschrijver"), required=False, max_length=100)

    def __init__(self, *args, segments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", _("Alle segmenten"))] + [
            (s.code, f"{s.code} – {s.name}") for s in segments
        ]

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"segment": data["segment"], "status": data["status"], "search": data["q"].strip()}
