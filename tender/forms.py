"""Forms of the tender set-up screens.

The forms parse input and show every problem at once; the rules themselves live in
``tender.services.setup`` (its ``*_problems`` functions, which the services enforce again). A
refusal by the service (``ApplicationError``) is shown on its field by
``tender.errors.service_action``.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.dutch_numbers import DutchDecimalField, input_text

from .constants import (
    DecisionBody,
    Funding,
    PaymentRhythm,
    Phase,
    PlanDocuments,
    Procedure,
    RequirementBinds,
)
from .models import Criterion, Lot, Region, Requirement, Segment, SubSegment, Tender
from .services import setup
from .services.setup.regions import CBS_PATTERN

TEXT = {"class": "utrecht-textbox utrecht-textbox--html-input"}
CODE = {**TEXT, "autocapitalize": "characters", "spellcheck": "false"}
NUMBER = {**TEXT, "class": TEXT["class"] + " utrecht-textbox--numeric", "inputmode": "numeric"}
SELECT = {"class": "utrecht-select utrecht-select--html-select"}
TEXTAREA = {"class": "utrecht-textarea utrecht-textarea--html-textarea", "rows": 3}
CHECKBOX = {"class": "utrecht-checkbox utrecht-checkbox--html-input"}

INTEGER_ERRORS = {"invalid": _("Vul een geheel getal in.")}
DECIMAL_ERRORS = {"invalid": _("Vul een getal in, bijvoorbeeld 12,50.")}


class CheckboxList(forms.CheckboxSelectMultiple):
    """Utrecht classes on each checkbox, not on the container Django wraps them in."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("class", None)
        return context


def plain(value: Decimal | None) -> str | None:
    """The initial text of a number field: '20.00' -> '20', '0.5000' -> '0,5'."""
    return input_text(value)


def money(value: Decimal | None) -> str | None:
    """The initial text of an amount field: '62.500000' -> '62,50' (more decimals if it has)."""
    return input_text(value, money=True)


def limits(model, name: str) -> dict:
    """max_digits and decimal_places of a model's DecimalField, so forms follow the model."""
    field = model._meta.get_field(name)
    return {"max_digits": field.max_digits, "decimal_places": field.decimal_places}


def _integer(label, help_text="", *, required=True, required_message=None, **kwargs):
    errors = dict(INTEGER_ERRORS)
    if required_message:
        errors["required"] = required_message
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        error_messages=errors,
        widget=forms.TextInput(attrs=NUMBER),
        **kwargs,
    )


class SetupForm(forms.Form):
    """Runs the service's ``*_problems`` check in ``clean()``; subclasses name it."""

    def problems(self, data: dict) -> setup.Problems:
        return []

    def clean(self):
        data = super().clean()
        for field, message in self.problems(data):
            target = field if field in self.fields else None
            if target is None or target not in self.errors:
                self.add_error(target, message)
        return data


# -- tender -------------------------------------------------------------------------------


