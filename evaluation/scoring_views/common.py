"""What every scoring screen needs: the tender and phase from the URL, access, dossier facts."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import can_be_assigned
from tender.constants import Phase
from tender.mixins import TenderScopedMixin

from ..permissions import can_assign
from ..scoring_selectors import tender_readable


def phase_title(phase: str) -> str:
    return _("Selectiefase") if phase == Phase.SELECTION else _("Gunningsfase")


def chairs(user) -> bool:
    """The chair's pages (assignments, consensus): who may assign evaluators."""
    return can_assign(user, None)


def _scores_anything(user) -> bool:
    return can_assign(user, None) or can_be_assigned(user)


def _readable(user, tender) -> bool:
    return tender_readable(tender)


class ScoringAccessMixin(TenderScopedMixin):
    """Login required; 404 for anyone who is neither an evaluator nor the chair, and for a
    tender whose bids may not be read (before the opening, cancelled)."""

    user_predicate = staticmethod(_scores_anything)
    tender_predicate = staticmethod(_readable)

    def check_tender(self):
        self.phase = self.kwargs.get("phase")
        return None

    def phase_crumb(self, url_name: str | None = None, label: str = ""):
        """(url, title) of the tender-and-phase level: linked when ``url_name`` is given."""
        phase = phase_title(self.phase).lower()
        title = (
            f"{self.tender.title}: {label} {phase}" if label else f"{self.tender.title}: {phase}"
        )
        return (reverse(url_name, args=[self.tender.slug, self.phase]) if url_name else None, title)

    def base_context(self, **extra):
        context = {
            "tender": self.tender,
            "phase": self.phase,
            "is_chair": can_assign(self.request.user, self.tender),
        }
        if self.phase:
            context["phase_title"] = phase_title(self.phase)
        context.update(extra)
        return context
