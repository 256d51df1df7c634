from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = _("Zorgaanbieders")

    def ready(self):
        from audit.sealing import register_sealed_entries
        from tender.services.scenario import register_tender_delete

        from .selectors import SEALED_AUDIT_ACTIONS, sealed_audit_entries
        from .services.scenario import submissions_delete_of_tender

        register_tender_delete(submissions_delete_of_tender)
        register_sealed_entries(sealed_audit_entries(SEALED_AUDIT_ACTIONS))