class TenderForm(SetupForm):
    slug = forms.CharField(
        label=_("Kenmerk"),
        max_length=64,
        help_text=_(
            "Korte unieke naam voor adressen en exports: kleine letters, cijfers en '-', "
            "bijvoorbeeld inkoop-2026. Kan later niet meer worden gewijzigd."
        ),
        error_messages={"required": _("Vul een kenmerk in.")},
        widget=forms.TextInput(attrs={**TEXT, "spellcheck": "false", "autocomplete": "off"}),
    )
    title = forms.CharField(
        label=_("Titel"),
        max_length=300,
        error_messages={"required": _("Vul een titel in.")},
        widget=forms.TextInput(attrs=TEXT),
    )
    region = forms.ModelChoiceField(
        label=_("Regio"),
        queryset=Region.objects.order_by("name"),
        empty_label=_("Kies een regio"),
        help_text=_("De inkopende regio met haar gemeenten."),
        error_messages={
            "required": _("Kies een regio."),
            "invalid_choice": _("Kies een bestaande regio."),
        },
        widget=forms.Select(attrs=SELECT),
    )
    procedure = forms.ChoiceField(
        label=_("Procedure"),
        choices=Procedure.choices,
        initial=Procedure.RESTRICTED,
        error_messages={"invalid_choice": _("Kies een van de procedures.")},
        widget=forms.Select(attrs=SELECT),
    )
    deadline = forms.DateTimeField(
        label=_("Sluitingstermijn"),
        help_text=_("Datum en tijd in Nederlandse tijd, bijvoorbeeld 01-06-2026 12:00."),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        error_messages={
            "required": _("Vul de sluitingstermijn in."),
            "invalid": _("Vul een datum en tijd in, bijvoorbeeld 01-06-2026 12:00."),
        },
        widget=forms.DateTimeInput(
            attrs={**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    admission_start = forms.DateTimeField(
        label=_("Begin toelatingsperiode (Open House)"),
        help_text=_(
            "Alleen bij Open House. Leeg: vanaf het openstellen van de toelating. Datum en tijd "
            "in Nederlandse tijd."
        ),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        error_messages={
            "invalid": _("Vul een datum en tijd in, bijvoorbeeld 01-06-2026 12:00."),
        },
        widget=forms.DateTimeInput(
            attrs={**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    admission_end = forms.DateTimeField(
        label=_("Einde toelatingsperiode (Open House)"),
        help_text=_("Alleen bij Open House. Leeg: open einde."),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        error_messages={
            "invalid": _("Vul een datum en tijd in, bijvoorbeeld 01-06-2026 12:00."),
        },
        widget=forms.DateTimeInput(
            attrs={**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    plan_documents = forms.ChoiceField(
        label=_("Plannen in de inschrijving"),
        choices=PlanDocuments.choices,
        initial=PlanDocuments.NONE,
        help_text=_(
            "Wat de inschrijving (de offerte) bevat: een plan per gunningscriterium of één plan "
            "per segment. De beoordelaars zien de plannen bij het scoren van de "
            "gunningscriteria."
        ),
        required=False,
        error_messages={"invalid_choice": _("Kies een van de mogelijkheden.")},
        widget=forms.Select(attrs=SELECT),
    )
    standstill_days = _integer(
        _("Opschortende termijn (dagen)"),
        _("Kalenderdagen tussen gunningsbeslissing en definitieve gunning; meestal 20."),
        initial=20,
        required_message=_("Vul de opschortende termijn in (in dagen)."),
    )
    objection_address = forms.CharField(
        label=_("Postadres voor bezwaar"),
        help_text=_("Staat in elke beslissingsbrief: waar een inschrijver bezwaar maakt."),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    objection_email = forms.EmailField(
        label=_("E-mailadres voor bezwaar"),
        required=False,
        error_messages={"invalid": _("Vul een geldig e-mailadres in.")},
        widget=forms.EmailInput(attrs=TEXT),
    )
    court = forms.CharField(
        label=_("Rechtbank voor kort geding"),
        help_text=_(
            "Alleen de naam, bijvoorbeeld Gelderland; de brief noemt de voorzieningenrechter "
            "van de rechtbank Gelderland."
        ),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs=TEXT),
    )

    def __init__(self, *args, tender: Tender | None = None, **kwargs):
        self.tender = tender
        if tender is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": tender.title,
                    "region": tender.region_id,
                    "procedure": tender.procedure,
                    "deadline": tender.deadline,
                    "admission_start": tender.admission_start,
                    "admission_end": tender.admission_end,
                    "plan_documents": tender.plan_documents,
                    "standstill_days": tender.standstill_days,
                    "objection_address": tender.objection_address,
                    "objection_email": tender.objection_email,
                    "court": tender.court,
                },
            )
        super().__init__(*args, **kwargs)
        if tender is not None:
            del self.fields["slug"]
        else:
            region = self.fields["region"]
            region.help_text = format_html(
                '{} {} <a class="utrecht-link" href="{}">{}</a>',
                region.help_text,
                _("Regio ontbreekt?"),
                reverse("setup-region-create"),
                _("Maak een nieuwe regio aan."),
            )

    def clean_plan_documents(self):
        default = self.tender.plan_documents if self.tender else PlanDocuments.NONE
        return self.cleaned_data.get("plan_documents") or default

    def problems(self, data):
        return setup.tender_problems(
            slug=data.get("slug"),
            title=data.get("title"),
            region=data.get("region"),
            procedure=data.get("procedure"),
            deadline=data.get("deadline"),
            standstill_days=data.get("standstill_days"),
            admission_start=data.get("admission_start"),
            admission_end=data.get("admission_end"),
            tender=self.tender,
        )


# -- regions ------------------------------------------------------------------------------

MUNICIPALITY_LINE = re.compile(r"[\s,;]+")


class RegionForm(SetupForm):
    """A region; the municipalities as text, one per line: ``GM0197 Aalten``."""

    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        help_text=_(
            "Korte unieke naam: kleine letters, cijfers en '-', bijvoorbeeld achterhoek. "
            "Kan later niet meer worden gewijzigd."
        ),
        error_messages={"required": _("Vul een code in.")},
        widget=forms.TextInput(attrs={**TEXT, "spellcheck": "false", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Naam"),
        max_length=200,
        error_messages={"required": _("Vul een naam in.")},
        widget=forms.TextInput(attrs=TEXT),
    )
    municipalities = forms.CharField(
        label=_("Gemeenten"),
        help_text=_(
            "Eén gemeente per regel: de CBS-code en de naam, bijvoorbeeld GM0197 Aalten. "
            "Een gemeente die al bestaat, wordt hergebruikt; geef dan dezelfde naam."
        ),
        error_messages={
            "required": _(
                "Geef ten minste één gemeente op, één per regel, bijvoorbeeld GM0197 Aalten."
            )
        },
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 10, "spellcheck": "false"}),
    )

    def __init__(self, *args, region: Region | None = None, **kwargs):
        self.region = region
        if region is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": region.name,
                    "municipalities": "\n".join(
                        f"{m.code} {m.name}" for m in region.municipalities.order_by("code")
                    ),
                },
            )
        super().__init__(*args, **kwargs)
        if region is not None:
            del self.fields["code"]

    def clean_municipalities(self) -> list[tuple[str, str]]:
        """Parse the lines; every bad line is reported with its number."""
        parsed: list[tuple[str, str]] = []
        first_line: dict[str, int] = {}
        errors = []
        for number, line in enumerate(self.cleaned_data["municipalities"].splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            parts = MUNICIPALITY_LINE.split(line, maxsplit=1)
            code = parts[0].upper()
            name = parts[1].strip() if len(parts) > 1 else ""
            if not CBS_PATTERN.match(code):
                errors.append(
                    _(
                        "Regel %(number)d: '%(line)s' is geen geldige CBS-code (GM gevolgd "
                        "door 4 cijfers)."
                    )
                    % {"number": number, "line": line}
                )
            elif code in first_line:
                errors.append(
                    _("Regel %(number)d: %(code)s staat al op regel %(first)d.")
                    % {"number": number, "code": code, "first": first_line[code]}
                )
            elif not name:
                errors.append(
                    _(
                        "Regel %(number)d: vul na %(code)s de naam van de gemeente in, "
                        "bijvoorbeeld GM0197 Aalten."
                    )
                    % {"number": number, "code": code}
                )
            else:
                first_line[code] = number
                parsed.append((code, name))
        if errors:
            raise forms.ValidationError(errors)
        if not parsed:
            raise forms.ValidationError(self.fields["municipalities"].error_messages["required"])
        return parsed

    def problems(self, data):
        problems = setup.region_problems(
            code=data.get("code"),
            name=data.get("name"),
            municipalities=data.get("municipalities", []),
            region=self.region,
        )
        if "municipalities" not in data:  # clean_municipalities reported the lines already
            problems = [p for p in problems if p[0] != "municipalities"]
        return problems


# -- lots ---------------------------------------------------------------------------------


class LotForm(SetupForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Uniek binnen de aanbesteding, bijvoorbeeld JH."),
        error_messages={"required": _("Vul een code in.")},
        widget=forms.TextInput(attrs=CODE),
    )
    name = forms.CharField(
        label=_("Naam"),
        max_length=200,
        error_messages={"required": _("Vul een naam in.")},
        widget=forms.TextInput(attrs=TEXT),
    )
    funding = forms.ChoiceField(
        label=_("Bekostiging"),
        choices=Funding.choices,
        initial=Funding.LUMPSUM,
        widget=forms.Select(attrs=SELECT),
    )
    municipalities = forms.MultipleChoiceField(
        label=_("Deelnemende gemeenten"),
        help_text=_("Gemeenten van de regio die aan dit perceel deelnemen."),
        error_messages={
            "required": _("Kies ten minste één deelnemende gemeente."),
            "invalid_choice": _(
                "Gemeente %(value)s hoort niet bij de regio van deze aanbesteding."
            ),
        },
        widget=CheckboxList(attrs=CHECKBOX),
    )

    def __init__(self, *args, tender: Tender, lot: Lot | None = None, **kwargs):
        self.tender, self.lot = tender, lot
        if lot is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": lot.code,
                    "name": lot.name,
                    "funding": lot.funding,
                    "municipalities": [m.code for m in lot.municipalities.all()],
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].choices = [
            (m.code, f"{m.name} ({m.code})") for m in tender.region.municipalities.order_by("name")
        ]

    def problems(self, data):
        return setup.lot_problems(
            tender=self.tender,
            code=data.get("code"),
            name=data.get("name"),
            funding=data.get("funding"),
            municipalities=data.get("municipalities") or [],
            lot=self.lot,
        )


# -- segments -----------------------------------------------------------------------------


class SegmentForm(SetupForm):
    lot = forms.ModelChoiceField(
        label=_("Perceel"),
        queryset=Lot.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Kies een perceel van deze aanbesteding.")},
        widget=forms.Select(attrs=SELECT),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Uniek binnen de aanbesteding, bijvoorbeeld JH-DYS."),
        error_messages={"required": _("Vul een code in.")},
        widget=forms.TextInput(attrs=CODE),
    )
    name = forms.CharField(
        label=_("Naam"),
        max_length=200,
        error_messages={"required": _("Vul een naam in.")},
        widget=forms.TextInput(attrs=TEXT),
    )
    places = _integer(
        _("Plaatsen"),
        _("Aantal aanbieders boven de streep (X), ten minste 1."),
        required_message=_("Vul het aantal plaatsen in (ten minste 1)."),
    )
    award_places = _integer(
        _("Plaatsen in de gunningsfase"),
        _("Leeg: gelijk aan het aantal plaatsen."),
        required=False,
    )
    min_total = DutchDecimalField(
        label=_("Minimumscore"),
        help_text=_("Minimaal totaal aantal punten in de selectiefase; leeg: geen minimum."),
        required=False,
        **limits(Segment, "min_total"),
    )
    coverage_k = _integer(
        _("Dekking k"),
        _(
            "Minimaal aantal geselecteerde aanbieders per gemeente; k = 0 schakelt de dekking "
            "per gemeente uit."
        ),
        initial=1,
        required_message=_("Vul dekking k in (0 = geen dekking per gemeente)."),
    )
    specialisms = forms.CharField(
        label=_("Vereiste specialismen"),
        help_text=_("Codes gescheiden door komma's, bijvoorbeeld GGZ, LVB."),
        required=False,
        widget=forms.TextInput(attrs=CODE),
    )
    start_date = forms.DateField(
        label=_("Startdatum contracten"),
        help_text=_("Bijvoorbeeld 1 augustus voor Dyslexie, anders meestal 1 januari."),
        required=False,
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={"invalid": _("Vul een geldige datum in, bijvoorbeeld 01-08-2026.")},
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    tariff = DutchDecimalField(
        label=_("Normtarief (euro per uur)"),
        required=False,
        **limits(Segment, "tariff"),
    )
    budget = DutchDecimalField(
        label=_("Jaarbudget (euro)"),
        help_text=_("Leeg: geen plafond."),
        required=False,
        **limits(Segment, "budget"),
    )
    payment = forms.ChoiceField(
        label=_("Betaalritme"),
        choices=PaymentRhythm.choices,
        initial=PaymentRhythm.MONTHLY,
        widget=forms.Select(attrs=SELECT),
    )
    band = DutchDecimalField(
        label=_("Bandbreedte (%)"),
        help_text=_(
            "Afwijking van de lumpsum die niet wordt verrekend, in procenten, bijvoorbeeld 5. "
            "Leeg: geen bandbreedte."
        ),
        required=False,
        max_digits=limits(Segment, "band")["max_digits"],
        decimal_places=max(0, limits(Segment, "band")["decimal_places"] - 2),
    )

    def __init__(self, *args, tender: Tender, segment: Segment | None = None, **kwargs):
        self.tender, self.segment = tender, segment
        if segment is not None:
            kwargs.setdefault(
                "initial",
                {
                    "lot": segment.lot_id,
                    "code": segment.code,
                    "name": segment.name,
                    "places": segment.places,
                    "award_places": segment.award_places,
                    "min_total": money(segment.min_total),
                    "coverage_k": segment.coverage_k,
                    "specialisms": ", ".join(segment.specialisms),
                    "start_date": segment.start_date,
                    "tariff": money(segment.tariff),
                    "budget": money(segment.budget),
                    "payment": segment.payment,
                    "band": None if segment.band is None else plain(segment.band * 100),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = tender.lots.order_by("position", "code")

    def clean_specialisms(self):
        raw = self.cleaned_data.get("specialisms") or ""
        return [code.strip() for code in raw.split(",") if code.strip()]

    def clean_band(self):
        percent = self.cleaned_data.get("band")
        if percent is None:
            return None
        if not (0 <= percent < 100):
            raise forms.ValidationError(
                _("De bandbreedte moet tussen 0 en 100 procent liggen, bijvoorbeeld 5.")
            )
        try:
            places = limits(Segment, "band")["decimal_places"]
            return (percent / 100).quantize(Decimal(1).scaleb(-places))
        except InvalidOperation as exc:  # pragma: no cover - bounded by the check above
            raise forms.ValidationError(DECIMAL_ERRORS["invalid"]) from exc

    def problems(self, data):
        return setup.segment_problems(
            tender=self.tender,
            lot=data.get("lot"),
            code=data.get("code"),
            name=data.get("name"),
            places=data.get("places"),
            award_places=data.get("award_places"),
            min_total=data.get("min_total"),
            coverage_k=data.get("coverage_k"),
            specialisms=data.get("specialisms") or [],
            tariff=data.get("tariff"),
            budget=data.get("budget"),
            payment=data.get("payment"),
            band=data.get("band"),
            segment=self.segment,
        )


class SubSegmentForm(SetupForm):
    prefix = "subsegment"

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Uniek binnen het segment."),
        error_messages={"required": _("Vul een code in.")},
        widget=forms.TextInput(attrs=CODE),
    )
    name = forms.CharField(
        label=_("Naam"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args, segment: Segment, subsegment: SubSegment | None = None, **kwargs):
        self.segment, self.subsegment = segment, subsegment
        super().__init__(*args, **kwargs)

    def problems(self, data):
        return setup.subsegment_problems(
            segment=self.segment, code=data.get("code"), subsegment=self.subsegment
        )


# -- requirements and criteria ------------------------------------------------------------


class RequirementForm(SetupForm):
    segment = forms.ModelChoiceField(
        label=_("Geldt voor"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=_("Alle segmenten (algemene minimumeis)"),
        error_messages={"invalid_choice": _("Kies een segment van deze aanbesteding.")},
        widget=forms.Select(attrs=SELECT),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Uniek binnen de aanbesteding, bijvoorbeeld AM1."),
        error_messages={"required": _("Vul een code in.")},
        widget=forms.TextInput(attrs=CODE),
    )
    text = forms.CharField(
        label=_("Eis"),
        help_text=_("De minimumeis, te beantwoorden met ja of nee."),
        error_messages={"required": _("Vul de tekst van de eis in.")},
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    phase = forms.ChoiceField(
        label=_("Fase"),
        choices=Phase.choices,
        initial=Phase.SELECTION,
        help_text=_(
            "Selectie: getoetst in de selectieranking (verzoek tot deelneming). Gunning: "
            "getoetst in de gunningsranking (de offerte), bijvoorbeeld aanvaarding van de "
            "conceptovereenkomst."
        ),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    binds = forms.ChoiceField(
        label=_("Wie beantwoordt de eis"),
        choices=RequirementBinds.choices,
        initial=RequirementBinds.BIDDER,
        help_text=_(
            "Elke partij: de penvoerder, elk lid van de combinatie en elke onderaannemer "
            "beantwoorden de eis elk met een eigen antwoord en bewijs (bijvoorbeeld "
            "kwaliteitseisen); één partij die niet voldoet sluit de inschrijving uit."
        ),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, tender: Tender, requirement: Requirement | None = None, **kwargs):
        self.tender, self.requirement = tender, requirement
        if requirement is not None:
            kwargs.setdefault(
                "initial",
                {
                    "segment": requirement.segment_id,
                    "code": requirement.code,
                    "text": requirement.text,
                    "phase": requirement.phase,
                    "binds": requirement.binds,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = tender.segments.order_by("code")

    def clean_phase(self):
        return self.cleaned_data.get("phase") or Phase.SELECTION

    def clean_binds(self):
        return self.cleaned_data.get("binds") or RequirementBinds.BIDDER

    def problems(self, data):
        return setup.requirement_problems(
            tender=self.tender,
            segment=data.get("segment"),
            code=data.get("code"),
            text=data.get("text"),
            requirement=self.requirement,
            phase=data.get("phase"),
            binds=data.get("binds") or RequirementBinds.BIDDER,
        )


class CriterionForm(SetupForm):
    prefix = "criterion"

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Uniek binnen het segment, bijvoorbeeld A."),
        error_messages={"required": _("Vul een code in.")},
        widget=forms.TextInput(attrs=CODE),
    )
    name = forms.CharField(
        label=_("Naam"),
        max_length=200,
        error_messages={"required": _("Vul een naam in.")},
        widget=forms.TextInput(attrs=TEXT),
    )
    phase = forms.ChoiceField(
        label=_("Fase"),
        choices=Phase.choices,
        initial=Phase.SELECTION,
        widget=forms.Select(attrs=SELECT),
    )
    max_points = DutchDecimalField(
        label=_("Maximale punten"),
        help_text=_("Weging, groter dan 0."),
        **limits(Criterion, "max_points"),
        error_messages={**DECIMAL_ERRORS, "required": _("Vul de maximale punten in.")},
    )
    min_level = DutchDecimalField(
        label=_("Minimumniveau"),
        help_text=_(
            "Een fractie van 0 tot en met 1, bijvoorbeeld 0,5; daaronder valt een inschrijving "
            "af. Leeg: geen drempel."
        ),
        required=False,
        **limits(Criterion, "min_level"),
    )
    position = _integer(
        _("Volgorde"),
        _("Leeg: achteraan."),
        required=False,
    )
    level_descriptors = forms.CharField(
        label=_("Beoordelingskader per niveau"),
        help_text=_(
            "Wat elk niveau voor dit criterium betekent, één regel per niveau, bijvoorbeeld "
            "'0 – geen aanpak beschreven'. Beoordelaars en voorzitter zien dit bij het scoren."
        ),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 5}),
    )

    def __init__(self, *args, segment: Segment, criterion: Criterion | None = None, **kwargs):
        self.segment, self.criterion = segment, criterion
        if criterion is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": criterion.code,
                    "name": criterion.name,
                    "phase": criterion.phase,
                    "max_points": plain(criterion.max_points),
                    "min_level": plain(criterion.min_level),
                    "position": criterion.position,
                    "level_descriptors": criterion.level_descriptors,
                },
            )
        super().__init__(*args, **kwargs)

    def problems(self, data):
        return setup.criterion_problems(
            segment=self.segment,
            code=data.get("code"),
            name=data.get("name"),
            phase=data.get("phase"),
            max_points=data.get("max_points"),
            min_level=data.get("min_level"),
            position=data.get("position"),
            criterion=self.criterion,
        )


# -- import -------------------------------------------------------------------------------


class ScenarioImportForm(forms.Form):
    file = forms.FileField(
        label=_("Scenariobestand (JSON)"),
        help_text=_("Een bestand in het formaat tender-scenario/1, zoals een export."),
        error_messages={
            "required": _("Kies een scenariobestand."),
            "empty": _("Het gekozen bestand is leeg."),
        },
        widget=forms.ClearableFileInput(
            attrs={"class": "utrecht-textbox utrecht-textbox--html-input", "accept": ".json"}
        ),
    )
    replace = forms.BooleanField(
        label=_("Vervang bestaande aanbesteding met hetzelfde kenmerk"),
        help_text=_("Alleen een aanbesteding in concept kan worden vervangen."),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )


# -- provisional segments and decision records (issue 15.1) --------------------------------


class SegmentProvisionalForm(forms.Form):
    note = forms.CharField(
        label=_("Toelichting"),
        max_length=200,
        required=False,
        help_text=_("Leeg: 'onder voorbehoud van besluitvorming'."),
        widget=forms.TextInput(attrs=TEXT),
    )


class DecisionRecordForm(forms.Form):
    body = forms.ChoiceField(
        label=_("Orgaan"),
        choices=DecisionBody.choices,
        error_messages={
            "required": _("Kies wie het besluit nam."),
            "invalid_choice": _("Kies wie het besluit nam."),
        },
        widget=forms.Select(attrs=SELECT),
    )
    decided_on = forms.DateField(
        label=_("Datum besluit"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={
            "required": _("Vul de datum van het besluit in."),
            "invalid": _("Vul een geldige datum in, bijvoorbeeld 01-08-2026."),
        },
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    decision = forms.CharField(
        label=_("Besluit"),
        help_text=_("Wat er besloten is."),
        error_messages={"required": _("Beschrijf wat er besloten is.")},
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    document = forms.ModelChoiceField(
        label=_("Besluitdocument"),
        queryset=None,
        required=False,
        empty_label=_("(geen)"),
        help_text=_("Optioneel: een document uit de documentenbibliotheek van de aanbesteding."),
        error_messages={"invalid_choice": _("Kies een document van deze aanbesteding.")},
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        # The tender's library documents (tender.documents: no import of the communication app).
        self.fields["document"].queryset = tender.documents.filter(kind="document").order_by(
            "title", "pk"
        )
