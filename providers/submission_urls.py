"""The provider's submission screens (``/portaal/aanbestedingen/<slug>/inschrijving/``)."""

from django.urls import path

from . import submission_views as views

prefix = "portaal/aanbestedingen/<slug:slug>/inschrijving/"
urlpatterns = [
    path(prefix, views.SubmissionOverviewView.as_view(), name="portal-submission"),
    path(prefix + "starten/", views.SubmissionStartView.as_view(), name="portal-submission-start"),
    path(prefix + "segmenten/", views.SegmentsView.as_view(), name="portal-submission-segments"),
    path(prefix + "eisen/", views.GeneralAnswersView.as_view(), name="portal-submission-answers"),
    path(
        prefix + "segment/<str:code>/",
        views.SegmentSectionView.as_view(),
        name="portal-submission-segment",
    ),
    path(prefix + "documenten/", views.UploadView.as_view(), name="portal-submission-upload"),
    path(
        prefix + "documenten/<int:pk>/verwijderen/",
        views.DocumentDeleteView.as_view(),
        name="portal-submission-document-delete",
    ),
    path(
        prefix + "onderaannemers/",
        views.SubcontractorAddView.as_view(),
        name="portal-submission-subcontractor-add",
    ),
    path(
        prefix + "onderaannemers/<int:pk>/verwijderen/",
        views.SubcontractorRemoveView.as_view(),
        name="portal-submission-subcontractor-remove",
    ),
    path(prefix + "indienen/", views.SealView.as_view(), name="portal-submission-seal"),
    path(
        "portaal/aanbestedingen/<slug:slug>/combinatie/inschrijving/",
        views.MemberSubmissionView.as_view(),
        name="portal-member-submission",
    ),
    path(prefix + "intrekken/", views.WithdrawView.as_view(), name="portal-submission-withdraw"),
    path(
        prefix + "ontvangstbewijs/<int:version>/",
        views.ReceiptView.as_view(),
        name="portal-submission-receipt",
    ),
    path(
        prefix + "ontvangstbewijs/<int:version>/pdf/",
        views.ReceiptPdfView.as_view(),
        name="portal-submission-receipt-pdf",
    ),
]
