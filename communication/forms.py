"""Forms of the staff screens for news, key dates, sessions, questions, notas and the
deadline. Times are entered and shown in Europe/Amsterdam (the project's time zone)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tender.models import Lot, Segment, Tender

from .models import NewsItem, Session, TenderDocument
from .public_forms import SELECT, TEXT, TEXTAREA

CHECKBOX = {"class": "utrecht-checkbox utrecht-checkbox--html-input"}
NUMBER = {**TEXT, "class": TEXT["class"] + " utrecht-textbox--numeric", "inputmode": "numeric"}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(label, help_text="", *, required=True):
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        required=required,
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        error_messages={"invalid": _("Vul een datum en tijd in, bijvoorbeeld 26-01-2021 09:00.")},
        widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"}, format=LOCAL_FORMAT),
    )


class NewsItemForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    body = forms.CharField(
        label=_("Tekst"),
        help_text=_("Een witregel begint een nieuwe alinea."),
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 10}),
    )
    published_at = _moment(
        _("Publicatiedatum"),
        _("Leeg: nu. Een bericht in de toekomst verschijnt dan."),
        required=False,
    )
    published = forms.BooleanField(
        label=_("Gepubliceerd op de openbare site"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )
    mail_subscribers = forms.BooleanField(
        label=_("Mailen aan de abonnees van de nieuwsbrief"),
        required=False,
        help_text=_("Eén keer, bij het opslaan; een bericht wordt nooit twee keer gemaild."),
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )


class KeyDateForm(forms.Form):
    label = forms.CharField(
        label=_("Omschrijving"),
        max_length=200,
        help_text=_("Bijvoorbeeld 'Publicatie', 'Start aanbesteding' of 'Gunning'."),
        widget=forms.TextInput(attrs=TEXT),
    )
    date = forms.DateField(
        label=_("Datum"),
        error_messages={"invalid": _("Vul een datum in, bijvoorbeeld 01-04-2021.")},
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Toelichting"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld 'onder voorbehoud'."),
        widget=forms.TextInput(attrs=TEXT),
    )


class SessionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Soort"), choices=Session.Kind.choices, widget=forms.Select(attrs=SELECT)
    )
    title = forms.CharField(label=_("Titel"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(
        label=_("Beschrijving"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    starts_at = _moment(_("Begint om"))
    ends_at = _moment(_("Eindigt om"))
    location = forms.CharField(
        label=_("Plaats"),
        max_length=200,
        required=False,
        help_text=_("Adres, of bijvoorbeeld 'Online via Microsoft Teams'."),
        widget=forms.TextInput(attrs=TEXT),
    )
    online_link = forms.URLField(
        label=_("Deelnamelink"),
        required=False,
        assume_scheme="https",
        help_text=_("Alleen zichtbaar voor aangemelde deelnemers."),
        widget=forms.URLInput(attrs=TEXT),
    )
    capacity = forms.IntegerField(
        label=_("Capaciteit (organisaties)"),
        min_value=1,
        help_text=_("Eén deelnemer per organisatie."),
        widget=forms.TextInput(attrs=NUMBER),
    )
    registration_opens_at = _moment(
        _("Aanmelden kan vanaf"),
        _("Leeg: meteen. Tot dan staat op de pagina 'aanmeldformulier volgt'."),
        required=False,
    )
    registration_deadline = _moment(_("Aanmelden kan tot"))
    programme = forms.CharField(
        label=_("Programma"),
        required=False,
        help_text=_("Wordt met de deelnamelink gemaild aan de aangemelde deelnemers."),
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    details_send_by = forms.DateField(
        label=_("Nadere informatie uiterlijk op"),
        required=False,
        help_text=_(
            "Op deze datum gaan het programma en de deelnamelink naar de aangemelde deelnemers, "
            "als u ze niet eerder verstuurt ('uiterlijk 25 januari ontvangt u nadere informatie')."
        ),
        error_messages={"invalid": _("Vul een datum in, bijvoorbeeld 25-01-2021.")},
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    report = forms.ModelChoiceField(
        label=_("Verslag"),
        queryset=TenderDocument.objects.none(),
        required=False,
        empty_label=_("Nog geen verslag"),
        help_text=_(
            "Upload het verslag eerst in de documentenbibliotheek (categorie verslag); "
            "het staat dan bij de sessie."
        ),
        widget=forms.Select(attrs=SELECT),
    )
    lots = forms.ModelMultipleChoiceField(
        label=_("Voor percelen"),
        queryset=Lot.objects.none(),
        required=False,
        help_text=_("Niets gekozen: voor alle zorgaanbieders."),
        widget=forms.CheckboxSelectMultiple,
    )
    segments = forms.ModelMultipleChoiceField(
        label=_("Voor segmenten"),
        queryset=Segment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    overflow = forms.ModelChoiceField(
        label=_("Extra sessie bij overschrijding"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("Geen extra sessie"),
        help_text=_(
            "Aanmeldingen boven de capaciteit gaan, in volgorde van aanmelden, naar deze sessie; "
            "die gaat alleen door als de capaciteit is overschreden. Maak die sessie eerst aan."
        ),
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, tender: Tender, overflow_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lots"].queryset = Lot.objects.filter(tender=tender).order_by("position")
        self.fields["segments"].queryset = Segment.objects.filter(tender=tender).order_by("code")
        self.fields["overflow"].queryset = overflow_choices
        self.fields["report"].queryset = TenderDocument.objects.filter(
            tender=tender, category=TenderDocument.Category.REPORT
        ).order_by("-publish_at")

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("Het einde moet na het begin liggen."))
        deadline = data.get("registration_deadline")
        if starts_at and deadline and deadline > starts_at:
            self.add_error(
                "registration_deadline", _("Aanmelden moet sluiten vóór de sessie begint.")
            )
        opens = data.get("registration_opens_at")
        if opens and deadline and opens >= deadline:
            self.add_error("registration_opens_at", _("Aanmelden moet openen vóór het sluit."))
        if not (data.get("location") or data.get("online_link")) and "location" not in self.errors:
            self.add_error("location", _("Vul een plaats of een deelnamelink in."))
        return data


class AnswerForm(forms.Form):
    public_text = forms.CharField(
        label=_("Vraag zoals gepubliceerd"),
        required=False,
        help_text=_(
            "Leeg: de vraag zoals gesteld. Haal hier namen of details weg die de vragensteller "
            "herkenbaar maken."
        ),
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    answer = forms.CharField(
        label=_("Antwoord"),
        error_messages={"required": _("Vul een antwoord in.")},
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class NotaForm(forms.Form):
    questions = forms.ModelMultipleChoiceField(
        label=_("Vragen in deze nota"),
        queryset=None,
        help_text=_("Alleen beantwoorde vragen die nog in geen andere nota staan."),
        error_messages={"required": _("Kies minstens één beantwoorde vraag.")},
        widget=forms.CheckboxSelectMultiple,
    )
    intro = forms.CharField(
        label=_("Inleiding"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = questions
        self.fields["questions"].label_from_instance = lambda q: q.text[:120]


class DeadlineMoveForm(forms.Form):
    new_deadline = _moment(_("Nieuwe sluitingstermijn"), _("Datum en tijd (Nederlandse tijd)."))


class QuestionFilterForm(forms.Form):
    lot = forms.ChoiceField(label=_("Perceel"), required=False, widget=forms.Select(attrs=SELECT))
    segment = forms.ChoiceField(
        label=_("Segment"), required=False, widget=forms.Select(attrs=SELECT)
    )
    answered = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alle")), ("nee", _("Onbeantwoord")), ("ja", _("Beantwoord"))],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, tender: Tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [("", _("Alle percelen"))] + [
            (lot.code, f"{lot.code} {lot.name}")
            for lot in Lot.objects.filter(tender=tender).order_by("position")
        ]
        self.fields["segment"].choices = [("", _("Alle segmenten"))] + [
            (s.code, f"{s.code} {s.name}")
            for s in Segment.objects.filter(tender=tender).order_by("code")
        ]

    def answered_value(self) -> bool | None:
        value = self.cleaned_data.get("answered") if self.is_valid() else ""
        return {"ja": True, "nee": False}.get(value)


class DocumentUploadForm(forms.Form):
    """A document for the library; with ``replaces`` a new version of a current document."""

    title = forms.CharField(label=_("Titel"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    category = forms.ChoiceField(
        label=_("Categorie"),
        choices=[("", "---------"), *TenderDocument.Category.choices],
        widget=forms.Select(attrs=SELECT),
    )
    audience = forms.ChoiceField(
        label=_("Doelgroep"),
        choices=[
            (value, label)
            for value, label in TenderDocument.Audience.choices
            if value != TenderDocument.Audience.STAFF
        ],
        help_text=_(
            "Openbaar: iedereen, gemaild aan de abonnees van de nieuwsbrief. Geregistreerde "
            "gegadigden: aanbieders die een vraag stelden of zich voor een sessie aanmeldden. "
            "Uitgenodigde gegadigden: de aanbieders van de tweede ronde."
        ),
        widget=forms.Select(attrs=SELECT),
    )
    publish_at = _moment(
        _("Publicatiemoment"),
        _(
            "Leeg: nu. Een moment in de toekomst: het document verschijnt en wordt gemaild zodra "
            "het zover is."
        ),
        required=False,
    )
    replaces = forms.ModelChoiceField(
        label=_("Nieuwe versie van"),
        queryset=TenderDocument.objects.none(),
        required=False,
        empty_label=_("(geen: een nieuw document)"),
        help_text=_("De vorige versie blijft zichtbaar als vervallen."),
        widget=forms.Select(attrs=SELECT),
    )
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("PDF, Word (DOCX), Excel (XLSX) of OpenDocument (ODT, ODS)."),
        widget=forms.ClearableFileInput(attrs=TEXT),
    )

    def __init__(self, *args, replaceable=None, has_selection=True, **kwargs):
        super().__init__(*args, **kwargs)
        if replaceable is not None:
            self.fields["replaces"].queryset = replaceable
        if not has_selection:
            # One round (open procedure, Open House): no selection guide and no round 2.
            Category, Audience = TenderDocument.Category, TenderDocument.Audience
            self.fields["category"].choices = [
                choice
                for choice in self.fields["category"].choices
                if choice[0] != Category.GUIDE_SELECTION
            ]
            self.fields["audience"].choices = [
                choice
                for choice in self.fields["audience"].choices
                if choice[0] != Audience.INVITED
            ]
        self.fields["replaces"].label_from_instance = lambda d: (
            _("%(title)s (versie %(v)s)")
            % {
                "title": d.title,
                "v": d.version,
            }
        )


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Toelichting in de mail"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3}),
    )


class NewsletterIssueForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    theme = forms.CharField(
        label=_("Thema"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld 'Jeugd en gezin'."),
        widget=forms.TextInput(attrs=TEXT),
    )
    body = forms.CharField(
        label=_("Tekst"),
        required=False,
        help_text=_("Een witregel begint een nieuwe alinea."),
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 8}),
    )
    news_items = forms.ModelMultipleChoiceField(
        label=_("Nieuwsberichten"),
        queryset=NewsItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    documents = forms.ModelMultipleChoiceField(
        label=_("Documenten"),
        queryset=TenderDocument.objects.none(),
        required=False,
        help_text=_("Alleen openbare documenten."),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, tender: Tender, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["news_items"].queryset = NewsItem.objects.filter(
            tender=tender, published=True
        ).order_by("-published_at", "-pk")
        self.fields["documents"].queryset = documents
