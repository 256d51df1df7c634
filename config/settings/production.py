"""Production settings: every secret comes from the environment, no defaults."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Wraps the per-tender data keys of the encrypted submission files (docs/operations.md).
SUBMISSION_MASTER_KEY = env("SUBMISSION_MASTER_KEY")
DATABASES = {"default": env.db("DATABASE_URL")}
# Each web or worker process keeps its database connection for 60 s (checked before reuse)
# unless DATABASE_URL says otherwise (`?conn_max_age=0`: a new one per request). At a deadline
# a new connection per seal cost more than the seal itself (bench/surge.py).
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_TASK_ALWAYS_EAGER = False
# One cache for every web process (rate limits, DRF throttles): Redis at CACHE_URL, by default
# the REDIS_URL Celery uses (cache keys carry a prefix of their own).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),  # noqa: F405
    }
}
HEALTHZ_CHECK_REDIS = True
# The load balancer's probe of /healthz may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# Mail through EMAIL_URL, e.g. smtp+tls://user:pass@mail.example.org:587
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))

# Logs: one JSON object per line on stderr (config/logs.py), for the web process and, as the
# worker leaves the root logger alone, for Celery too.
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {"json": {"()": "config.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors to Sentry only where SENTRY_DSN is set; without it sentry_sdk is not even imported.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # no user names, addresses, cookies or request bodies
    )

# Static files served by the web process itself (compressed, cache-busting names).
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
# Uploaded files: S3 when AWS_STORAGE_BUCKET_NAME is set, else MEDIA_ROOT (settings/base.py).
STORAGES = {
    "default": DEFAULT_STORAGE,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
