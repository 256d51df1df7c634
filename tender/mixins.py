"""The one access layer for pages and API views about one tender: resolve the tender from its
slug and refuse with a 404 whoever may not see it (a tender a user may not see does not exist
for them). Each view family configures it with its permission predicate."""

from collections.abc import Callable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from .models import Tender

TenderPredicate = Callable[..., bool]  # (user, tender) -> bool


def tender_or_404(
    user, slug: str, *, queryset: QuerySet | None = None, predicate: TenderPredicate | None = None
) -> Tender:
    """The tender with ``slug`` in ``queryset`` (every tender) for which ``predicate(user,
    tender)`` holds; else ``Http404`` (a DRF view answers it as a 404 problem)."""
    tender = get_object_or_404(Tender.objects.all() if queryset is None else queryset, slug=slug)
    if predicate is not None and not predicate(user, tender):
        raise Http404
    return tender


class TenderScopedMixin(LoginRequiredMixin):
    """A page about the tender in the URL (``slug``): login required, then ``self.tender``.

    Configure with ``staticmethod`` predicates ``(user, tender) -> bool``:

    - ``user_predicate(user)``: may the user use these pages at all (else 404, before the
      tender is looked up);
    - ``tender_predicate``: may the user see this tender here (else 404);
    - ``manage_predicate``: sets ``self.can_manage``; with ``post_needs_manage`` a POST by a
      user who may only look is a 404 too;
    - ``tender_queryset()``: where the tender is looked up (default: every tender);
    - ``check_tender()``: what else the family checks once the tender is known; it may raise
      ``Http404`` or return a response that refuses (e.g. a 403 with the reason).

    A view of the family without a slug in its URL gets ``self.tender = None``.
    """

    user_predicate: Callable[..., bool] | None = None
    tender_predicate: TenderPredicate | None = None
    manage_predicate: TenderPredicate | None = None
    post_needs_manage = False

    def tender_queryset(self) -> QuerySet:
        return Tender.objects.select_related("region")

    def check_tender(self) -> HttpResponse | None:
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.user_predicate is not None and not self.user_predicate(request.user):
            raise Http404
        self.tender = None
        self.can_manage = False
        if "slug" in kwargs:
            self.tender = tender_or_404(
                request.user,
                kwargs["slug"],
                queryset=self.tender_queryset(),
                predicate=self.tender_predicate,
            )
            if self.manage_predicate is not None:
                self.can_manage = self.manage_predicate(request.user, self.tender)
            if self.post_needs_manage and request.method == "POST" and not self.can_manage:
                raise Http404
        refusal = self.check_tender()
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)
