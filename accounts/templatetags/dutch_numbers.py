"""The display filters of ``accounts.dutch_numbers``, built into every template
(config.settings TEMPLATES builtins), so no ``{% load %}`` is needed:

    {{ segment.budget|money }}         EUR 84.000,00
    {{ segment.budget|amount }}        84.000,00 (under a "(EUR)" header)
    {{ report.realised_hours|hours }}  2.100,5
    {{ share|percent }}                72,50 %
    {{ criterion.min_level|level }}    0,5
    {{ points|number:2 }}              12,50
    {{ kpi.target|measure:kpi.unit }}  72,50 % (unit "%"), 7,50 cijfer
"""

from django import template

from .. import dutch_numbers

register = template.Library()

register.filter("money", dutch_numbers.money)
register.filter("amount", dutch_numbers.amount)
register.filter("hours", dutch_numbers.hours)
register.filter("percent", dutch_numbers.percent)
register.filter("level", dutch_numbers.level)
register.filter("measure", dutch_numbers.measure)


@register.filter
def number(value, places=None) -> str:
    return dutch_numbers.number(value, None if places in (None, "") else int(places))
