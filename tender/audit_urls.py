from django.urls import path

from . import audit_views

prefix = "aanbestedingen/<slug:slug>/auditlog/"
urlpatterns = [
    path("auditlog/", audit_views.AuditHomeView.as_view(), name="audit-home"),
    path("auditlog/controle/", audit_views.AuditVerifyView.as_view(), name="audit-verify"),
    path(
        "auditlog/controle/<int:pk>/",
        audit_views.AuditVerifyProgressView.as_view(),
        name="audit-verify-progress",
    ),
    path(prefix, audit_views.TenderAuditLogView.as_view(), name="audit-log"),
    path(
        prefix + "auditlog.csv",
        audit_views.TenderAuditExportView.as_view(),
        name="audit-log-export",
    ),
    path(prefix + "<int:seq>/", audit_views.TenderAuditEntryView.as_view(), name="audit-entry"),
]
