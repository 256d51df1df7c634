"""Upgrade step for "sealed means sealed" (issue 13): seal the content of submissions and UEAs
of tenders not yet opened that was stored in plain columns before the sealed envelope existed
(``providers.services.envelopes.submissions_seal_existing``). Idempotent. Run it once after
``migrate``, then ``VACUUM FULL`` the affected tables so no old row version keeps the plain
values on disk.
"""

from django.core.management.base import BaseCommand

from providers.services.envelopes import submissions_seal_existing


class Command(BaseCommand):
    help = (
        "Verzegel de inhoud van inschrijvingen en UEA's van nog niet geopende aanbestedingen "
        "die nog in gewone kolommen staat."
    )

    def handle(self, *args, **options):
        counts = submissions_seal_existing()
        self.stdout.write(
            f"{counts['submissions']} inschrijving(en) en {counts['ueas']} UEA('s) verzegeld."
        )
