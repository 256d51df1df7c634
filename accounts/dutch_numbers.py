"""Dutch numbers in and out, in one place (docs/rules.md, "Getallen").

Input: ``parse_decimal`` reads what people type in a form ("500.000", "3.800,5", "EUR 1.234,56",
"0,25", "62.50"); every form field for money, hours, percentages or levels uses
``DutchDecimalField``. Output: ``money``, ``hours``, ``percent``, ``level`` and ``number`` give
the Dutch notation for pages, PDFs and letters (the template filters of the same names in
``accounts.templatetags.dutch_numbers`` are built into every template), ``csv_decimal`` for
spreadsheet exports. The notation is Dutch whatever the active language: the amounts belong to
Dutch tender documents, and a page must not change its numbers with the language switch.

Machine formats (the API, OCDS, scenario JSON, hashes) keep the decimal point and do not use
this module.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DutchDecimalField",
    "csv_decimal",
    "hours",
    "input_text",
    "level",
    "measure",
    "money",
    "number",
    "parse_decimal",
    "percent",
]

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_UNITS = re.compile(r"^(?:eur|€)|(?:eur|€|%)$", re.IGNORECASE)
_GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")  # 1.234 / 500.000 / 1.234.567
_DIGITS = re.compile(r"\d*")


def parse_decimal(text) -> Decimal | None:
    """The number in ``text`` as typed by a Dutch user; None when empty. Raises ValueError.

    - spaces (also non-breaking), a leading or trailing "EUR" or "€" and a trailing "%" are
      ignored; a leading "-" is a minus sign;
    - with a comma: the comma is the decimal separator and dots before it separate thousands
      ("3.800,5", "1.234,56", "0,25"); the dots must group by three, and no dot may follow the
      comma (so the English "1,234.56" is refused, not misread);
    - without a comma, dots that group by three separate thousands ("500.000", "1.250.000");
    - any other single dot is a decimal point ("62.50", "0.5", "0.250", "12.5");
    - anything else (two commas, "1.23.4") is refused.
    """
    if text is None:
        return None
    if isinstance(text, Decimal | int):
        return Decimal(text)
    value = _SPACES.sub("", str(text))
    value = _UNITS.sub("", value)
    if value == "":
        return None
    sign = ""
    if value[0] in "-+":
        sign, value = ("-" if value[0] == "-" else ""), value[1:]
        value = _UNITS.sub("", value)
    if "," in value:
        whole, _comma, fraction = value.partition(",")
        if "," in fraction or not _DIGITS.fullmatch(fraction):
            raise ValueError(text)
        if "." in whole:
            if not _GROUPED.fullmatch(whole):
                raise ValueError(text)
            whole = whole.replace(".", "")
    elif "." in value:
        if _GROUPED.fullmatch(value):
            whole, fraction = value.replace(".", ""), ""
        else:
            whole, _dot, fraction = value.partition(".")
            if "." in fraction:
                raise ValueError(text)
    else:
        whole, fraction = value, ""
    if not _DIGITS.fullmatch(whole) or not _DIGITS.fullmatch(fraction) or not whole + fraction:
        raise ValueError(text)
    try:
        return Decimal(f"{sign}{whole or '0'}" + (f".{fraction}" if fraction else ""))
    except InvalidOperation:
        raise ValueError(text) from None


# -- display ------------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _dutch(value: Decimal, places: int | None, *, group: bool = True) -> str:
    """``value`` with ``places`` decimals (None: as many as it has, trailing zeros dropped),
    dots between thousands and a decimal comma."""
    if places is None:
        text = format(value.normalize(), "f")
    else:
        text = format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    negative = text.startswith("-")
    whole, _dot, fraction = text.lstrip("-").partition(".")
    if group:
        whole = f"{int(whole):,}".replace(",", ".")
    result = f"{whole},{fraction}" if fraction else whole
    if negative and result.strip("0.,") != "":
        result = "-" + result
    return result


def money(value) -> str:
    """An amount in euros: "EUR 84.000,00" (always two decimals, rounded half up); "" for None."""
    number = _decimal(value)
    return "" if number is None else f"EUR {_dutch(number, 2)}"


def amount(value) -> str:
    """An amount without the currency, for cells under a "(EUR)" header: "84.000,00"."""
    number = _decimal(value)
    return "" if number is None else _dutch(number, 2)


def hours(value) -> str:
    """Hours: "2.100,5" (at most two decimals, trailing zeros dropped)."""
    number = _decimal(value)
    if number is None:
        return ""
    return _dutch(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), None)


def percent(value) -> str:
    """A percentage (the number of percents, 72.5 for 72,5 %): "72,50 %"."""
    number = _decimal(value)
    return "" if number is None else f"{_dutch(number, 2)} %"


def level(value) -> str:
    """A level or other exact figure as stored, without trailing zeros: "0,5", not "0,5000"."""
    number = _decimal(value)
    return "" if number is None else _dutch(number, None, group=False)


def number(value, places: int | None = None) -> str:
    """A plain decimal: "1.234,5"; with ``places`` exactly that many decimals ("12,50")."""
    result = _decimal(value)
    return "" if result is None else _dutch(result, places)


def measure(value, unit: str = "") -> str:
    """A KPI value or target with its unit, one format everywhere: "72,50 %" for the unit
    "%", else two decimals and the unit ("7,50 cijfer")."""
    result = _decimal(value)
    if result is None:
        return ""
    if unit == "%":
        return percent(result)
    return f"{_dutch(result, 2)} {unit}".rstrip()


def csv_decimal(value, places: int | None = 2) -> str:
    """A number for a CSV export that people open in a Dutch spreadsheet: decimal comma, no
    thousands separator ("84000,00"); "" for None."""
    result = _decimal(value)
    return "" if result is None else _dutch(result, places, group=False)


# -- input --------------------------------------------------------------------------------


def input_text(value, *, money: bool = False) -> str | None:
    """A stored value as the initial text of a form field: decimal comma, no thousands dots
    (so it parses back exactly): "0,5", "20"; money with two decimals unless it has more
    ("62,50", "1350000,00"). None for None."""
    result = _decimal(value)
    if result is None:
        return None
    if money and result == result.quantize(Decimal("0.01")):
        return _dutch(result, 2, group=False)
    return _dutch(result, None, group=False)


DECIMAL_INPUT = {
    "class": "utrecht-textbox utrecht-textbox--html-input utrecht-textbox--numeric",
    "inputmode": "decimal",
}


class DutchNumberInput(forms.TextInput):
    """A text box (not type=number, which refuses a decimal comma in some browsers) that shows
    its initial value in Dutch notation without thousands dots ("1234,5"), so it parses back."""

    def __init__(self, attrs=None):
        super().__init__(attrs={**DECIMAL_INPUT, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return level(value)
        return super().format_value(value)


class DutchDecimalField(forms.DecimalField):
    """A form field for money, hours, percentages and levels: ``parse_decimal`` whatever the
    language, then the usual DecimalField checks (digits, places, min/max)."""

    widget = DutchNumberInput
    default_error_messages = {"invalid": _("Vul een getal in, bijvoorbeeld 12,50.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            parsed = parse_decimal(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if parsed is None:
            return None
        return super().to_python(parsed)
