"""Start page lines of the communication (issue 18.1): per tender the questions without an
answer, and the answered questions that wait for a nota, due 6 days before the deadline of the
round open now. One query for any number of tenders."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.todos import Todo
from tender.models import Tender

from .models import Question
from .services.notas import nota_latest_publication


def question_todos(*, tenders: list[Tender]) -> list[Todo]:
    by_tender = {t.pk: t for t in tenders}
    counts = (
        Question.objects.filter(tender_id__in=by_tender)
        .values("tender_id")
        .annotate(
            open=Count("pk", filter=Q(answered_at__isnull=True)),
            unpublished=Count(
                "pk",
                filter=Q(answered_at__isnull=False)
                & (Q(nota__isnull=True) | Q(nota__published_at__isnull=True)),
            ),
        )
        .order_by("tender_id")
    )
    todos = []
    for row in counts:
        tender = by_tender[row["tender_id"]]
        if row["open"]:
            todos.append(
                Todo(
                    subject=tender.title,
                    action=ngettext(
                        "%(n)s vraag beantwoorden", "%(n)s vragen beantwoorden", row["open"]
                    )
                    % {"n": row["open"]},
                    url=reverse("communication-questions", args=[tender.slug]),
                    count=row["open"],
                    due=nota_latest_publication(tender),
                )
            )
        if row["unpublished"]:
            todos.append(
                Todo(
                    subject=tender.title,
                    action=_("Nota van inlichtingen publiceren"),
                    url=reverse("communication-notas", args=[tender.slug]),
                    count=row["unpublished"],
                    due=nota_latest_publication(tender),
                )
            )
    return todos
