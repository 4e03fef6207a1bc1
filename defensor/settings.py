"""Defensor settings: one module, every value from the environment.

`DEFENSOR_ENV` is `development` (default), `test` or `production`. Development
defaults are safe to run on a laptop; production refuses to start with any of them
for secrets (see `_refuse_unsafe_production` at the end).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from defensor.core.environment import ConfigurationError, envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("DEFENSOR_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = envstr("DEFENSOR_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ConfigurationError("DEFENSOR_ENV must be development, test or production")
PRODUCTION = ENVIRONMENT == "production"
TESTING = ENVIRONMENT == "test"
if not PRODUCTION:
    # The local state of a development machine: SQLite database, key file, mail, media.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production-3f9a1c7e5b2d"  # noqa: S105
SECRET_KEY = envstr("DEFENSOR_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = envbool("DEFENSOR_DEBUG", False)
# Demo logins skip MFA and every page carries a banner. Never in production.
DEMO = envbool("DEFENSOR_DEMO", False)

ALLOWED_HOSTS = envlist("DEFENSOR_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("DEFENSOR_CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("DEFENSOR_SITE_URL", "http://127.0.0.1:8000")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks_db",
    "defensor.core",
    "defensor.accounts",
    "defensor.standards",
    "defensor.directory",
    "defensor.cases",
    "defensor.recommendations",
    "defensor.monitoring",
    "defensor.campaigns",
    "defensor.public",
    "defensor.reporting",
]

# Sessions, authentication, messages and allauth session tracking pass the public pages (/act/) by:
# see defensor.core.middleware.back_office_only.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "defensor.core.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "defensor.core.back_office.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "defensor.core.back_office.AuthenticationMiddleware",
    "defensor.core.back_office.MessageMiddleware",
    "defensor.accounts.middleware.SessionLifetimeMiddleware",
    "defensor.core.back_office.UserSessionsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "defensor.accounts.middleware.ActiveOrganisationMiddleware",
    "defensor.accounts.middleware.SecondFactorRequiredMiddleware",
    "defensor.core.middleware.PrivatePagesMiddleware",
]

ROOT_URLCONF = "defensor.urls"
WSGI_APPLICATION = "defensor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "defensor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "defensor.accounts.context_processors.organisation",
            ],
        },
    }
]


def _database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative/to/project, sqlite:////absolute/path, sqlite:///:memory:
        path = unquote(parsed.path)[1:]
        if path and path != ":memory:" and not path.startswith("/"):
            path = str(BASE_DIR / path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or ":memory:",
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        pool = envbool("DEFENSOR_DB_POOL", False)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 0 if pool else envint("DEFENSOR_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {"pool": True} if pool else {},
        }
    raise ConfigurationError(f"DEFENSOR_DATABASE_URL has an unknown scheme: {parsed.scheme!r}")


DATABASE_URL = envstr("DEFENSOR_DATABASE_URL", f"sqlite:///{VAR_DIR / 'defensor.sqlite3'}")
DATABASES = {"default": _database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = envstr("DEFENSOR_CACHE_URL", "database")
if CACHE_URL.startswith("redis://") or CACHE_URL.startswith("rediss://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL == "locmem" or TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Shared by every web and worker process on one machine, with no extra service.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "defensor_cache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "reporting:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "defensor.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = envint("DEFENSOR_REAUTHENTICATION_SECONDS", 300)
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Defensor] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Defensor"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_ADAPTER = "defensor.accounts.adapters.MFAAdapter"
USERSESSIONS_TRACK_ACTIVITY = True

# Sessions: an idle timeout and an absolute lifetime, enforced by
# SessionLifetimeMiddleware; the cookie dies with the browser.
SESSION_IDLE_TIMEOUT = timedelta(minutes=envint("DEFENSOR_SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=envint("DEFENSOR_SESSION_MAX_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "__Host-defensor_session" if PRODUCTION else "defensor_session"
CSRF_COOKIE_NAME = "__Host-defensor_csrf" if PRODUCTION else "defensor_csrf"

INVITATION_LIFETIME = timedelta(hours=envint("DEFENSOR_INVITATION_HOURS", 48))

# Security headers. The CSP allows nothing from another origin, and no inline
# script or style: templates load static files only.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "manifest-src": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = envbool("DEFENSOR_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = envint("DEFENSOR_HSTS_SECONDS", 63072000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = envbool("DEFENSOR_HSTS_PRELOAD", PRODUCTION)
if envbool("DEFENSOR_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Sign-in rate limits count per visitor, not per proxy: take the address the proxy appended.
    ALLAUTH_TRUSTED_PROXY_COUNT = 1

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "defensor" / "locale"]
TIME_ZONE = envstr("DEFENSOR_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve files from the apps' static folders too, so tests and a fresh checkout need no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(envstr("DEFENSOR_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    # Uploads are encrypted before they reach the disk; they are never served
    # as static files, only through views that check access.
    "default": {"BACKEND": "defensor.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest document or photo a user may upload.
UPLOAD_MAX_BYTES = envint("DEFENSOR_UPLOAD_MAX_MB", 25) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Encryption at rest. Master keys live outside the database: in the environment
# (`DEFENSOR_MASTER_KEYS=id:base64,...`) or in a file with one `id:base64` per line.
# The first key is the active one; the others only unwrap older data keys.
MASTER_KEYS = envstr("DEFENSOR_MASTER_KEYS", "")
MASTER_KEY_FILE = envstr("DEFENSOR_MASTER_KEY_FILE", "" if PRODUCTION else str(VAR_DIR / "master.keys"))
if TESTING and not MASTER_KEYS:
    MASTER_KEYS = "test1:ZGVmZW5zb3ItdGVzdC1tYXN0ZXIta2V5LTMyYnl0ZXM="

TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else envstr("DEFENSOR_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SMTP_HOST = envstr("DEFENSOR_EMAIL_HOST", "")
DEFAULT_FROM_EMAIL = envstr("DEFENSOR_DEFAULT_FROM_EMAIL", "Defensor <defensor@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if SMTP_HOST or PRODUCTION:
    # Production always sends by SMTP: to DEFENSOR_EMAIL_HOST, or else to the mail relay of this machine.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST or "localhost",
                "port": envint("DEFENSOR_EMAIL_PORT", 587 if SMTP_HOST else 25),
                "username": envstr("DEFENSOR_EMAIL_USER", ""),
                "password": envstr("DEFENSOR_EMAIL_PASSWORD", ""),
                "use_tls": envbool("DEFENSOR_EMAIL_USE_TLS", bool(SMTP_HOST)),
                "timeout": 20,
            },
        }
    }
else:
    # Without an SMTP server (a laptop running the demo), mail is written to files
    # in var/mail so that invitation links can still be opened.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

LOG_LEVEL = envstr("DEFENSOR_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


def _refuse_unsafe_production() -> None:
    problems = []
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("DEFENSOR_SECRET_KEY is missing, too short or the development key")
    if not MASTER_KEYS and not (MASTER_KEY_FILE and Path(MASTER_KEY_FILE).is_file()):
        problems.append("no master key: set DEFENSOR_MASTER_KEYS or DEFENSOR_MASTER_KEY_FILE")
    if DEBUG:
        problems.append("DEFENSOR_DEBUG is on")
    if DEMO:
        problems.append("DEFENSOR_DEMO is on")
    if not ALLOWED_HOSTS:
        problems.append("DEFENSOR_ALLOWED_HOSTS is empty")
    if problems:
        raise ConfigurationError("Refusing to start in production: " + "; ".join(problems))


if PRODUCTION:
    _refuse_unsafe_production()
