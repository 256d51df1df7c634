"""Public tender site, sessions calendar and questions (no login for the public pages), and
the staff screens that feed them (under the staff tender pages, ``aanbestedingen/<slug>/``)."""

from django.urls import path

from . import newsletter_views, question_views, session_views
from . import public_views as public
from . import views as staff

site = "aanbesteding/<slug:slug>/"
staff_prefix = "aanbestedingen/<slug:slug>/communicatie/"

urlpatterns = [
    # public
    path("aanbesteding/", public.PublicTenderListView.as_view(), name="public-tenders"),
    path(site, public.PublicTenderView.as_view(), name="public-tender"),
    path(site + "nieuws/", public.PublicNewsListView.as_view(), name="public-news"),
    path(
        site + "nieuws/<int:pk>/", public.PublicNewsDetailView.as_view(), name="public-news-detail"
    ),
    path(
        site + "documenten/<int:pk>/", public.PublicDocumentView.as_view(), name="public-document"
    ),
    path(
        "portaal/aanbestedingen/<slug:slug>/documenten/<int:pk>/",
        public.PortalDocumentView.as_view(),
        name="portal-document",
    ),
    path(site + "agenda/", public.PublicCalendarView.as_view(), name="public-calendar"),
    path(site + "agenda/<int:pk>/", public.PublicSessionView.as_view(), name="public-session"),
    path(site + "vragen/", public.PublicQuestionsView.as_view(), name="public-questions"),
    path(site + "nieuwsbrief/", public.NewsletterSubscribeView.as_view(), name="public-newsletter"),
    path(
        site + "nieuwsbrief/archief/",
        public.NewsletterArchiveView.as_view(),
        name="public-newsletter-issues",
    ),
    path(
        site + "nieuwsbrief/archief/<int:pk>/",
        public.NewsletterIssueView.as_view(),
        name="public-newsletter-issue",
    ),
    path(
        site + "nieuwsbrief/bevestigen/<str:token>/",
        public.NewsletterTokenView.as_view(action="confirm"),
        name="public-newsletter-confirm",
    ),
    path(
        site + "nieuwsbrief/afmelden/<str:token>/",
        public.NewsletterTokenView.as_view(action="unsubscribe"),
        name="public-newsletter-unsubscribe",
    ),
    # staff
    path(staff_prefix, staff.HubView.as_view(), name="communication-hub"),
    path(staff_prefix + "nieuws/", staff.NewsView.as_view(), name="communication-news"),
    path(
        staff_prefix + "nieuws/<int:pk>/",
        staff.NewsEditView.as_view(),
        name="communication-news-edit",
    ),
    path(
        staff_prefix + "documenten/",
        staff.DocumentsView.as_view(),
        name="communication-documents",
    ),
    path(
        staff_prefix + "belangrijke-data/",
        staff.KeyDatesView.as_view(),
        name="communication-key-dates",
    ),
    path(
        staff_prefix + "belangrijke-data/<int:pk>/",
        staff.KeyDateEditView.as_view(),
        name="communication-key-date-edit",
    ),
    path(
        staff_prefix + "sessies/",
        session_views.SessionsView.as_view(),
        name="communication-sessions",
    ),
    path(
        staff_prefix + "sessies/nieuw/",
        session_views.SessionFormView.as_view(),
        name="communication-session-create",
    ),
    path(
        staff_prefix + "sessies/<int:pk>/",
        session_views.SessionAttendeesView.as_view(),
        name="communication-session",
    ),
    path(
        staff_prefix + "sessies/<int:pk>/wijzigen/",
        session_views.SessionFormView.as_view(),
        name="communication-session-edit",
    ),
    path(
        staff_prefix + "sessies/<int:pk>/nadere-informatie/",
        session_views.SessionActionView.as_view(action="details"),
        name="communication-session-details",
    ),
    path(
        staff_prefix + "sessies/<int:pk>/annuleren/",
        session_views.SessionActionView.as_view(action="cancel"),
        name="communication-session-cancel",
    ),
    path(
        staff_prefix + "nieuwsbrieven/",
        newsletter_views.IssuesView.as_view(),
        name="communication-newsletters",
    ),
    path(
        staff_prefix + "nieuwsbrieven/<int:pk>/",
        newsletter_views.IssueView.as_view(),
        name="communication-newsletter",
    ),
    path(
        staff_prefix + "nieuwsbrieven/<int:pk>/versturen/",
        newsletter_views.IssueSendView.as_view(),
        name="communication-newsletter-send",
    ),
    path(
        staff_prefix + "sessies/<int:pk>/deelnemers.<str:fmt>",
        session_views.SessionAttendeesExportView.as_view(),
        name="communication-session-export",
    ),
    path(
        staff_prefix + "vragen/",
        question_views.QuestionsView.as_view(),
        name="communication-questions",
    ),
    path(
        staff_prefix + "vragen/<int:pk>/",
        question_views.QuestionAnswerView.as_view(),
        name="communication-question",
    ),
    path(staff_prefix + "notas/", question_views.NotasView.as_view(), name="communication-notas"),
    path(
        staff_prefix + "notas/<int:pk>/",
        question_views.NotaView.as_view(),
        name="communication-nota",
    ),
    path(
        staff_prefix + "sluitingstermijn/",
        staff.DeadlineMoveView.as_view(),
        name="communication-deadline",
    ),
]
