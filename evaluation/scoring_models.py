"""Who evaluates which dossier, their conflict-of-interest declarations and the review of
requirement answers.

A module of its own (imported by ``evaluation.models``) so that the scoring workflow stays apart
from the ranking's models. Foreign keys to the evaluation app's own models are by name, so this
module never imports ``evaluation.models``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import Dossier, Organisation, RequirementAnswer
from tender.constants import Phase


class Assignment(models.Model):
    """An evaluator scores this dossier (both phases). Set by the chair."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="assignments",
        help_text=_("Het bekwaamheidsdossier dat beoordeeld wordt."),
    )
    evaluator = models.ForeignKey(
        "evaluation.Evaluator",
        verbose_name=_("beoordelaar"),
        on_delete=models.PROTECT,
        related_name="assignments",
        help_text=_("De beoordelaar die het dossier scoort."),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("toegewezen door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("De voorzitter die toewees."),
    )
    assigned_at = models.DateTimeField(
        _("toegewezen op"), default=timezone.now, help_text=_("Moment van toewijzen.")
    )

    class Meta:
        ordering = ["dossier", "evaluator__name"]
        verbose_name = _("toewijzing")
        verbose_name_plural = _("toewijzingen")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "evaluator"], name="assignment_once_per_evaluator"
            ),
        ]

    def __str__(self):
        return f"{self.evaluator} – {self.dossier_id}"


class ConflictDeclaration(models.Model):
    """An evaluator's declaration, per bidder, whether they have a conflict of interest.

    Made before any dossier of that bidder opens for them; a declared conflict blocks every
    assignment of the evaluator to that bidder's dossiers.
    """

    evaluator = models.ForeignKey(
        "evaluation.Evaluator",
        verbose_name=_("beoordelaar"),
        on_delete=models.CASCADE,
        related_name="conflict_declarations",
        help_text=_("Wie verklaart."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("inschrijver"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("De inschrijver waarvoor de verklaring geldt."),
    )
    has_conflict = models.BooleanField(
        _("belangenconflict"), help_text=_("Aan: er is een (schijn van) belangenconflict.")
    )
    note = models.TextField(
        _("toelichting"), blank=True, help_text=_("Verplicht bij een belangenconflict.")
    )
    declared_at = models.DateTimeField(
        _("verklaard op"), default=timezone.now, help_text=_("Moment van verklaren.")
    )

    class Meta:
        ordering = ["evaluator", "organisation__name"]
        verbose_name = _("verklaring belangenconflict")
        verbose_name_plural = _("verklaringen belangenconflict")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "organisation"], name="conflict_declared_once_per_bidder"
            ),
            models.CheckConstraint(
                condition=Q(has_conflict=False) | ~Q(note=""),
                name="conflict_declaration_note_required",
            ),
        ]

    def __str__(self):
        return f"{self.evaluator} / {self.organisation}: {'conflict' if self.has_conflict else '-'}"


class RequirementReview(models.Model):
    """The check of one requirement answer against its evidence, after the opening.

    The outcome is also written to ``RequirementAnswer.rejected`` / ``rejection_reason`` (what
    the ranking reads), in the same transaction.
    """

    answer = models.OneToOneField(
        RequirementAnswer,
        verbose_name=_("antwoord"),
        on_delete=models.CASCADE,
        related_name="review",
        help_text=_("Het gecontroleerde antwoord op de minimumeis."),
    )
    accepted = models.BooleanField(
        _("goedgekeurd"), help_text=_("Uit: het antwoord is afgekeurd tegen het bewijs.")
    )
    reason = models.TextField(
        _("reden"),
        blank=True,
        help_text=_("Verplicht bij afkeuren; de inschrijver krijgt deze reden te zien."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gecontroleerd door"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Voorzitter of toegewezen beoordelaar."),
    )
    reviewed_at = models.DateTimeField(
        _("gecontroleerd op"), default=timezone.now, help_text=_("Moment van de controle.")
    )

    class Meta:
        verbose_name = _("controle minimumeis")
        verbose_name_plural = _("controles minimumeisen")
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted=True) | ~Q(reason=""),
                name="requirement_review_reason_on_rejection",
            ),
        ]

    def __str__(self):
        return f"{self.answer}: {'akkoord' if self.accepted else 'afgekeurd'}"


class ScoringDeadline(models.Model):
    """By when the evaluators of a tender submit their scores in a phase. Set (and moved) by
    the chair on the assignment screen; shown on the evaluators' start page and dossier list,
    "te laat" once past while their set is not submitted (docs/rules.md, "Evaluation")."""

    tender = models.ForeignKey(
        "tender.Tender",
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="scoring_deadlines",
        help_text=_("De aanbesteding."),
    )
    phase = models.CharField(
        _("fase"),
        max_length=20,
        choices=Phase.choices,
        help_text=_("De fase waarin beoordeeld wordt."),
    )
    due_at = models.DateTimeField(
        _("beoordelen uiterlijk"), help_text=_("Uiterste moment om de scores in te dienen.")
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgesteld door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("De voorzitter die de termijn vaststelde."),
    )
    set_at = models.DateTimeField(
        _("vastgesteld op"), default=timezone.now, help_text=_("Moment van vaststellen.")
    )

    class Meta:
        ordering = ["tender", "phase"]
        verbose_name = _("beoordelingstermijn")
        verbose_name_plural = _("beoordelingstermijnen")
        constraints = [
            models.UniqueConstraint(fields=["tender", "phase"], name="scoring_deadline_per_phase"),
        ]

    def __str__(self):
        return f"{self.tender_id} {self.phase} {self.due_at:%Y-%m-%d %H:%M}"
