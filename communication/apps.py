from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "communication"
    verbose_name = _("Communicatie")

    def ready(self):
        from providers.portal_sections import register_tender_action, register_tender_section
        from tender.services.lifecycle import OPENINGS, register_after

        from . import portal
        from .services.proces_verbaal import proces_verbaal_create

        for opening in OPENINGS:
            register_after(opening, proces_verbaal_create)
        register_tender_section("questions", portal.own_questions)
        register_tender_section("notas", portal.notas)
        register_tender_section("documents", portal.documents)
        register_tender_section("registrations", portal.own_registrations)
        register_tender_action("cancel_registration", portal.cancel_registration)
