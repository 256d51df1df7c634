"""Submission API (``/api/v1/portal/tenders/<slug>/submission/...``)."""

from django.urls import path

from . import submission_views as views

prefix = "portal/tenders/<slug:slug>/submission/"
urlpatterns = [
    path(prefix, views.SubmissionView.as_view(), name="submission"),
    path(prefix + "segments/", views.SegmentsView.as_view(), name="submission-segments"),
    path(prefix + "answers/", views.AnswersView.as_view(), name="submission-answers"),
    path(prefix + "dossiers/<str:code>/", views.DossierView.as_view(), name="submission-dossier"),
    path(prefix + "documents/", views.DocumentsView.as_view(), name="submission-documents"),
    path(prefix + "documents/<int:pk>/", views.DocumentView.as_view(), name="submission-document"),
    path(
        prefix + "subcontractors/",
        views.SubcontractorsView.as_view(),
        name="submission-subcontractors",
    ),
    path(
        prefix + "subcontractors/<int:pk>/",
        views.SubcontractorView.as_view(),
        name="submission-subcontractor",
    ),
    path(prefix + "seal/", views.SealView.as_view(), name="submission-seal"),
    path(prefix + "withdraw/", views.WithdrawView.as_view(), name="submission-withdraw"),
    path(
        prefix + "receipts/<int:version>/", views.ReceiptView.as_view(), name="submission-receipt"
    ),
    path(
        prefix + "receipts/<int:version>/pdf/",
        views.ReceiptPdfView.as_view(),
        name="submission-receipt-pdf",
    ),
]
