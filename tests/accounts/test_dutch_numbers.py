"""Dutch numbers in and out (docs/rules.md, "Getallen"): the one parser and the one set of
display filters, as a table of inputs and outputs."""

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from accounts.dutch_numbers import (
    DutchDecimalField,
    csv_decimal,
    hours,
    level,
    money,
    number,
    parse_decimal,
    percent,
)

PARSED = [
    ("500.000", "500000"),
    ("3.800,5", "3800.5"),
    ("EUR 1.234,56", "1234.56"),
    ("0,25", "0.25"),
    ("62.50", "62.50"),  # one point, not three digits after it: a decimal point
    ("62,50", "62.50"),
    ("1.250.000", "1250000"),
    ("1.350.000,00", "1350000.00"),
    ("€ 84.000,00", "84000.00"),
    ("€84000", "84000"),
    ("84 000,00", "84000.00"),
    ("84\u00a0000", "84000"),
    ("1234,5 EUR", "1234.5"),
    ("eur 12", "12"),
    ("72,5 %", "72.5"),
    ("0.5", "0.5"),
    ("0.250", "0.250"),  # a leading 0 cannot start a thousands group
    ("12.5", "12.5"),
    ("1.2345", "1.2345"),
    (",5", "0.5"),
    ("-3,5", "-3.5"),
    ("-€ 3,50", "-3.50"),
    ("  7  ", "7"),
    ("", None),
    ("   ", None),
    ("EUR", None),
]

REFUSED = ["1,234.56", "1,2,3", "1.23.4", "12.34.567", "abc", "1.000,00,0", "1,5.0", "--1", "1e5"]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parse_reads_dutch_input(text, expected):
    result = parse_decimal(text)
    assert result == (None if expected is None else Decimal(expected))
    if expected is not None:
        assert str(result) == expected  # no places lost or invented


@pytest.mark.parametrize("text", REFUSED)
def test_parse_refuses_ambiguous_or_english_input(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


SHOWN = [
    (money, Decimal("84000"), "EUR 84.000,00"),
    (money, Decimal("84000.000000"), "EUR 84.000,00"),
    (money, Decimal("62.5"), "EUR 62,50"),
    (money, Decimal("1234567.891"), "EUR 1.234.567,89"),
    (money, Decimal("0.005"), "EUR 0,01"),  # half up, like the settlement's rounding
    (money, Decimal("-1500"), "EUR -1.500,00"),
    (money, 12, "EUR 12,00"),
    (money, None, ""),
    (hours, Decimal("2100.50"), "2.100,5"),
    (hours, Decimal("40.00"), "40"),
    (hours, Decimal("12.345"), "12,35"),
    (percent, Decimal("72.5"), "72,50 %"),
    (percent, Decimal("5"), "5,00 %"),
    (level, Decimal("0.5000"), "0,5"),
    (level, Decimal("0.25000000"), "0,25"),
    (level, Decimal("1.0000"), "1"),
    (level, Decimal("20"), "20"),
    (level, "6.500000", "6,5"),  # a manifest's decimal string
    (level, None, ""),
    (number, Decimal("1234.50"), "1.234,5"),
    (number, Decimal("20.00"), "20"),
    (csv_decimal, Decimal("84000"), "84000,00"),
    (csv_decimal, Decimal("1234.567"), "1234,57"),
]


@pytest.mark.parametrize(("show", "value", "expected"), SHOWN)
def test_display_is_dutch(show, value, expected):
    assert show(value) == expected


def test_number_with_places_and_the_filters_in_a_template_whatever_the_language():
    template = Template(
        "{{ a|money }}|{{ a|amount }}|{{ h|hours }}|{{ p|percent }}|{{ l|level }}|{{ n|number:2 }}"
    )
    context = Context(
        {
            "a": Decimal("84000"),
            "h": Decimal("3800.5"),
            "p": Decimal("72.5"),
            "l": Decimal("0.5000"),
            "n": Decimal("12.5"),
        }
    )
    expected = "EUR 84.000,00|84.000,00|3.800,5|72,50 %|0,5|12,50"
    with translation.override("nl"):
        assert template.render(context) == expected
    # The English pages keep the Dutch notation: the amounts are those of Dutch tender
    # documents, and a page does not change its figures with the language switch.
    with translation.override("en"):
        assert template.render(context) == expected


class BudgetForm(forms.Form):
    budget = DutchDecimalField(max_digits=14, decimal_places=2, min_value=0)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("500.000", "500000"), ("3.800,5", "3800.5"), ("EUR 1.234,56", "1234.56"), ("62.50", "62.50")],
)
def test_a_form_field_accepts_dutch_input(typed, expected):
    form = BudgetForm(data={"budget": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["budget"] == Decimal(expected)


def test_a_form_field_refuses_english_input_and_shows_its_value_parseable():
    form = BudgetForm(data={"budget": "84,000.00"})
    assert not form.is_valid()
    assert form.errors["budget"] == ["Vul een getal in, bijvoorbeeld 12,50."]
    initial = BudgetForm(initial={"budget": Decimal("84000.50")})
    html = str(initial["budget"])
    assert 'value="84000,5"' in html and 'inputmode="decimal"' in html
    assert parse_decimal("84000,5") == Decimal("84000.5")


def test_measure_formats_a_kpi_value_with_its_unit():
    from accounts.dutch_numbers import measure

    assert measure(Decimal("72.5"), "%") == "72,50 %"
    assert measure(Decimal("7.5"), "cijfer") == "7,50 cijfer"
    assert measure(None, "%") == ""
    rendered = Template("{{ v|measure:'%' }}").render(Context({"v": Decimal("65")}))
    assert rendered == "65,00 %"
