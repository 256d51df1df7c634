"""Lot membership gets dates: the auto-created table of ``Lot.municipalities`` becomes the
``LotMembership`` model (same table, same rows: no dates = always) and two date columns are
added; inhabitants per municipality per year get their own table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tender", "0006_requirement_phase_segment_funding"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LotMembership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "lot",
                            models.ForeignKey(
                                help_text="Perceel.",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="tender.lot",
                                verbose_name="perceel",
                            ),
                        ),
                        (
                            "municipality",
                            models.ForeignKey(
                                help_text="Deelnemende gemeente.",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lot_memberships",
                                to="tender.municipality",
                                verbose_name="gemeente",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tender_lot_municipalities",
                        "unique_together": {("lot", "municipality")},
                    },
                ),
                migrations.AlterField(
                    model_name="lot",
                    name="municipalities",
                    field=models.ManyToManyField(
                        help_text="Gemeenten die aan dit perceel deelnemen.",
                        related_name="lots",
                        through="tender.LotMembership",
                        to="tender.municipality",
                        verbose_name="deelnemende gemeenten",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="lotmembership",
            name="start_date",
            field=models.DateField(
                blank=True,
                help_text="Leeg = vanaf het begin.",
                null=True,
                verbose_name="deelname vanaf",
            ),
        ),
        migrations.AddField(
            model_name="lotmembership",
            name="end_date",
            field=models.DateField(
                blank=True,
                help_text="Leeg = zonder einde.",
                null=True,
                verbose_name="deelname tot en met",
            ),
        ),
    ]
