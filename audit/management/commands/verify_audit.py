from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEntry
from audit.services import audit_verify


class Command(BaseCommand):
    help = "Controleer de hashketen van de auditlog; exit 1 bij de eerste afwijking."

    def handle(self, *args, **options):
        problem = audit_verify()
        if problem is not None:
            raise CommandError(f"Auditlog niet intact ({problem.kind}): {problem.message}")
        count = AuditEntry.objects.count()
        self.stdout.write(f"Auditlog intact: {count} entries.")
