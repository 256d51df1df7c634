from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Beoordeling")

    def ready(self):
        from audit.sealing import register_sealed_entries
        from providers.portal_sections import register_tender_section
        from providers.selectors import sealed_audit_entries
        from tender.public_sections import register_public_section
        from tender.services.lifecycle import register_guard
        from tender.services.scenario import register_tender_delete

        from .portal_selectors import own_results
        from .public_selectors import award_notice
        from .services.lifecycle import award_needs_final_selection, standstill_needs_final_award
        from .services.scenario import evaluation_delete_of_tender

        register_guard("start_selection_standstill", award_needs_final_selection)
        register_guard("start_standstill", standstill_needs_final_award)
        register_tender_section("results", own_results)
        register_public_section("award_notice", award_notice)
        register_tender_delete(evaluation_delete_of_tender)
        # A ranking of a tender that is not opened (computed before issue 13) shows the bids.
        register_sealed_entries(sealed_audit_entries(("ranking.",)), prefixes=("ranking.",))
