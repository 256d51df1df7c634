from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenderConfig(AppConfig):
    name = "tender"
    verbose_name = _("Aanbestedingen")

    def ready(self):
        from .public_sections import register_public_section
        from .services.decisions import decisions_of

        # The decisions that made provisional segments definitive (issue 15.1).
        register_public_section("decisions", decisions_of)
