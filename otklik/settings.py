"""Django settings of Otklik; every value that varies by installation comes from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from otklik.env import ConfigError, env_bool, env_choice, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("OTKLIK_VAR_DIR", BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("OTKLIK_DEBUG", False)


def _secret_key() -> str:
    """Use OTKLIK_SECRET_KEY, or a key generated once and kept in var/ for a single machine."""
    configured = env_str("OTKLIK_SECRET_KEY", "")
    if configured:
        if len(configured) < 32:
            raise ConfigError("OTKLIK_SECRET_KEY must be at least 32 characters long")
        return configured
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("OTKLIK_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("OTKLIK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_tasks_db",
    "crontask",
    "core",
    "org",
    "people",
    "nlp",
    "classification",
    "routing",
    "appeals",
    "workflow",
    "promises",
    "grouping",
    "letters",
    "delivery",
    "intake",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "otklik.urls"
WSGI_APPLICATION = "otklik.wsgi.application"
ASGI_APPLICATION = "otklik.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "org.context_processors.staff",
                "workflow.context_processors.notifications",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    """SQLite in var/ by default; DATABASE_URL (postgres://...) switches to PostgreSQL."""
    url = env_str("DATABASE_URL", "")
    if not url:
        return {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": VAR_DIR / "otklik.sqlite3",
                "OPTIONS": {
                    # IMMEDIATE takes the write lock at BEGIN, so two registrations never
                    # deadlock upgrading read locks; WAL lets readers work during writes.
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 30,
                    # A 64 MB page cache and memory-mapped reads: set-based passes over a million
                    # plans would otherwise re-read pages through the 2 MB default cache.
                    "init_command": (
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                        "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
                    ),
                },
                # A file (threads in the concurrency tests share it), one per test process.
                "TEST": {"NAME": VAR_DIR / f"test-{os.getpid()}.sqlite3"},
            }
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("OTKLIK_DB_CONN_MAX_AGE", 60, minimum=0))
    except Exception as exc:  # the parser raises several types for a malformed URL
        raise ConfigError(f"DATABASE_URL cannot be parsed: {exc}") from None
    if config.get("ENGINE") not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ConfigError("DATABASE_URL must point to PostgreSQL (postgres://...) or SQLite (sqlite:///...)")
    return {"default": dict(config)}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("OTKLIK_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag instead
SESSION_COOKIE_SECURE = env_bool("OTKLIK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("OTKLIK_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files (incoming payloads, attachments, letters, imports): the filesystem under MEDIA_ROOT, or
# an S3-compatible object store (OTKLIK_STORAGE=s3). Every app reaches them through Django's
# storage API only, so switching changes no code.
OTKLIK_STORAGE = env_choice("OTKLIK_STORAGE", "filesystem", ("filesystem", "s3"))


def _s3_options() -> dict[str, object]:
    bucket = env_str("OTKLIK_S3_BUCKET", "")
    if not bucket:
        raise ConfigError("OTKLIK_STORAGE=s3 needs OTKLIK_S3_BUCKET")
    return {
        "bucket_name": bucket,
        # Empty: Amazon's own endpoints; otherwise the store's address (another provider, MinIO…).
        "endpoint_url": env_str("OTKLIK_S3_ENDPOINT_URL", "") or None,
        # Empty keys: boto3's usual sources (its environment variables, a profile, an instance role).
        "access_key": env_str("OTKLIK_S3_ACCESS_KEY", "") or None,
        "secret_key": env_str("OTKLIK_S3_SECRET_KEY", "") or None,
        "region_name": env_str("OTKLIK_S3_REGION", "") or None,
        "location": env_str("OTKLIK_S3_PREFIX", "").strip("/"),
        "addressing_style": env_choice("OTKLIK_S3_ADDRESSING_STYLE", "path", ("path", "virtual", "auto")),
        "signature_version": "s3v4",
        # Objects are private and handed out only through Otklik's own access checks.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        # Never replace a stored object that has the same name: a payload is evidence.
        "file_overwrite": False,
    }


STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options()}
        if OTKLIK_STORAGE == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env_path("OTKLIK_MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "/media/"

# Uploads: a single attachment and a whole request are capped; anything larger is refused
# with a message before it touches the database.
OTKLIK_MAX_ATTACHMENT_MB = env_int("OTKLIK_MAX_ATTACHMENT_MB", 20, minimum=1, maximum=1024)
OTKLIK_MAX_ATTACHMENTS = env_int("OTKLIK_MAX_ATTACHMENTS", 10, minimum=1, maximum=100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = OTKLIK_MAX_ATTACHMENTS + 5

# Intake (docs/intake.md): the body that channels deliver to when there are several; the
# mailbox polled for e-mail appeals (empty host: no polling).
OTKLIK_INTAKE_BODY = env_str("OTKLIK_INTAKE_BODY", "")
OTKLIK_IMAP_HOST = env_str("OTKLIK_IMAP_HOST", "")
OTKLIK_IMAP_PORT = env_int("OTKLIK_IMAP_PORT", 993, minimum=1, maximum=65535)
OTKLIK_IMAP_SSL = env_bool("OTKLIK_IMAP_SSL", True)
# Without SSL: STARTTLS on the plain port, or (only on a trusted network) no encryption at all.
OTKLIK_IMAP_STARTTLS = env_bool("OTKLIK_IMAP_STARTTLS", False)
OTKLIK_IMAP_USER = env_str("OTKLIK_IMAP_USER", "")
OTKLIK_IMAP_PASSWORD = env_str("OTKLIK_IMAP_PASSWORD", "")
OTKLIK_IMAP_FOLDER = env_str("OTKLIK_IMAP_FOLDER", "INBOX")
OTKLIK_IMAP_BATCH = env_int("OTKLIK_IMAP_BATCH", 100, minimum=1, maximum=10_000)
# A registered letter gets an automatic acknowledgement (number, date, appeal or message) by
# e-mail; never for auto-replies, bounces and mailing lists.
OTKLIK_MAIL_ACKNOWLEDGE = env_bool("OTKLIK_MAIL_ACKNOWLEDGE", True)
# Exchange folder for document-management systems without an API: OTKLIK_EXCHANGE_DIR (below)
# holds inbox/, done/, failed/ and outbox/; its inbox is watched only when WATCH is on.
OTKLIK_EXCHANGE_WATCH = env_bool("OTKLIK_EXCHANGE_WATCH", False)
OTKLIK_EXCHANGE_CHANNEL = env_choice(
    "OTKLIK_EXCHANGE_CHANNEL", "edms", ("edms", "epgu", "sstu", "email", "post", "courier", "web")
)
# Internet reception: what a confirmed submission is (59-FZ appeal or a message), how many
# submissions one network address may start per hour, how long the e-mail code is valid.
OTKLIK_WEB_KIND = env_choice("OTKLIK_WEB_KIND", "appeal", ("appeal", "message"))
OTKLIK_WEB_PER_HOUR = env_int("OTKLIK_WEB_PER_HOUR", 5, minimum=1, maximum=10_000)
OTKLIK_WEB_CODE_MINUTES = env_int("OTKLIK_WEB_CODE_MINUTES", 30, minimum=5, maximum=1440)
# Paper scans (docs/intake.md): recognised by Tesseract in these languages, PDF pages rendered
# at this resolution, at most this many pages per letter, each page given this many seconds.
OTKLIK_OCR_LANGUAGES = env_str("OTKLIK_OCR_LANGUAGES", "rus")
OTKLIK_OCR_DPI = env_int("OTKLIK_OCR_DPI", 300, minimum=100, maximum=600)
OTKLIK_SCAN_MAX_PAGES = env_int("OTKLIK_SCAN_MAX_PAGES", 30, minimum=1, maximum=500)
OTKLIK_OCR_TIMEOUT = env_int("OTKLIK_OCR_TIMEOUT", 120, minimum=5, maximum=3600)
# Outgoing mail (the reception's confirmation codes, answers): MAILERS below, with delivery.

TASKS = {
    "default": {
        "BACKEND": env_choice(
            "OTKLIK_TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            (
                "django_tasks_db.DatabaseBackend",
                "django.tasks.backends.immediate.ImmediateBackend",
                "django.tasks.backends.dummy.DummyBackend",
            ),
        ),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["org.permissions.IsStaffMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Otklik API",
    "DESCRIPTION": "Citizens' appeals: registry, questions, classifier.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["org.permissions.IsStaffMember"],
}

# Domain settings: the defaults are what most regulations do; a body changes them here.
OTKLIK_AT_RISK_DAYS = env_int("OTKLIK_AT_RISK_DAYS", 3, minimum=0, maximum=60)
OTKLIK_DEADLINE_SHIFT = env_choice("OTKLIK_DEADLINE_SHIFT", "previous", ("previous", "next", "none"))
OTKLIK_MESSAGE_DAYS = env_int("OTKLIK_MESSAGE_DAYS", 10, minimum=1, maximum=60)
# Forecasts use a stage's historical median once it has this many finished samples.
OTKLIK_FORECAST_MIN_SAMPLES = env_int("OTKLIK_FORECAST_MIN_SAMPLES", 5, minimum=1)
# ...learned from the stages finished in this many last days (refreshed hourly).
OTKLIK_FORECAST_HISTORY_DAYS = env_int("OTKLIK_FORECAST_HISTORY_DAYS", 365, minimum=7, maximum=3650)
OTKLIK_PAGE_SIZE = env_int("OTKLIK_PAGE_SIZE", 25, minimum=5, maximum=500)
OTKLIK_EXPORT_MAX_ROWS = env_int("OTKLIK_EXPORT_MAX_ROWS", 100_000, minimum=100)

# Recognising known applicants (docs/dedup.md): match weights in bits (log2 odds that a card is
# the person). At or above AUTOLINK a card is linked without asking (when nothing conflicts);
# at or above PROPOSE it is shown to the operator; below, a new card is made. Applicants with no
# appeal registered in the last RETENTION years are anonymised (0 = never).
OTKLIK_DEDUP_AUTOLINK_WEIGHT = env_int("OTKLIK_DEDUP_AUTOLINK_WEIGHT", 6, minimum=-10, maximum=60)
OTKLIK_DEDUP_PROPOSE_WEIGHT = env_int("OTKLIK_DEDUP_PROPOSE_WEIGHT", -2, minimum=-30, maximum=60)
if OTKLIK_DEDUP_PROPOSE_WEIGHT > OTKLIK_DEDUP_AUTOLINK_WEIGHT:
    raise ConfigError("OTKLIK_DEDUP_PROPOSE_WEIGHT must not be above OTKLIK_DEDUP_AUTOLINK_WEIGHT")
OTKLIK_APPLICANT_RETENTION_YEARS = env_int("OTKLIK_APPLICANT_RETENTION_YEARS", 5, minimum=0, maximum=100)
# Subject groups: the public address of this installation, for links to published answers.
OTKLIK_PUBLIC_BASE_URL = env_str("OTKLIK_PUBLIC_BASE_URL", "")

# Understanding an appeal: a suggested code is set without an operator only at this confidence
# (101 = never); learned routing decides alone only at its own; models need this much history;
# the weekly retraining waits for this many new confirmed classifications.
OTKLIK_AUTO_CLASSIFY_PERCENT = env_int("OTKLIK_AUTO_CLASSIFY_PERCENT", 90, minimum=50, maximum=101)
OTKLIK_AUTO_ROUTE_PERCENT = env_int("OTKLIK_AUTO_ROUTE_PERCENT", 80, minimum=50, maximum=101)
OTKLIK_MODEL_MIN_SAMPLES = env_int("OTKLIK_MODEL_MIN_SAMPLES", 30, minimum=10)
OTKLIK_RETRAIN_MIN_NEW = env_int("OTKLIK_RETRAIN_MIN_NEW", 50, minimum=1)

# Letters and delivery (docs/letters.md): a wording is not repeated to one applicant within this
# many days; the outbox retries a failed delivery this many times, waiting RETRY_MINUTES × 2^n.
OTKLIK_LETTER_ROTATION_DAYS = env_int("OTKLIK_LETTER_ROTATION_DAYS", 365, minimum=1, maximum=3650)
# Processes that render a batch of letters to PDF (letters of a subject group, print batches);
# 1 renders everything in the requesting process.
OTKLIK_PDF_PROCESSES = env_int("OTKLIK_PDF_PROCESSES", min(4, os.cpu_count() or 1), minimum=1, maximum=32)
OTKLIK_DELIVERY_MAX_ATTEMPTS = env_int("OTKLIK_DELIVERY_MAX_ATTEMPTS", 6, minimum=1, maximum=50)
OTKLIK_DELIVERY_RETRY_MINUTES = env_int("OTKLIK_DELIVERY_RETRY_MINUTES", 5, minimum=1, maximum=1440)
OTKLIK_DELIVERY_TIMEOUT = env_int("OTKLIK_DELIVERY_TIMEOUT", 20, minimum=1, maximum=300)
_MAIL_BACKEND = env_str("OTKLIK_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": {
            "host": env_str("OTKLIK_SMTP_HOST", "localhost"),
            "port": env_int("OTKLIK_SMTP_PORT", 25, minimum=1, maximum=65535),
            "username": env_str("OTKLIK_SMTP_USER", ""),
            "password": env_str("OTKLIK_SMTP_PASSWORD", ""),
            "use_tls": env_bool("OTKLIK_SMTP_STARTTLS", False),
            "use_ssl": env_bool("OTKLIK_SMTP_SSL", False),
            "timeout": OTKLIK_DELIVERY_TIMEOUT,
        }
        if _MAIL_BACKEND.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("OTKLIK_MAIL_FROM", "otklik@localhost")
OTKLIK_TELEGRAM_TOKEN = env_str("OTKLIK_TELEGRAM_TOKEN", "")
OTKLIK_TELEGRAM_API = env_str("OTKLIK_TELEGRAM_API", "https://api.telegram.org")
OTKLIK_VK_TOKEN = env_str("OTKLIK_VK_TOKEN", "")
OTKLIK_VK_API = env_str("OTKLIK_VK_API", "https://api.vk.com/method")
OTKLIK_VK_API_VERSION = env_str("OTKLIK_VK_API_VERSION", "5.199")
# Messenger intake (docs/intake.md). Telegram: the secret the webhook was set with (setWebhook
# secret_token; empty: the webhook refuses every request); what a confirmed bot dialogue is
# (a 547-FZ message by default, or a 59-FZ appeal); unfinished dialogues are forgotten after
# DIALOGUE_HOURS. VK Callback API: the confirmation string and the secret key from the
# community's settings, its id, what messages and wall comments are, and the hosts that
# attached files are fetched from.
OTKLIK_TELEGRAM_WEBHOOK_SECRET = env_str("OTKLIK_TELEGRAM_WEBHOOK_SECRET", "")
OTKLIK_TELEGRAM_KIND = env_choice("OTKLIK_TELEGRAM_KIND", "message", ("message", "appeal"))
OTKLIK_TELEGRAM_DIALOGUE_HOURS = env_int("OTKLIK_TELEGRAM_DIALOGUE_HOURS", 48, minimum=1, maximum=24 * 30)
OTKLIK_VK_CONFIRMATION = env_str("OTKLIK_VK_CONFIRMATION", "")
OTKLIK_VK_SECRET = env_str("OTKLIK_VK_SECRET", "")
OTKLIK_VK_GROUP_ID = env_int("OTKLIK_VK_GROUP_ID", 0, minimum=0)
OTKLIK_VK_KIND = env_choice("OTKLIK_VK_KIND", "message", ("message", "appeal"))
OTKLIK_VK_FILE_HOSTS = env_list("OTKLIK_VK_FILE_HOSTS", ["userapi.com", "vk.com", "vk.me"])
# SMS gateway: a URL template with {phone} and {text} (URL-encoded on substitution); POST when
# OTKLIK_SMS_METHOD=post (the same fields as a form); success means HTTP 2xx.
OTKLIK_SMS_URL = env_str("OTKLIK_SMS_URL", "")
OTKLIK_SMS_METHOD = env_choice("OTKLIK_SMS_METHOD", "get", ("get", "post"))
# Exchange folder for a document-management system: letters go to its outbox/, one sub-folder
# per letter with a manifest; incoming documents are read from its inbox/ (intake).
OTKLIK_EXCHANGE_DIR = env_path("OTKLIK_EXCHANGE_DIR", VAR_DIR / "exchange")

LOG_LEVEL = env_choice("OTKLIK_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The scheduler logs every lock refresh at INFO; only problems are worth a line.
        "apscheduler": {"level": "WARNING"},
        # WeasyPrint reports every rendering step at INFO; fontTools every subset.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
