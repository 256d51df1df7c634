from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("tender.urls")),
    path("", include("tender.setup_urls")),
    path("", include("tender.audit_urls")),
    path("", include("communication.urls")),
    path("", include("evaluation.scenario_urls")),
    path("", include("evaluation.scoring_urls")),
    path("", include("evaluation.urls")),
    path("", include("providers.portal_urls")),
    path("", include("providers.submission_urls")),
    path("", include("contracts.urls")),
    path("", include("contracts.performance_urls")),
    path("", include("contracts.award_urls")),
    path("", include("contracts.admission_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from a URL of its own (no inline script: CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]
