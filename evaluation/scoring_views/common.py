"""What every scoring screen needs: the tender and phase from the URL, access, dossier facts."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import can_be_assigned
from tender.constants import Phase
from tender.models import Tender

from ..permissions import can_assign
from ..scoring_selectors import tender_readable


def phase_title(phase: str) -> str:
    return _("Selectiefase") if phase == Phase.SELECTION else _("Gunningsfase")


class ScoringAccessMixin(LoginRequiredMixin):
    """Login required; 404 for anyone who is neither an evaluator nor the chair, and for a
    tender whose bids may not be read (before the opening, cancelled)."""

    chair_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        user = request.user
        if self.chair_only and not can_assign(user, None):
            raise Http404
        if not (can_assign(user, None) or can_be_assigned(user)):
            raise Http404
        self.tender = None
        if "slug" in kwargs:
            self.tender = get_object_or_404(
                Tender.objects.select_related("region"), slug=kwargs["slug"]
            )
            if not tender_readable(self.tender):
                raise Http404
        self.phase = kwargs.get("phase")
        return super().dispatch(request, *args, **kwargs)

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
