"""A term per contracted segment (issue 17): start, initial end (start + 3 years - 1 day) and
current end with its own extension count; extension decisions record the new end, the ends
per segment and a reason for a late decision.

Existing contracts: each segment's initial end follows from its own start, its current end
adds the contract's extensions (2 years each), and the contract's end becomes its last
segment's end. The stored schedules are recomputed afterwards by
``manage.py contracts_recompute_schedules`` (audited per tender and year; docs/rules.md).
"""

from datetime import date, timedelta

from django.db import migrations, models


def _add_years(start: date, years: int) -> date:
    # As contracts.lumpsum.add_years (a migration keeps its own copy of the rule it applies).
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def _term_end(start: date, years: int) -> date:
    return _add_years(start, years) - timedelta(days=1)


def forwards(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    ContractSegment = apps.get_model("contracts", "ContractSegment")
    for contract in Contract.objects.all():
        ends = []
        for cs in ContractSegment.objects.filter(contract=contract):
            cs.initial_end_date = _term_end(cs.start_date, 3)
            cs.extensions = contract.extensions
            cs.end_date = _term_end(cs.start_date, 3 + 2 * contract.extensions)
            cs.save(update_fields=["initial_end_date", "extensions", "end_date"])
            ends.append((cs.start_date, cs.end_date))
        if ends:
            contract.start_date = min(s for s, _ in ends)
            contract.end_date = max(e for _, e in ends)
            contract.save(update_fields=["start_date", "end_date"])


class Migration(migrations.Migration):
    dependencies = [("contracts", "0005_letterrun_heartbeat")]

    operations = [
        migrations.AddField(
            model_name="contractsegment",
            name="initial_end_date",
            field=models.DateField(
                null=True, verbose_name="einde eerste termijn",
                help_text="Startdatum plus 3 jaar min 1 dag.",
            ),
        ),
        migrations.AddField(
            model_name="contractsegment",
            name="end_date",
            field=models.DateField(
                null=True, verbose_name="einddatum",
                help_text="Einde van de lopende termijn (met verlengingen).",
            ),
        ),
        migrations.AddField(
            model_name="contractsegment",
            name="extensions",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="verlengingen", help_text="Aantal verlengingen (max. 2)."
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
