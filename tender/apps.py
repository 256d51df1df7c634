from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenderConfig(AppConfig):
    name = "tender"
    verbose_name = _("Aanbestedingen")
