"""Screens of the scoring workflow, under ``beoordeling/``. The phase is part of the URL
(``selection`` or ``award``); anything else is a 404."""

from django.urls import path, register_converter

from .scoring_views import chair, documents, evaluator, review


class PhaseConverter:
    regex = "selection|award"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PhaseConverter, "phase")

prefix = "beoordeling/<slug:slug>/"
dossier = prefix + "<phase:phase>/dossier/<int:pk>/"
urlpatterns = [
    path("beoordeling/", evaluator.ScoringHomeView.as_view(), name="scoring-home"),
    # the chair: assignments, consensus
    path(prefix + "toewijzing/", chair.AssignmentsView.as_view(), name="scoring-assignments"),
    path(
        prefix + "toewijzing/termijn/",
        chair.ScoringDeadlineView.as_view(),
        name="scoring-deadline",
    ),
    path(
        prefix + "toewijzing/dossier/<int:pk>/",
        chair.AssignDossierView.as_view(),
        name="scoring-assign-dossier",
    ),
    path(
        prefix + "toewijzing/<int:pk>/<str:action>/",
        chair.AssignmentChangeView.as_view(),
        name="scoring-assignment-change",
    ),
    path(
        prefix + "<phase:phase>/consensus/",
        chair.ConsensusOverviewView.as_view(),
        name="scoring-consensus-overview",
    ),
    path(
        prefix + "<phase:phase>/consensus/<int:pk>/",
        chair.ConsensusView.as_view(),
        name="scoring-consensus",
    ),
    path(
        prefix + "<phase:phase>/consensus/<int:pk>/terugzetten/<int:evaluator_pk>/",
        chair.ReopenView.as_view(),
        name="scoring-reopen",
    ),
    # requirement review: the chair and assigned evaluators
    path(prefix + "eisen/", review.ReviewListView.as_view(), name="scoring-review-list"),
    path(prefix + "eisen/<int:pk>/", review.ReviewView.as_view(), name="scoring-review"),
    # dossier documents (after the opening; assigned evaluators and the chair)
    path(
        prefix + "document/<int:pk>/",
        documents.DossierDocumentView.as_view(),
        name="scoring-document",
    ),
    # the evaluators
    path(prefix + "<phase:phase>/", evaluator.MyDossiersView.as_view(), name="scoring-my-dossiers"),
    path(dossier, evaluator.DossierView.as_view(), name="scoring-dossier"),
    path(dossier + "verklaring/", evaluator.DeclareView.as_view(), name="scoring-declare"),
    path(dossier + "bewaren/", evaluator.SaveView.as_view(), name="scoring-save"),
    path(dossier + "indienen/", evaluator.SubmitView.as_view(), name="scoring-submit"),
    path(
        dossier + "criterium/<int:criterion_pk>/",
        evaluator.AutosaveView.as_view(),
        name="scoring-autosave",
    ),
]
