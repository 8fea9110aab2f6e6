"""Capitalis settings: one module, every deployment choice read from environment variables.

Variables (all optional):
- DATABASE_URL: e.g. postgres://user@host:5432/capitalis; default SQLite in var/capitalis.sqlite3.
- SECRET_KEY: when unset, a key is generated once into var/secret_key and reused.
- DEBUG: 1/true to enable debug (``make run`` sets it); default off.
- ALLOWED_HOSTS: comma-separated; default 127.0.0.1,localhost.
- CSRF_TRUSTED_ORIGINS: comma-separated origins behind a proxy.
- HTTPS: 1/true behind TLS: secure cookies, HSTS, SSL redirect (``check --deploy`` clean).
- CELERY_BROKER_URL: Redis or RabbitMQ URL; when unset tasks run in-process.
- EMAIL_URL-like settings: EMAIL_BACKEND (console by default), DEFAULT_FROM_EMAIL.
- DECLARATION_DEPOSITOR_ID, DECLARATION_CERTIFIER_ID (8 characters each), DECLARATION_CONTRACT_ID,
  DECLARATION_CERTIFIER_NAME, DECLARATION_CERTIFIER_SIRET, DECLARATION_NATURE (CERTIFICATEUR or
  TIERS_CONFIANCE), DECLARATION_XSD: the holders' declaration (see README).
- CAPITALIS_VAR_DIR: where the SQLite file, the generated key and media live (default var/).
- PUBLIC_BASE_URL (or SITE_URL): the public origin of every printed, signed or mailed link
  (verification pages, QR codes, Open Badges ids, status lists, survey invitations); default
  http://127.0.0.1:8000; ``make run`` sets it to the address it serves on.
- CREDENTIALS_SIGNING_KEY: the Ed25519 private key that signs verifiable credentials, either the
  multibase form (``z…`` of 0x8026 + 32-byte seed) or 64 hex digits of the seed; or
  CREDENTIALS_SIGNING_KEY_FILE: a file holding it. When neither is set, a key is generated once
  into var/credentials_signing_key (mode 0600) and reused. Never stored in the database.
- CREDENTIALS_DID_WEB_DOMAIN: e.g. certif.example.fr; the issuer is then did:web:<domain> with
  verification method #key-<CREDENTIALS_KEY_ID> (default "1"); unset, the issuer is a did:key.
- MFA_REQUIRED_FOR_STAFF: 1/0; staff must use a second factor, an authenticator app or a
  security key (default: on unless DEBUG).
- API_JSON_MAX_BYTES (2 MiB), API_JSON_MAX_DEPTH (32), API_MAX_PAGE_SIZE (1000): API bodies
  and pages; DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS,
  DATA_UPLOAD_MAX_NUMBER_FILES: Django's form-body limits (its defaults).
- SPREADSHEET_MAX_MEMBERS, SPREADSHEET_MAX_UNCOMPRESSED_BYTES, SPREADSHEET_MAX_MEMBER_BYTES,
  SPREADSHEET_MAX_RATIO, SPREADSHEET_MAX_ROWS, SPREADSHEET_MAX_CELLS: what a CSV/XLSX import
  may hold (capitalis.core.spreadsheets).
- CREDENTIALS_RETIRED_KEYS: comma list of ``keyid=z6Mk…`` retired public keys kept in the DID
  document so credentials signed with them still verify.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

# Lets the typed generics of django-stubs (admin.TabularInline[Model] …) work at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable (1, true, yes, on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("CAPITALIS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's security-key list dates its keys
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "capitalis.core",
    "capitalis.accounts",
    "capitalis.referential",
    "capitalis.programmes",
    "capitalis.admissions",
    "capitalis.enrolment",
    "capitalis.finance",
    "capitalis.assessment",
    "capitalis.jury",
    "capitalis.credentials",
    "capitalis.reporting",
    "capitalis.web",
    # Accounts (django-allauth) after our apps, so capitalis/accounts/templates override theirs.
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL character anywhere in the request: 400 before any view or query (PostgreSQL).
    "capitalis.core.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff must set up a TOTP second factor before any other page.
    "capitalis.accounts.middleware.StaffMFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A DomainError a page view did not catch: its status (400/403/404/409) and message.
    "capitalis.core.middleware.DomainErrorMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Login throttling must come last (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "capitalis.urls"

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
                "capitalis.web.context_processors.csp_nonce",
                "capitalis.web.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "capitalis.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'capitalis.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
# Transactions belong to services (ARCHITECTURE.md): ATOMIC_REQUESTS stays off.
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it sees every attempt, allauth's login included.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Sign-up and password change check these against the (would-be) user: at least 12
# characters, not like the e-mail address or the name, not a common password, not only digits.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Django's login form posts the e-mail as "username" (axes would look for USERNAME_FIELD "email").
AXES_USERNAME_FORM_FIELD = "username"
# Failures count per account, not per spelling: the e-mail stripped and lower-cased, from the
# login form and from the API's basic authentication alike.
AXES_USERNAME_CALLABLE = "capitalis.accounts.throttling.axes_username"
AXES_VERBOSE = False

# --- Accounts: django-allauth (login, password reset, e-mail verification, TOTP) -------------
# Log in with the e-mail address (no username); the login form keeps the field name "username"
# so django-axes (AXES_USERNAME_FORM_FIELD) keeps counting failures per address.
ACCOUNT_ADAPTER = "capitalis.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "capitalis.accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# Candidates verify their address before submitting an application (admissions asks
# accounts.queries.email_is_verified); staff-created accounts are created verified.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Capitalis] "
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = False
# One address per person, their login: changing it takes effect once the new one is confirmed.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Kept in the default cache (shared between app servers when it is Redis or the database).
# Failed logins: django-axes locks an address after AXES_FAILURE_LIMIT failures; allauth's
# per-address limit is a looser backstop so axes' lockout page is what people see.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/m/ip,10/900s/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/180s/key",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "signup": "20/m/ip",
    "manage_email": "10/m/user",
}
# Second factor: an authenticator app (TOTP) or a security key / passkey (WebAuthn), with
# recovery codes. Required for staff (is_staff or a staff role), either kind satisfying it, unless
# MFA_REQUIRED_FOR_STAFF=0; off by default in DEBUG (``make run`` demo). WebAuthn needs HTTPS
# except in DEBUG, where http://localhost is accepted.
MFA_ADAPTER = "capitalis.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "Capitalis"
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", not DEBUG)
# --- end of accounts block ---------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "capitalis" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Security: on by default where it costs nothing, the TLS-dependent parts with HTTPS=1.
HTTPS = env_bool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): only this origin's scripts, styles and images; an inline
# <script> or <style> needs the request's nonce (templates: nonce="{{ csp_nonce }}"); no inline
# event handlers or style="" attributes. htmx's own indicator styles are in web/app.css
# (htmx-config meta tag in base.html). The header carries the nonce only on pages that use it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@capitalis.invalid")

# Cache: Redis when REDIS_URL is set, the database otherwise. Either way every worker process and
# app server shares it, so the API throttles and the verification rate limits count once for the
# whole site (a per-process local-memory cache would multiply each limit by the worker count).
# The table is created by ``migrate`` (capitalis.core migration), no extra step.
CACHE_TABLE = "capitalis_cache"
CACHES: dict[str, dict[str, Any]]
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # Throttle counters are one entry per client and scope: room for many before culling.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Celery: in-process (eager) when no broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "capitalis.core.schema.CapitalisAutoSchema",
    # A DomainError a view lets through: its status (capitalis.core.exceptions) and
    # {"detail", "code"}.
    "EXCEPTION_HANDLER": "capitalis.core.handlers.api_exception_handler",
    # Programs: a personal API token (Authorization: Bearer …); people: their session + CSRF.
    # No HTTP Basic (a password hash per request, and lockouts by address). The token class
    # comes first so that a refused request answers 401 with WWW-Authenticate: Bearer.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "capitalis.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "capitalis.core.pagination.BoundedLimitOffsetPagination",
    "DEFAULT_PARSER_CLASSES": [
        "capitalis.core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "600/minute"),
        "user": os.environ.get("API_USER_RATE", "3000/minute"),
    },
}
# Hostile input (capitalis.core): bounds checked before anything is parsed or queried.
# API JSON bodies: bytes and nesting depth (DRF reads the stream: DATA_UPLOAD_MAX_MEMORY_SIZE
# does not apply to them); the largest ?limit= of a paginated list.
API_JSON_MAX_BYTES = int(os.environ.get("API_JSON_MAX_BYTES", str(2 * 1024 * 1024)))
API_JSON_MAX_DEPTH = int(os.environ.get("API_JSON_MAX_DEPTH", "32"))
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "1000"))
# Form bodies (Django's own checks, stated here so they are visible): 2.5 MB of fields outside
# file uploads, 1000 fields, 100 files; larger uploads spool to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2621440)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", "1000"))
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FILES", "100"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
# Spreadsheet imports (capitalis.core.spreadsheets): an XLSX is refused before it is parsed
# when its zip holds more members, more uncompressed bytes (in all or in one member) or a
# member compressed more than this ratio; CSV and XLSX alike stop at these many rows or cells
# (200,000 rows: the results benchmark imports 4,000 learners x 25 competencies).
SPREADSHEET_MAX_MEMBERS = int(os.environ.get("SPREADSHEET_MAX_MEMBERS", "200"))
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("SPREADSHEET_MAX_UNCOMPRESSED_BYTES", str(20 * 1024 * 1024))
)
SPREADSHEET_MAX_MEMBER_BYTES = int(
    os.environ.get("SPREADSHEET_MAX_MEMBER_BYTES", str(20 * 1024 * 1024))
)
SPREADSHEET_MAX_RATIO = int(os.environ.get("SPREADSHEET_MAX_RATIO", "100"))
SPREADSHEET_MAX_ROWS = int(os.environ.get("SPREADSHEET_MAX_ROWS", "200000"))
SPREADSHEET_MAX_CELLS = int(os.environ.get("SPREADSHEET_MAX_CELLS", "1000000"))

SPECTACULAR_SETTINGS = {
    "TITLE": "Capitalis API",
    "DESCRIPTION": "Competency-based professional certification: référentiel, programmes, "
    "admissions, enrolment, assessment, jury, credentials and reporting.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc are served from this site's static files (no CDN: work offline,
    # nothing loaded from another origin under the Content-Security-Policy).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind" field with their own choices: name the enums after them.
    "ENUM_NAME_OVERRIDES": {
        "CredentialKindEnum": "capitalis.credentials.models.CredentialKind",
        "IssuedDocumentKindEnum": "capitalis.credentials.models.DocumentKind",
        "SurveyKindEnum": "capitalis.reporting.models.SurveyKind",
        "ApiTokenScopeEnum": "capitalis.accounts.models.TOKEN_SCOPE_CHOICES",
        "RoleScopeEnum": "capitalis.accounts.models.SCOPE_CHOICES",
        "PreferredLanguageEnum": "capitalis.accounts.models.LANGUAGE_CHOICES",
    },
}

# Verifiable credentials (capitalis.credentials.keys): the signing key is read from the
# environment or a file, generated into VAR_DIR on first use otherwise; never in the database.
# The public origin of every printed, signed or mailed link (capitalis.core.site); SITE_URL is
# accepted as another name for it. `make run` sets it to the address it serves on.
PUBLIC_BASE_URL = (
    os.environ.get("PUBLIC_BASE_URL") or os.environ.get("SITE_URL") or "http://127.0.0.1:8000"
).rstrip("/")
CREDENTIALS_SIGNING_KEY = os.environ.get("CREDENTIALS_SIGNING_KEY", "")
CREDENTIALS_SIGNING_KEY_FILE = os.environ.get("CREDENTIALS_SIGNING_KEY_FILE", "")
CREDENTIALS_DID_WEB_DOMAIN = os.environ.get("CREDENTIALS_DID_WEB_DOMAIN", "")
CREDENTIALS_KEY_ID = os.environ.get("CREDENTIALS_KEY_ID", "1")
CREDENTIALS_RETIRED_KEYS = env_list("CREDENTIALS_RETIRED_KEYS")
# Secret files of VAR_DIR that `manage.py backup --passphrase-file` puts in the archive, encrypted
# (a key given through the environment is never written anywhere).
BACKUP_SECRET_FILES = ["credentials_signing_key", "secret_key"]
# The issuer named in a credential is the certification's certifier as the register names it
# (the same name the PDFs print); this name is used only for a certification with no certifier.
CREDENTIALS_ISSUER_NAME = os.environ.get("CREDENTIALS_ISSUER_NAME", "")
CREDENTIALS_ISSUER_URL = os.environ.get("CREDENTIALS_ISSUER_URL", PUBLIC_BASE_URL)
# Public verification pages and API: requests per minute and client address.
VERIFY_RATE_PER_MINUTE = int(os.environ.get("VERIFY_RATE_PER_MINUTE", "60"))

# Reporting (capitalis.reporting): a rate on fewer people than this is "not significant".
REPORTING_MIN_BASE = int(os.environ.get("REPORTING_MIN_BASE", "10"))

# Holders' declaration to the national register (capitalis.reporting.declarations.register): the
# identifiers the Caisse des Dépôts gives the certifier; invented demo values when unset.
DECLARATION_CERTIFIER = {
    "name": os.environ.get("DECLARATION_CERTIFIER_NAME", ""),
    "siret": os.environ.get("DECLARATION_CERTIFIER_SIRET", ""),
    "depositor_id": os.environ.get("DECLARATION_DEPOSITOR_ID", ""),
    "certifier_id": os.environ.get("DECLARATION_CERTIFIER_ID", ""),
    "contract_id": os.environ.get("DECLARATION_CONTRACT_ID", ""),
    "nature": os.environ.get("DECLARATION_NATURE", ""),
}
DECLARATION_XSD = os.environ.get("DECLARATION_XSD", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
