"""The structure of the UEA (Uniform Europees Aanbestedingsdocument, the European Single
Procurement Document) as the portal asks it: Deel II (the operator), Deel III (exclusion
grounds), Deel IV (selection criteria) and Deel VI (closing declaration; its signer fields are
columns of ``UEADeclaration``). Deel I (the procedure) comes from the tender, Deel V (reducing
the number of candidates) does not apply to these procedures.

Every question has a code, a kind and, for yes/no questions, the answer that needs an
explanation (``explain_when``). Answers are stored as ``{code: value}`` with ``value`` a bool
for yes/no, text otherwise, and ``{code}__explanation`` for the explanation.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

YES_NO = "yes_no"
TEXT = "text"
LONG_TEXT = "long_text"


@dataclass(frozen=True)
class Question:
    code: str
    kind: str
    label: str
    explain_when: bool | None = None
    required: bool = True


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Part:
    code: str
    title: str
    sections: tuple[Section, ...]


def _ground(code: str, label) -> Question:
    """An exclusion ground: 'ja' (it applies) needs an explanation (self-cleaning measures)."""
    return Question(code, YES_NO, label, explain_when=True)


PARTS: tuple[Part, ...] = (
    Part(
        "II",
        _("Deel II: Informatie over de ondernemer"),
        (
            Section(
                "II.A",
                _("A. Informatie over de ondernemer"),
                (
                    Question(
                        "ii_sme",
                        YES_NO,
                        _("Is de ondernemer een micro-, kleine of middelgrote onderneming (mkb)?"),
                    ),
                    Question(
                        "ii_sheltered",
                        YES_NO,
                        _(
                            "Is de opdracht voorbehouden: is de ondernemer een sociale werkplaats "
                            "of een sociale onderneming?"
                        ),
                        explain_when=True,
                    ),
                ),
            ),
            Section(
                "II.B",
                _("B. Informatie over de vertegenwoordigers van de ondernemer"),
                (
                    Question("ii_rep_name", TEXT, _("Naam van de vertegenwoordiger")),
                    Question("ii_rep_role", TEXT, _("Functie of hoedanigheid")),
                    Question(
                        "ii_rep_scope",
                        LONG_TEXT,
                        _("Vorm en omvang van de vertegenwoordigingsbevoegdheid"),
                    ),
                ),
            ),
            Section(
                "II.C",
                _("C. Informatie over het beroep op de draagkracht van andere entiteiten"),
                (
                    Question(
                        "ii_reliance",
                        YES_NO,
                        _(
                            "Doet de ondernemer een beroep op de draagkracht van andere "
                            "entiteiten om aan de selectiecriteria te voldoen?"
                        ),
                        explain_when=True,
                    ),
                ),
            ),
            Section(
                "II.D",
                _("D. Informatie over onderaannemers"),
                (
                    Question(
                        "ii_subcontracting",
                        YES_NO,
                        _(
                            "Is de ondernemer voornemens een deel van de opdracht in "
                            "onderaanneming te geven?"
                        ),
                        explain_when=True,
                    ),
                ),
            ),
        ),
    ),
    Part(
        "III",
        _("Deel III: Uitsluitingsgronden"),
        (
            Section(
                "III.A",
                _("A. Gronden die verband houden met strafrechtelijke veroordelingen"),
                (
                    _ground(
                        "iii_criminal_organisation",
                        _(
                            "Is de ondernemer of een bestuurder onherroepelijk veroordeeld voor "
                            "deelneming aan een criminele organisatie?"
                        ),
                    ),
                    _ground("iii_corruption", _("… voor omkoping (corruptie)?")),
                    _ground("iii_fraud", _("… voor fraude?")),
                    _ground(
                        "iii_terrorism",
                        _("… voor terroristische misdrijven of strafbare feiten in dat verband?"),
                    ),
                    _ground(
                        "iii_money_laundering",
                        _("… voor witwassen van geld of financieren van terrorisme?"),
                    ),
                    _ground(
                        "iii_child_labour",
                        _("… voor kinderarbeid en andere vormen van mensenhandel?"),
                    ),
                ),
            ),
            Section(
                "III.B",
                _(
                    "B. Gronden die verband houden met de betaling van belastingen of "
                    "sociale premies"
                ),
                (
                    _ground(
                        "iii_taxes",
                        _(
                            "Heeft de ondernemer niet voldaan aan al zijn verplichtingen tot "
                            "betaling van belastingen?"
                        ),
                    ),
                    _ground(
                        "iii_social_security",
                        _(
                            "Heeft de ondernemer niet voldaan aan al zijn verplichtingen tot "
                            "betaling van socialezekerheidspremies?"
                        ),
                    ),
                ),
            ),
            Section(
                "III.C",
                _(
                    "C. Gronden die verband houden met insolventie, belangenconflicten of "
                    "beroepsfouten"
                ),
                (
                    _ground(
                        "iii_environmental_social_labour",
                        _(
                            "Heeft de ondernemer zijn verplichtingen op het gebied van milieu-, "
                            "sociaal en arbeidsrecht geschonden?"
                        ),
                    ),
                    _ground(
                        "iii_insolvency",
                        _(
                            "Verkeert de ondernemer in staat van faillissement, insolventie of "
                            "vereffening, surseance van betaling of een vergelijkbare toestand?"
                        ),
                    ),
                    _ground(
                        "iii_misconduct",
                        _(
                            "Heeft de ondernemer zich schuldig gemaakt aan een ernstige "
                            "beroepsfout?"
                        ),
                    ),
                    _ground(
                        "iii_distortion",
                        _(
                            "Heeft de ondernemer met andere ondernemers overeenkomsten gesloten "
                            "die gericht zijn op vervalsing van de mededinging?"
                        ),
                    ),
                    _ground(
                        "iii_conflict_of_interest",
                        _(
                            "Is de ondernemer op de hoogte van een belangenconflict als gevolg "
                            "van zijn deelname aan de aanbestedingsprocedure?"
                        ),
                    ),
                    _ground(
                        "iii_prior_involvement",
                        _(
                            "Heeft de ondernemer de aanbestedende dienst geadviseerd of is hij "
                            "anderszins betrokken geweest bij de voorbereiding van de procedure?"
                        ),
                    ),
                    _ground(
                        "iii_early_termination",
                        _(
                            "Is een eerdere overheidsopdracht van de ondernemer vroegtijdig "
                            "beëindigd, of zijn schadevergoeding of andere sancties opgelegd, "
                            "wegens aanzienlijke of voortdurende tekortkomingen?"
                        ),
                    ),
                    _ground(
                        "iii_misrepresentation",
                        _(
                            "Heeft de ondernemer zich in ernstige mate schuldig gemaakt aan "
                            "valse verklaringen, of getracht het besluitvormingsproces van de "
                            "aanbestedende dienst onrechtmatig te beïnvloeden?"
                        ),
                    ),
                ),
            ),
            Section(
                "III.D",
                _("D. Zuiver nationale uitsluitingsgronden"),
                (
                    _ground(
                        "iii_national",
                        _(
                            "Zijn zuiver nationale uitsluitingsgronden van toepassing die in de "
                            "aankondiging of de aanbestedingsstukken zijn vermeld?"
                        ),
                    ),
                ),
            ),
        ),
    ),
    Part(
        "IV",
        _("Deel IV: Selectiecriteria"),
        (
            Section(
                "IV.α",
                _("α. Algemene vermelding voor alle selectiecriteria"),
                (
                    Question(
                        "iv_all_met",
                        YES_NO,
                        _("Voldoet de ondernemer aan alle vereiste selectiecriteria?"),
                        explain_when=False,
                    ),
                ),
            ),
            Section(
                "IV.A",
                _("A. Geschiktheid"),
                (
                    Question(
                        "iv_registered",
                        YES_NO,
                        _(
                            "Is de ondernemer ingeschreven in het handelsregister van de Kamer "
                            "van Koophandel?"
                        ),
                        explain_when=False,
                    ),
                ),
            ),
            Section(
                "IV.B",
                _("B. Economische en financiële draagkracht"),
                (
                    Question(
                        "iv_financial",
                        LONG_TEXT,
                        _("Verklaring over de economische en financiële draagkracht"),
                    ),
                ),
            ),
            Section(
                "IV.C",
                _("C. Technische en beroepsbekwaamheid"),
                (
                    Question(
                        "iv_technical",
                        LONG_TEXT,
                        _("Verklaring over de technische en beroepsbekwaamheid"),
                    ),
                ),
            ),
            Section(
                "IV.D",
                _("D. Kwaliteitsborging en milieubeheer"),
                (
                    Question(
                        "iv_quality",
                        LONG_TEXT,
                        _("Kwaliteitskeurmerk of -systeem (bijvoorbeeld HKZ of ISO 9001)"),
                        required=False,
                    ),
                ),
            ),
        ),
    ),
)

CLOSING_DECLARATION = _(
    "De ondergetekende verklaart formeel dat de door hem of haar in de delen II tot en met V "
    "hierboven verstrekte gegevens juist en correct zijn, en dat hij of zij zich volledig bewust "
    "is van de gevolgen van een ernstige valse verklaring. De ondergetekende verklaart formeel "
    "de in de verklaring bedoelde certificaten en andere bewijsstukken op verzoek en onverwijld "
    "te kunnen overleggen."
)


def questions() -> list[Question]:
    return [q for part in PARTS for section in part.sections for q in section.questions]


QUESTION_CODES = frozenset(q.code for q in questions())


def explanation_key(code: str) -> str:
    return f"{code}__explanation"


def answers_clean(data: dict) -> dict:
    """Keep only known codes with values of the right type (draft: anything may be empty)."""
    cleaned = {}
    for q in questions():
        value = data.get(q.code)
        if q.kind == YES_NO:
            if isinstance(value, bool):
                cleaned[q.code] = value
        elif isinstance(value, str) and value.strip():
            cleaned[q.code] = value.strip()
        explanation = data.get(explanation_key(q.code))
        if q.explain_when is not None and isinstance(explanation, str) and explanation.strip():
            cleaned[explanation_key(q.code)] = explanation.strip()
    return cleaned


def answers_problems(answers: dict) -> dict[str, str]:
    """What stops signing: per code, a Dutch message. Empty when complete."""
    problems = {}
    for q in questions():
        value = answers.get(q.code)
        if q.required and value in (None, ""):
            problems[q.code] = str(_("Beantwoord deze vraag."))
        elif (
            q.kind == YES_NO
            and q.explain_when is not None
            and value is q.explain_when
            and not answers.get(explanation_key(q.code))
        ):
            problems[explanation_key(q.code)] = str(_("Licht uw antwoord toe."))
    return problems


def answered_parts(answers: dict) -> list[dict]:
    """The parts with each question's answer, for the PDF and the read-only page."""
    result = []
    for part in PARTS:
        sections = []
        for section in part.sections:
            items = []
            for q in section.questions:
                value = answers.get(q.code)
                if q.kind == YES_NO:
                    shown = {True: _("Ja"), False: _("Nee")}.get(value, "—")
                else:
                    shown = value or "—"
                items.append(
                    {
                        "code": q.code,
                        "label": q.label,
                        "answer": shown,
                        "explanation": answers.get(explanation_key(q.code), ""),
                    }
                )
            sections.append({"title": section.title, "items": items})
        result.append({"code": part.code, "title": part.title, "sections": sections})
    return result
