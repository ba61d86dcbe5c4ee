"""Django settings for technopark, read from the environment.

Production differs from development only by environment variables (see README and
.env.example). With DEBUG off, SECRET_KEY is required and the process refuses to start
without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(os.environ.get("TECHNOPARK_HOME", Path.cwd())).resolve()
VAR_DIR = Path(os.environ.get("TECHNOPARK_VAR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from exc


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (required when DEBUG is off)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Admin modules are discovered by technopark.core.apps, skipping django-leaflet's, which
    # needs the GDAL system library that this project does not use (no GeoDjango here).
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "ninja",  # serves its bundled Swagger UI, so /api/v1/docs works offline
    "django_htmx",
    "leaflet",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "technopark.core",
    "technopark.geo",
    "technopark.parks",
    "technopark.incentives",
    "technopark.finance",
    "technopark.siting",
    "technopark.residents",
    "technopark.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "technopark.core.middleware.RequestIdMiddleware",
    # A NUL character in a page's URL or form is a 400; in an API JSON body, a 422.
    "technopark.core.middleware.RefuseNulCharactersMiddleware",
    # Answers anonymous cached park and site reads before the session, the user and URL
    # routing; does what the middleware below would to such an answer (parks/api.py).
    "technopark.parks.api.PublicReadCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "technopark.core.middleware.ApiErrorFormatMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "technopark.config.urls"
WSGI_APPLICATION = "technopark.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "technopark.core.context_processors.roles",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'technopark.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
if DATABASE_URL == DEFAULT_DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Keeping the connection open saves ~1.4 ms a request (measured by bench/api.py).
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets readers and the single writer work at once; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("uz", _("Uzbek"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "/"

# Data freshness: a fact whose as-of date is older than this is shown as stale.
STALE_DATA_DAYS = env_int("STALE_DATA_DAYS", 365)

# Uploads: nothing larger is accepted by any form or import endpoint.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
TECHNOPARK_MAX_UPLOAD_BYTES = env_int("TECHNOPARK_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Dotted path of a callable scan(file) -> None when clean or the reason it is not; the default
# accepts everything (connect ClamAV or your infrastructure's scanner here).
TECHNOPARK_VIRUS_SCAN = os.environ.get(
    "TECHNOPARK_VIRUS_SCAN", "technopark.residents.uploads.no_virus_scan"
)

# Inquiry spam protection (no third-party service): minimum seconds to fill the form, and the
# most inquiries one address may send per hour. Behind a proxy, REMOTE_ADDR must be the client's.
TECHNOPARK_INQUIRY_MIN_SECONDS = env_int("TECHNOPARK_INQUIRY_MIN_SECONDS", 3)
TECHNOPARK_INQUIRY_RATE_PER_HOUR = env_int("TECHNOPARK_INQUIRY_RATE_PER_HOUR", 5)

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "technopark@localhost")

CACHES = {
    "default": {
        "BACKEND": "technopark.core.cache.RedisCache",  # one client per server (core/cache.py)
        "LOCATION": os.environ["REDIS_URL"],
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# On PostgreSQL each process learns of registry commits from PostgreSQL's notices (LISTEN on
# a connection of its own, parks.selectors.registry_version) instead of asking for the
# registry version on every cached API read. Off behind a pooler that does not pass LISTEN on
# (PgBouncer in transaction mode): then every read asks, as on a single request.
REGISTRY_NOTICES = env_bool("TECHNOPARK_REGISTRY_NOTICES", True)

# Background tasks (simulations, large imports, documents): stored in the database and run by
# `technopark db_worker` (started by `technopark serve`). TASKS_BACKEND=immediate runs them
# in the request instead (tests, single-process setups).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("TASKS_BACKEND") == "immediate"
        else "django_tasks_db.DatabaseBackend",
    }
}

# Map tiles: none by default (the map works offline over a graticule); a deployment with a
# tile server sets its URL template, e.g. https://tiles.example.org/{z}/{x}/{y}.png
TECHNOPARK_TILE_URL = os.environ.get("TECHNOPARK_TILE_URL", "")

# Absolute address of the site, for links in e-mails (saved-search alerts, notifications).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Finance: simulations up to this many scenarios are answered in the request; larger ones run
# as background tasks with progress.
FINANCE_INLINE_SIMULATION_MAX = env_int("FINANCE_INLINE_SIMULATION_MAX", 20_000)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (45.0, 60.0),
    "DEFAULT_ZOOM": 3,
    "MIN_ZOOM": 2,
    "MAX_ZOOM": 18,
    "TILES": [],
}

# Security: production values by default; DEBUG relaxes only what local HTTP needs.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
