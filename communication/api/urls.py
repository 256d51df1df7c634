"""API routes for sessions, questions and the public tender information."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import provider_views, views

router = SimpleRouter()
router.register("public/tenders", views.PublicTenderViewSet, basename="public-tender")
router.register("news-items", views.NewsItemViewSet, basename="news-item")
router.register("key-dates", views.KeyDateViewSet, basename="key-date")
router.register("sessions", views.SessionViewSet, basename="session")
router.register(
    "session-registrations",
    provider_views.SessionRegistrationViewSet,
    basename="session-registration",
)
router.register("questions", provider_views.QuestionViewSet, basename="question")
router.register("notas", views.NotaViewSet, basename="nota")
urlpatterns = [
    path(
        "tenders/<slug:slug>/deadline/",
        views.TenderDeadlineView.as_view(),
        name="tender-deadline",
    ),
    *router.urls,
]
