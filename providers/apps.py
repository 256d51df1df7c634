from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = _("Zorgaanbieders")

    def ready(self):
        from tender.services.lifecycle import register_after

        from .services import proces_verbaal_create

        register_after("open", proces_verbaal_create)
