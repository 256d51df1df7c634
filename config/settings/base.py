"""Settings shared by every environment.

Everything that differs between machines comes from the environment (django-environ); the
defaults here are the *embedded default* of ``make run``: SQLite and in-process Celery tasks.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "audit",
    "accounts",
    "tender",
    "providers",
    "communication",
    "evaluation",
    "contracts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every HTML page (CONTENT_SECURITY_POLICY below).
    "config.csp.HtmlContentSecurityPolicyMiddleware",
    # An id per request (X-Request-ID), in the response and in the production log lines.
    "config.logs.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # "Achtergrondwerk is vertraagd" when a job could not be queued (broker down).
    "config.queue.QueueNoticeMiddleware",
    "accounts.middleware.SessionExpiryMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    # A refused attempt over a rate limit (accounts.ratelimit) becomes the 429 page.
    "accounts.middleware.RateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database connection error in a view: a Dutch 503 page instead of a 500.
    "config.outage.DatabaseOutageMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Dutch number display (money, hours, percent, level, number) in every template.
            "builtins": ["accounts.templatetags.dutch_numbers"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# SQLite (the embedded default) under concurrent use, e.g. two evaluators autosaving at once:
# WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock when a
# transaction begins, so two transactions that read and then write wait for each other (up to
# the busy timeout) instead of one failing at once with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),  # seconds
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Content Security Policy (django-csp, on the HTML pages: config.csp): scripts, styles, fonts
# and images from our own origin only; no inline script or style (templates keep both in
# static/), no eval, no plugins. Page data for scripts travels as json_script (type
# application/json, never executed). Framing is left to X-Frame-Options (DENY; SAMEORIGIN for
# the document viewer). data: images: Swagger UI draws its icons as data: SVG.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # the start page per role (contracts.start_views)
LOGOUT_REDIRECT_URL = "login"

# django-axes first: it refuses a locked-out username + address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after AXES_FAILURE_LIMIT failed sign-ins per username + client address (REMOTE_ADDR,
# as the audit log uses it), for AXES_COOLOFF_MINUTES; a successful sign-in resets the count.
# Administrators unlock earlier in the Django admin ("Access attempts") or `manage.py axes_reset`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"

# Rate limits (accounts.ratelimit): attempts per client address ("ip") and per account
# ("account": the user, or the e-mail address an anonymous action is about) within "seconds".
# Over a limit the action is refused with 429 and sends nothing. Sign-in counts failed
# attempts per address only: per username + address it is django-axes' lockout above.
RATE_LIMITS = {
    "login": {"ip": 30, "account": None, "seconds": 10 * 60},
    "register": {"ip": 10, "account": 5, "seconds": 60 * 60},
    "password-reset": {"ip": 10, "account": 3, "seconds": 60 * 60},
    "question": {"ip": 60, "account": 20, "seconds": 60 * 60},
    "organisation-invitation": {"ip": 30, "account": 20, "seconds": 60 * 60},
    "combination-invitation": {"ip": 30, "account": 20, "seconds": 60 * 60},
    "newsletter": {"ip": 20, "account": 5, "seconds": 60 * 60},
}

# Second factor (django-otp, TOTP) for every municipal role: accounts.permissions.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Aanbesteding Sociaal Domein")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no secrets or QR codes of other users in the admin

PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 2)
# How long the e-mail verification link of a self-registered provider works (hours).
PORTAL_EMAIL_VERIFICATION_HOURS = env.int("PORTAL_EMAIL_VERIFICATION_HOURS", default=72)

# Dutch is the source language of the UI; English is a translation (locale/en).
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"  # shown to users; stored in UTC (USE_TZ)
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Uploaded files (all encrypted before they leave the process, except the published tender
# documents) go to S3-compatible object storage when AWS_STORAGE_BUCKET_NAME is set (several
# web and worker machines then share them; README "Production"), else to MEDIA_ROOT on local
# disk (one machine). Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the
# machine's role); AWS_S3_ENDPOINT_URL points at a non-AWS service (MinIO, Ceph, a cloud's S3).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="") or None
AWS_LOCATION = env("AWS_LOCATION", default="")  # a key prefix inside the bucket
AWS_DEFAULT_ACL = None  # private: the bucket's policy applies, nothing is public
AWS_S3_FILE_OVERWRITE = False
AWS_QUERYSTRING_AUTH = True  # files are never linked anyway (tender.files serves them)
# Reading spools an object above 1 MB to a temporary file instead of memory; writing sends
# 8 MB parts, at most two in flight and two in memory (the ciphertext is made as it is sent).
AWS_S3_MAX_MEMORY_SIZE = 1024 * 1024
DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if AWS_STORAGE_BUCKET_NAME:
    from boto3.s3.transfer import TransferConfig

    AWS_S3_TRANSFER_CONFIG = TransferConfig(
        multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, max_concurrency=2
    )
    # s3transfer's own setting (boto3's constructor does not take it): parts held in memory
    # while a stream that cannot seek (the ciphertext as it is made) is sent.
    AWS_S3_TRANSFER_CONFIG.max_in_memory_upload_chunks = 2
    DEFAULT_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Every response says "do not guess the type" (SecurityMiddleware), in every environment; files
# are served by tender.files.document_response, never from MEDIA_URL.
SECURE_CONTENT_TYPE_NOSNIFF = True

# SESSION_COOKIE_AGE is also the maximum time after sign-in; SESSION_IDLE_TIMEOUT signs out
# after that many seconds without a request (accounts.middleware.SessionExpiryMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions in the database (Django's default, stated): any web machine serves any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@aanbesteding.example")

# Evaluation: every dossier that takes part is scored by at least this many evaluators before
# its phase's ranking may be finalised (evaluation.services.assignments).
EVALUATORS_PER_DOSSIER = env.int("EVALUATORS_PER_DOSSIER", default=2)
# Settlement: the band for segments without one (fraction), and whether the approver of a
# settlement must be someone else than who computed it (four eyes).
SETTLEMENT_DEFAULT_BAND = env.str("SETTLEMENT_DEFAULT_BAND", default="0.05")
SETTLEMENT_FOUR_EYES = env.bool("SETTLEMENT_FOUR_EYES", default=True)
# OCDS: the publisher's ocid prefix ("ocds-" + the 6 characters the Open Contracting
# Partnership assigns on registration). The default is a placeholder, not a registered prefix.
OCDS_OCID_PREFIX = env.str("OCDS_OCID_PREFIX", default="ocds-xxxxxx")

# Submissions (providers.uploads, providers.crypto; docs/rules.md). Files are encrypted at rest
# with a data key per tender, wrapped by SUBMISSION_MASTER_KEY (base64 of 32 random bytes; set
# in dev/test/production settings, required in production). Limits apply per uploaded file.
# UPLOAD_MAX_BYTES is the largest file of any upload (submission documents, the tender's
# document library): 100 MB by default, at most 250 MB (system check providers.E002). Uploads are
# streamed (issue 19): a file above FILE_UPLOAD_MAX_MEMORY_SIZE is hashed and encrypted as it
# arrives, in pieces of UPLOAD_CHUNK_BYTES, into a temporary file of ciphertext that is checked
# through a decrypting reader and then moved into the storage (providers.upload_handlers).
# SUBMISSION_UPLOAD_MAX_BYTES is the earlier name of the same limit, still read from the
# environment when UPLOAD_MAX_BYTES is not set.
UPLOAD_MAX_BYTES = env.int(
    "UPLOAD_MAX_BYTES",
    default=env.int("SUBMISSION_UPLOAD_MAX_BYTES", default=100 * 1024 * 1024),
)
UPLOAD_CHUNK_BYTES = env.int("UPLOAD_CHUNK_BYTES", default=1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: above it, a temporary file
FILE_UPLOAD_HANDLERS = [
    "providers.upload_handlers.MemoryUploadHandler",
    "providers.upload_handlers.EncryptingUploadHandler",
]
SUBMISSION_ZIP_MAX_UNCOMPRESSED = env.int(
    "SUBMISSION_ZIP_MAX_UNCOMPRESSED", default=200 * 1024 * 1024
)
SUBMISSION_ZIP_MAX_RATIO = env.int("SUBMISSION_ZIP_MAX_RATIO", default=100)
SUBMISSION_ZIP_MAX_ENTRIES = env.int("SUBMISSION_ZIP_MAX_ENTRIES", default=5000)
# PDF page limits per document kind (kinds without a limit are not counted).
SUBMISSION_MAX_PAGES = {
    "dossier": env.int("SUBMISSION_DOSSIER_MAX_PAGES", default=40),
    "reference": env.int("SUBMISSION_REFERENCE_MAX_PAGES", default=10),
}

# Celery: the embedded default runs tasks in-process; set CELERY_TASK_ALWAYS_EAGER=false with
# a REDIS_URL to use a real worker.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it is done, not when it starts; a worker process that dies (OOM,
# SIGKILL) rejects its task so the broker redelivers it. Every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
# Redis redelivers a message that was taken but not acknowledged after the visibility timeout
# (Celery's default: one hour). It must be longer than the longest task, or a task still at
# work is delivered a second time: the longest is the letter job (contracts.tasks
# .generate_letters, time limit 1800 s), plus 300 s margin = 2100 s (35 minutes). A job whose
# worker died shows as stalled after JOB_STALL_SECONDS and can be resumed from its screen
# before that.
CELERY_LONGEST_TASK_SECONDS = 1800
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_LONGEST_TASK_SECONDS + 300}
# A pending or running job (ranking, letter run) without a heartbeat for this many seconds is
# stalled: its worker died or it was never queued. Staff can then resume it ("Hervatten").
JOB_STALL_SECONDS = env.int("JOB_STALL_SECONDS", default=120)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # The worker heartbeat /healthz looks for (config/health.py); stale ones are dropped.
    "worker-heartbeat": {
        "task": "config.worker_heartbeat",
        "schedule": 60,
        "options": {"expires": 60},
    },
    # The award becomes final where the standstill ended without an open objection (a
    # standstill ends at 23:59:59, so the award is final within the hour after).
    "finalise-due-awards": {
        "task": "contracts.tasks.finalise_due_awards",
        "schedule": 60 * 60,
    },
    # Reminders to contract managers before a contract's extension (notice) deadline.
    "contract-extension-reminders": {
        "task": "contracts.tasks.contract_send_extension_reminders",
        "schedule": 24 * 60 * 60,
    },
    # Library documents whose (scheduled) publication moment has come are audited and mailed
    # to their audience (communication.services.documents).
    "announce-due-documents": {
        "task": "communication.tasks.announce_due_documents",
        "schedule": 5 * 60,
    },
    # Session registrants get the programme and online link on the date staff set, and
    # providers with an unsealed draft a reminder 7 and 1 day before the deadline.
    "send-due-session-details": {
        "task": "communication.tasks.send_due_session_details",
        "schedule": 60 * 60,
    },
    "send-deadline-reminders": {
        "task": "communication.tasks.send_deadline_reminders",
        "schedule": 60 * 60,
    },
    # Contracts past their end date (including extensions) are marked ended.
    "contracts-end-expired": {
        "task": "contracts.tasks.contracts_end_expired_task",
        "schedule": 24 * 60 * 60,
    },
}

# /healthz (config/health.py): Redis is pinged where tasks go through it (not in the embedded
# default), and a worker heartbeat must be younger than HEALTHZ_WORKER_MAX_AGE seconds.
HEALTHZ_CHECK_REDIS = env.bool("HEALTHZ_CHECK_REDIS", default=not CELERY_TASK_ALWAYS_EAGER)
HEALTHZ_WORKER_MAX_AGE = env.int("HEALTHZ_WORKER_MAX_AGE", default=180)
HEALTHZ_HEARTBEAT_KEY = "aanbesteding:worker-heartbeat"  # in REDIS_URL's database

# Contracts (contracts.services): the notice period before a term's end by which an extension
# is decided, the reminders before that deadline, and how instalments are split over the
# municipalities of a segment in the finance export ("equal" or "inhabitants").
CONTRACT_NOTICE_MONTHS = env.int("CONTRACT_NOTICE_MONTHS", default=6)
CONTRACT_REMINDER_MONTHS = [
    int(m) for m in env.list("CONTRACT_REMINDER_MONTHS", default=["3", "1"])
]
LUMPSUM_MUNICIPALITY_SPLIT = env("LUMPSUM_MUNICIPALITY_SPLIT", default="equal")

# API tokens (accounts.tokens): hashed, several per user, revoked by a password change; each
# expires this many days after it was made.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.IsVerifiedWhenStaff",
    ],
    # Unauthenticated sign-up endpoints (registration, accepting an invitation) per client.
    "DEFAULT_THROTTLE_RATES": {"portal-register": env("API_REGISTER_RATE", default="20/hour")},
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.ProblemAutoSchema",
    # Every refused request is an RFC 9457 problem (application/problem+json).
    "EXCEPTION_HANDLER": "config.api.exceptions.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aanbesteding Sociaal Domein API",
    "DESCRIPTION": "Tenders, rankings and contracts of social-domain care procurement.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from drf-spectacular-sidecar (our static files), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge image from the public validator (an outside host).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "SubmissionStateEnum": "providers.constants.SubmissionState",
        "SubmissionDocumentKindEnum": "providers.document_models.DocumentKind",
        "TenderStateEnum": "tender.constants.TenderState",
        "TenderDocumentKindEnum": "communication.models.TenderDocument.Kind",
        "SessionKindEnum": "communication.models.Session.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every layout step at INFO; keep its warnings only. django-axes logs
    # every sign-in at INFO; failures and lockouts are warnings (successes: its AccessLog).
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
