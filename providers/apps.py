from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = _("Zorgaanbieders")

    def ready(self):
        from audit.sealing import register_sealed_entries
        from tender.services.lifecycle import OPENINGS, register_after
        from tender.services.scenario import register_tender_delete

        from . import checks  # noqa: F401  (registers the system checks)
        from .selectors import SEALED_AUDIT_ACTIONS, sealed_audit_entries
        from .services.envelopes import envelopes_open_after_opening
        from .services.scenario import submissions_delete_of_tender

        register_tender_delete(submissions_delete_of_tender)
        register_sealed_entries(
            sealed_audit_entries(SEALED_AUDIT_ACTIONS), prefixes=SEALED_AUDIT_ACTIONS
        )
        # Before communication's proces-verbaal (apps are ready in INSTALLED_APPS order).
        for opening in OPENINGS:
            register_after(opening, envelopes_open_after_opening)
