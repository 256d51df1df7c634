from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = _("Zorgaanbieders")

    def ready(self):
        from tender.services.scenario import register_tender_delete

        from . import checks  # noqa: F401  (registers the system checks)
        from .services.scenario import submissions_delete_of_tender

        register_tender_delete(submissions_delete_of_tender)
