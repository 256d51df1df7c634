"""Root of the REST API (/api/v1/); each app contributes its routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("tender.api.urls")),
    path("", include("tender.api.setup_urls")),
    path("", include("communication.api.urls")),
    path("", include("evaluation.api.scenario_urls")),
    path("", include("evaluation.api.scoring_urls")),
    path("", include("evaluation.api.urls")),
    path("", include("providers.api.urls")),
    path("", include("providers.api.submission_urls")),
    path("", include("contracts.api.urls")),
    path("", include("contracts.api.performance_urls")),
    path("", include("contracts.api.award_urls")),
]
