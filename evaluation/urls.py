from django.urls import path

from . import export_views, views

prefix = "aanbestedingen/<slug:slug>/ranking/<str:phase>/"
urlpatterns = [
    path(prefix, views.RankingOverviewView.as_view(), name="ranking-overview"),
    path(
        prefix + "berekening/<int:pk>/",
        views.RankingProgressView.as_view(),
        name="ranking-progress",
    ),
    path(
        prefix + "berekening/<int:pk>/vaststellen/",
        views.RankingFinaliseView.as_view(),
        name="ranking-finalise",
    ),
    path(
        prefix + "berekening/<int:pk>/hervatten/",
        views.RankingResumeView.as_view(),
        name="ranking-resume",
    ),
    path(
        prefix + "berekening/<int:pk>/narekenen/",
        views.RankingRerunView.as_view(),
        name="ranking-rerun",
    ),
    path(
        prefix + "segment/<str:code>/", views.RankingSegmentView.as_view(), name="ranking-segment"
    ),
    path(
        prefix + "berekening/<int:pk>/heropenen/",
        views.RankingReopenView.as_view(),
        name="ranking-reopen",
    ),
    path(
        prefix + "berekening/<int:pk>/ranking.csv",
        export_views.RankingCsvView.as_view(),
        name="ranking-export-csv",
    ),
    path(prefix + "scores.xlsx", export_views.ScoresWorkbookView.as_view(), name="scores-export"),
]
