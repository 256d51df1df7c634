from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracten")

    def ready(self):
        from tender.services.lifecycle import register_after, register_guard
        from tender.services.scenario import register_tender_delete

        from .services.awards import (
            awarded_needs_final_segments,
            selection_standstill_needs_letters,
            selection_standstill_start,
            standstill_needs_letters,
            standstill_start,
        )

        register_guard("start_standstill", standstill_needs_letters)
        register_after("start_standstill", standstill_start)
        register_guard("start_selection_standstill", selection_standstill_needs_letters)
        register_after("start_selection_standstill", selection_standstill_start)
        from .services.invitations import offers_need_an_invitation

        register_guard("start_offers", offers_need_an_invitation)
        from .services.contracts import (
            contracted_needs_contracts,
            contracts_activate,
            contracts_delete_of_tender,
        )

        register_guard("award", awarded_needs_final_segments)
        register_guard("contract", contracted_needs_contracts)
        register_after("contract", contracts_activate)
        register_tender_delete(contracts_delete_of_tender)
        from .services.admission import admission_close_needs_last_batch

        register_guard("close_admission", admission_close_needs_last_batch)
