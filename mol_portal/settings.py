"""MOL Portal settings.

Every value comes from the environment (see ``.env.example`` and the table in README.md).
Nothing set at all gives the *embedded default*: SQLite, eager Celery, console e-mail, media in
a local folder, DEBUG off. Setting ``DATABASE_URL`` switches to *production* mode, where
``SECRET_KEY`` and ``REDIS_URL`` are required and HTTPS hardening is on.
"""

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mol_portal import datadir

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
logger = logging.getLogger("mol_portal.settings")


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean; refuse anything that is not clearly yes or no."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_ratio(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, got {raw!r}") from exc
    if not 0 <= value <= 1:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, got {raw!r}")
    return value


# --- Mode -----------------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", False)
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Embedded default: no external database configured.
EMBEDDED = not DATABASE_URL
DATA_DIR = datadir.data_dir()

# --- Secret key -----------------------------------------------------------------------------
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY and os.environ.get("SECRET_KEY_FILE"):
    SECRET_KEY = Path(os.environ["SECRET_KEY_FILE"]).read_text(encoding="utf-8").strip()
if datadir.is_insecure(SECRET_KEY):
    if EMBEDDED or DEBUG:
        # A random key kept in the data folder (never in the repository), written by the
        # launchers (mol_portal/datadir.py). Until it exists, e.g. settings loaded by a bare
        # `django.setup()`, this process uses a key of its own and writes nothing.
        key_file = datadir.generated_key_file()
        SECRET_KEY = (
            key_file.read_text(encoding="utf-8").strip()
            if key_file is not None and key_file.exists()
            else secrets.token_urlsafe(50)
        )
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing or is a known default. Set SECRET_KEY (or SECRET_KEY_FILE) "
            "to a long random value when DEBUG is off and DATABASE_URL is set."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "accounts.apps.PortalAdminConfig",  # django.contrib.admin with the portal's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core.thirdparty_apps.PortalBeatConfig",  # django_celery_beat
    "csp",
    "core.thirdparty_apps.PortalOAuthConfig",  # oauth2_provider
    "django_otp",
    "core.thirdparty_apps.PortalOTPTOTPConfig",  # django_otp.plugins.otp_totp
    "core.thirdparty_apps.PortalOTPStaticConfig",  # django_otp.plugins.otp_static
    "core.thirdparty_apps.PortalAxesConfig",  # axes; third-party apps: core/thirdparty_apps.py
    # Ours: core and accounts first (everything depends on them), then the domain apps.
    "core",
    "accounts",
    "portal",
    "property",
    "petitions",
    "documents",
    "meetings",
    "notifications",
    "epaper",
    "decision",
    "labor_admin",
    "monitoring",
]

MIDDLEWARE = [
    "core.http.TrustedProxyMiddleware",  # first: forwarded headers only from TRUSTED_PROXIES
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ServiceUnavailableMiddleware",  # Redis/broker/database down: 503 page
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",  # zh-Hant unless switched; see core/middleware.py
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.IntranetLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns lockouts raised by the backends into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mol_portal.urls"
WSGI_APPLICATION = "mol_portal.wsgi.application"

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
                "core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("DATABASE_CONN_MAX_AGE", 60))
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "mol_portal.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mol",
            # Bounded: a Redis outage costs a request at most these seconds, never a hang.
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_CONNECT_TIMEOUT", 1, minimum=1),
                "socket_timeout": env_int("REDIS_SOCKET_TIMEOUT", 1, minimum=1),
                "retry_on_timeout": False,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
_eager_default = not REDIS_URL
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", _eager_default)
if not EMBEDDED and not REDIS_URL and "CELERY_TASK_ALWAYS_EAGER" not in os.environ:
    raise ImproperlyConfigured(
        "REDIS_URL is required when DATABASE_URL is set (it is the Celery broker). "
        "Set CELERY_TASK_ALWAYS_EAGER=1 explicitly to run jobs inline instead."
    )
CELERY_TASK_EAGER_PROPAGATES = True
# The in-memory transport is named with a host so kombu does not warn "No hostname was supplied".
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Every broker and result-store call is bounded, so publishing from a request during a Redis
# outage fails within a few seconds (and the request gets the 503 page, core.middleware)
# instead of tying up a web worker for tens of seconds: connect/socket timeouts on the broker
# transport and on the result backend, one quick publish retry.
_REDIS_CONNECT_TIMEOUT = env_int("REDIS_CONNECT_TIMEOUT", 1, minimum=1)
_REDIS_SOCKET_TIMEOUT = env_int("REDIS_SOCKET_TIMEOUT", 1, minimum=1)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With late acks, Redis hands a message that was not acknowledged within visibility_timeout to
# another worker. It is set deliberately above the longest hard time limit of any task
# (CELERY_TASK_TIME_LIMIT and the tasks' own time_limit: at most 30 minutes), so a task still
# running is never started a second time; tests/core/test_celery.py checks the margin. A task
# lost with a dead worker is re-run after this long, and the outbox sweeps make that harmless
# (nothing is sent twice) and usually unnecessary (the sweeps do the work sooner).
_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60, minimum=60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "socket_connect_timeout": _REDIS_CONNECT_TIMEOUT,
    "socket_timeout": _REDIS_SOCKET_TIMEOUT,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = _REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = _REDIS_SOCKET_TIMEOUT
CELERY_REDIS_RETRY_ON_TIMEOUT = False
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "timeout": 2}}
# Nothing reads task results (tasks record their outcome in the database): publishing then
# never touches the result store, and a dead result store cannot fail a request or a task.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "Asia/Taipei"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# No beat entries here: each app's tasks.py declares BEAT, merged by mol_portal/celery.py.
# In eager mode the web process says so once, when it loads the WSGI application
# (mol_portal/wsgi.py), not at every import of the settings.

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:intranet_home"
LOGOUT_REDIRECT_URL = "core:public_home"
PASSWORD_HASHERS = [
    # Argon2id at OWASP's baseline by default (see accounts/hashers.py); tunable upwards.
    "accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
ARGON2_MEMORY_KIB = env_int("ARGON2_MEMORY_KIB", 19456, minimum=19456)
ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 2, minimum=2)
ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 1, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every view needs a login unless the view is marked public (@login_not_required); no path
# is public by its prefix. See core/middleware.py IntranetLoginRequiredMiddleware.

AUTHENTICATION_BACKENDS = [
    # Lockout first: refuses before any backend checks a password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- accounts: lockout (django-axes) --------------------------------------------------------
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
# Lock an (account, address) pair; an account from anywhere only gets a growing delay; never
# an address alone (a ministry NAT). See accounts/lockout.py.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "accounts.lockout.PortalLockoutHandler"
LOGIN_ACCOUNT_DELAY_AFTER = env_int("LOGIN_ACCOUNT_DELAY_AFTER", 2 * AXES_FAILURE_LIMIT, minimum=1)
LOGIN_ACCOUNT_DELAY_SECONDS = env_int("LOGIN_ACCOUNT_DELAY_SECONDS", 2, minimum=1)
LOGIN_ACCOUNT_DELAY_MAX_SECONDS = env_int("LOGIN_ACCOUNT_DELAY_MAX_SECONDS", 300, minimum=1)
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The one trusted-proxy rule (TRUSTED_PROXIES), not ipware's.
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"


# --- accounts: HR ---------------------------------------------------------------------------
# HR sync (人事資訊系統): the feed pulled on a schedule and the SCIM 2.0 push endpoint.
# See accounts/README.md, section "HR sync".
# Where the scheduled sync reads the feed: a URL (GET with the bearer token) wins over a path.
HR_FEED_URL = os.environ.get("HR_FEED_URL", "").strip()
HR_FEED_TOKEN = os.environ.get("HR_FEED_TOKEN", "").strip()
HR_FEED_PATH = os.environ.get("HR_FEED_PATH", "").strip()
HR_FEED_FORMAT = os.environ.get("HR_FEED_FORMAT", "auto").strip().lower() or "auto"
if HR_FEED_FORMAT not in {"auto", "csv", "jsonl"}:
    raise ImproperlyConfigured(f"HR_FEED_FORMAT must be auto, csv or jsonl: {HR_FEED_FORMAT!r}")
HR_FEED_ENCODING = os.environ.get("HR_FEED_ENCODING", "").strip() or "utf-8-sig"
HR_FEED_TIMEOUT = env_int("HR_FEED_TIMEOUT", 30, minimum=1)
# The feed is a full export: active employees it no longer lists are deactivated as leavers.
HR_FEED_DEACTIVATE_MISSING = env_bool("HR_FEED_DEACTIVATE_MISSING", False)
HR_SYNC_INTERVAL_MINUTES = env_int("HR_SYNC_INTERVAL_MINUTES", 15, minimum=1)
# Safety valve: a feed deactivating more than this share of active users is refused whole.
HR_MAX_DEACTIVATE_RATIO = env_ratio("HR_MAX_DEACTIVATE_RATIO", 0.10)
# Bearer token of the HR system pushing to /scim/v2/ (empty: SCIM refuses every request).
HR_SCIM_TOKEN = os.environ.get("HR_SCIM_TOKEN", "").strip()

# --- accounts: OpenID Connect provider (django-oauth-toolkit) -------------------------------
OAUTH2_PROVIDER_APPLICATION_MODEL = "accounts.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    "ROTATE_REFRESH_TOKEN": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OIDC_ACCESS_TOKEN_SECONDS", 600, minimum=60),
    "ID_TOKEN_EXPIRE_SECONDS": env_int("OIDC_ID_TOKEN_SECONDS", 600, minimum=60),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OIDC_REFRESH_TOKEN_SECONDS", 8 * 3600, minimum=60),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Name, employee number, unit and title",
        "email": "E-mail address",
        "roles": "Roles in the requesting application",
    },
    "DEFAULT_SCOPES": ["openid"],
}

# --- accounts: OIDC (keys, policy, back-channel logout, rights API, counters) ----------------
# See accounts/README.md "OpenID Connect provider" and "Rights API".
# A key from the environment is checked here; a key directory is read (and its first key
# generated) on first use, not while settings load.
from accounts.oidc.keys import signing_keys_setting  # noqa: E402 - needs DATA_DIR above

OIDC_KEYS_DIR = Path(os.environ.get("OIDC_KEYS_DIR") or DATA_DIR / "oidc")
_oidc_signing_key, _oidc_published_keys = signing_keys_setting(
    pem=os.environ.get("OIDC_RSA_PRIVATE_KEY", ""),
    pem_file=os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE", ""),
    inactive_file=os.environ.get("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE", ""),
    keys_dir=OIDC_KEYS_DIR,
)
OAUTH2_PROVIDER.update(
    {
        "OIDC_RSA_PRIVATE_KEY": _oidc_signing_key,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _oidc_published_keys,
        "OIDC_ISS_ENDPOINT": os.environ.get("OIDC_ISSUER", "").rstrip("/"),
        "OAUTH2_VALIDATOR_CLASS": "accounts.oidc.validators.PortalOAuth2Validator",
        # A user who already granted the same scopes is not asked again (external clients).
        "REQUEST_APPROVAL_PROMPT": "auto",
        # Ask "log out of the portal too?" only when the spec requires it (no/foreign hint).
        "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
        # A rotated-out refresh token presented again revokes its whole family.
        "REFRESH_TOKEN_REUSE_PROTECTION": True,
        # Cheap salted hash for generated client secrets (accounts/oidc/hashers.py).
        "CLIENT_SECRET_HASHER": "pbkdf2_sha256_client",
        # RFC 9700: no implicit/password grants, S256 only, no tokens in query strings,
        # iss in authorization responses, tokens stored only as SHA-256 checksums.
        "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
        "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
        "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
        "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
        "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
        "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
        "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
        "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
        # Redirect URIs must be https in production (RFC 9700 section 2.1); plain http only in
        # the embedded default and debug, or where OIDC_ALLOW_HTTP_REDIRECTS=1 says so.
        "ALLOWED_REDIRECT_URI_SCHEMES": (
            ["http", "https"]
            if env_bool("OIDC_ALLOW_HTTP_REDIRECTS", EMBEDDED or DEBUG)
            else ["https"]
        ),
        "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
        "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
        "OAUTH2_GRANT_TYPES_SUPPORTED": [
            "authorization_code",
            "client_credentials",
            "refresh_token",
        ],
    }
)
PASSWORD_HASHERS += ["accounts.oidc.hashers.ClientSecretHasher"]
# Back-channel logout: seconds to wait for an application's answer, and attempts in all.
OIDC_BACKCHANNEL_TIMEOUT = env_int("OIDC_BACKCHANNEL_TIMEOUT", 5, minimum=1)
OIDC_BACKCHANNEL_ATTEMPTS = env_int("OIDC_BACKCHANNEL_ATTEMPTS", 6, minimum=1)
# Bearer token for monitoring to read /api/v1/sso/metrics (empty: staff sessions only).
SSO_METRICS_TOKEN = os.environ.get("SSO_METRICS_TOKEN", "").strip()

# --- accounts: MFA --------------------------------------------------------------------------
# Local password policy, second factor (TOTP + backup codes), client-certificate login,
# session limits. See accounts/README.md, section "MFA".
# Passwords: refuse the last N (0: off); force a change after N days (0: never expires).
PASSWORD_HISTORY_COUNT = env_int("PASSWORD_HISTORY_COUNT", 3, minimum=0)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90, minimum=0)
AUTH_PASSWORD_VALIDATORS += [{"NAME": "accounts.mfa.passwords.PasswordHistoryValidator"}]
# Second factor: required for staff/superusers and holders of a sensitive role; optionally all.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)
MFA_REQUIRED_FOR_ALL = env_bool("MFA_REQUIRED_FOR_ALL", False)
MFA_PENDING_SECONDS = 300  # time allowed between the first factor and the second
MFA_MAX_ATTEMPTS = 5  # wrong codes before the login has to start again
MFA_BACKUP_CODES = 10
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "MOL Portal").strip() or "MOL Portal"
# Client certificates (自然人憑證 style) verified by the reverse proxy and passed in a header,
# e.g. nginx: proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;
CLIENT_CERT_HEADER = os.environ.get("CLIENT_CERT_HEADER", "").strip()
CLIENT_CERT_TRUSTED_PROXIES = env_list("CLIENT_CERT_TRUSTED_PROXIES", [])
AUTHENTICATION_BACKENDS += ["accounts.mfa.certificates.ClientCertificateBackend"]
# Sessions: signed out after this many idle seconds; SESSION_COOKIE_AGE is enforced server-side.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
MIDDLEWARE += [
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.LoginStepsMiddleware",
]
# The lockout page (AXES_LOCKOUT_TEMPLATE) rendered with the time to retry.
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"

# --- accounts: LDAP/AD directories ----------------------------------------------------------
# One directory per agency, as a JSON list (see accounts/README.md "LDAP/AD directories").
# Empty: LDAP is off and python-ldap is not needed. Checked here, so a bad entry stops start-up.
from accounts.ldap.config import directories_from_environment  # noqa: E402

LDAP_DIRECTORIES = directories_from_environment(
    os.environ.get("LDAP_DIRECTORIES", ""), os.environ.get("LDAP_DIRECTORIES_FILE", "")
)
LDAP_SYNC_MINUTES = env_int("LDAP_SYNC_MINUTES", 60, minimum=5)
LDAP_FULL_SYNC_HOURS = env_int("LDAP_FULL_SYNC_HOURS", 24, minimum=1)
if LDAP_DIRECTORIES:
    # After AxesStandaloneBackend (lockout first) and ModelBackend (local accounts first).
    AUTHENTICATION_BACKENDS += ["accounts.ldap.backends.DirectoryBackend"]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "正體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "mol_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = datadir.static_root()
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
# Uploaded files of every app (attachments, images) are served only by views that checked the
# reader (core.files.file_response): empty = streamed through Django's storage API; a path
# (e.g. /protected-media/) = the reverse proxy serves MEDIA_ROOT there as an internal location
# and sends the bytes (X-Accel-Redirect).
MEDIA_X_ACCEL_REDIRECT_PREFIX = os.environ.get("MEDIA_X_ACCEL_REDIRECT_PREFIX", "").strip()
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not EMBEDDED and not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without a collectstatic step (embedded default), WhiteNoise serves straight from the apps.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST  # its empty STATIC_ROOT: datadir.prepare()
WHITENOISE_AUTOREFRESH = DEBUG
# Files served at the site's root on every surface (/favicon.ico for pages without a <link>:
# the admin, the API docs, JSON answers).
WHITENOISE_ROOT = BASE_DIR / "static" / "core" / "root"
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MOL Portal <no-reply@mol.gov.tw>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Administrators", addr) for addr in env_list("ADMIN_EMAILS", [])]

# --- Security -------------------------------------------------------------------------------
HTTPS = env_bool("DJANGO_HTTPS", not EMBEDDED and not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "mol_sessionid"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
# A branded bilingual page; marked public forms come back with what was typed (core/csrf.py).
CSRF_FAILURE_VIEW = "core.csrf.csrf_failure"
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# The OpenID Connect issuer never follows the Host header outside the embedded default and
# debug: OIDC_ISSUER, else the first ALLOWED_HOSTS name (see accounts/README.md).
if not OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"] and not (EMBEDDED or DEBUG):
    _issuer_host = next((h for h in ALLOWED_HOSTS if "*" not in h and not h.startswith(".")), "")
    if not _issuer_host:
        raise ImproperlyConfigured(
            "Set OIDC_ISSUER (e.g. https://portal.mol.gov.tw/o): ALLOWED_HOSTS names no host "
            "the OpenID Connect issuer could be derived from."
        )
    OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"] = f"{'https' if HTTPS else 'http'}://{_issuer_host}/o"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Forwarded headers are believed only from these peers (addresses or networks): the reverse
# proxy. From anyone else core.http.TrustedProxyMiddleware drops them (see core/http.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", bool(TRUSTED_PROXIES))
if BEHIND_PROXY and not TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "DJANGO_BEHIND_PROXY=1 needs TRUSTED_PROXIES: the addresses or networks of the reverse "
        "proxy (e.g. 172.30.0.0/24), so that no other client can send forwarded headers."
    )
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", ["security.W021"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite cannot enforce "NULLS NOT DISTINCT" unique constraints (role assignments without a
    # unit scope); the services check it, PostgreSQL enforces it.
    SILENCED_SYSTEM_CHECKS += ["models.W047"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: credentials sent to a session endpoint are refused (401), never ignored.
        "core.api.authentication.CredentialsRefused",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MOL Portal API",
    "DESCRIPTION": (
        "Single sign-on, reference data and business APIs of the Ministry of Labor portal. "
        'Errors always have the shape {"error": {"status", "code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" field with different choices: name each enum.
    # The default enum hook, then integer schemas without the database's column range (the
    # same schema on SQLite and PostgreSQL).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.drop_column_limits",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DocumentStatusEnum": "documents.choices.DocumentStatus",
        "SignOffChainStatusEnum": "documents.choices.ChainStatus",
        "SignOffStepStatusEnum": "documents.choices.StepStatus",
        "EmploymentStatusEnum": "accounts.choices.EmploymentStatus",
        "NoticeKindEnum": "notifications.choices.NoticeKind",
        "PropertyItemStatusEnum": "property.choices.ItemStatus",
        "PropertyMovementStatusEnum": "property.choices.MovementStatus",
    },
}

# --- Application settings -------------------------------------------------------------------
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730, minimum=1)
HEALTHZ_REQUIRE_WORKERS = env_bool("HEALTHZ_REQUIRE_WORKERS", not CELERY_TASK_ALWAYS_EAGER)
HEALTHZ_TIMEOUT = env_int("HEALTHZ_TIMEOUT", 2, minimum=1)
SITE_NAME = _("Ministry of Labor")

# --- Backups (core/backup.py) ----------------------------------------------------------------
# Where `manage.py backup` and the daily job write; a second copy goes to BACKUP_COPY_DIR (a
# second disk or a mounted off-site share) when set. BACKUP_PASSPHRASE: encrypt with GnuPG.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or DATA_DIR / "backups")
BACKUP_COPY_DIR = os.environ.get("BACKUP_COPY_DIR", "")
BACKUP_PASSPHRASE = os.environ.get("BACKUP_PASSPHRASE", "")
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7, minimum=1)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 5)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 12)

# --- documents ------------------------------------------------------------------------------
# Largest attachment of an official document, in bytes.
DOCUMENTS_MAX_ATTACHMENT_BYTES = env_int(
    "DOCUMENTS_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024, minimum=1024
)
# Permission classes of the documents API (comma-separated dotted paths), read per request;
# e.g. a scope check once OAuth2 client-credential tokens call it.
DOCUMENTS_API_PERMISSION_CLASSES = env_list(
    "DOCUMENTS_API_PERMISSION_CLASSES", ["rest_framework.permissions.IsAuthenticated"]
)

# --- notifications ------------------------------------------------------------------------
# One inbox per person and the one outbox for every e-mail and SMS. See notifications/README.md.
# Absolute links in mail (jobs have no request), e.g. https://portal.mol.gov.tw
# The site's own address for links in mail and SMS, where there is no request
# (core.http.site_url): SITE_URL, else the first named host of ALLOWED_HOSTS.
SITE_URL = os.environ.get("SITE_URL", "").strip()
NOTIFICATIONS_SITE_URL = os.environ.get("NOTIFICATIONS_SITE_URL", "").strip()
NOTIFICATIONS_FROM_EMAIL = os.environ.get("NOTIFICATIONS_FROM_EMAIL", "").strip()
NOTIFICATIONS_BOUNCE_ADDRESS = os.environ.get("NOTIFICATIONS_BOUNCE_ADDRESS", "").strip()
NOTIFICATIONS_MESSAGE_ID_DOMAIN = os.environ.get("NOTIFICATIONS_MESSAGE_ID_DOMAIN", "").strip()
NOTIFICATIONS_LIST_ID_DOMAIN = os.environ.get("NOTIFICATIONS_LIST_ID_DOMAIN", "notices.mol.gov.tw")
# Outbox: attempts per message, backoff base and cap (seconds), the claim's lease (longer than
# the deliver task's 120 s hard limit), the sweep's period and batch.
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6, minimum=1)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60, minimum=1)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600, minimum=1)
NOTIFICATIONS_CLAIM_LEASE_SECONDS = env_int("NOTIFICATIONS_CLAIM_LEASE_SECONDS", 300, minimum=1)
NOTIFICATIONS_SWEEP_SECONDS = env_int("NOTIFICATIONS_SWEEP_SECONDS", 60, minimum=5)
NOTIFICATIONS_RELAY_BATCH = env_int("NOTIFICATIONS_RELAY_BATCH", 500, minimum=1)
# Quiet hours by default (local time); alerts are never held. Digest hour (local time).
NOTIFICATIONS_QUIET_START = os.environ.get("NOTIFICATIONS_QUIET_START", "22:00")
NOTIFICATIONS_QUIET_END = os.environ.get("NOTIFICATIONS_QUIET_END", "07:00")
NOTIFICATIONS_DIGEST_HOUR = env_int("NOTIFICATIONS_DIGEST_HOUR", 8)
NOTIFICATIONS_RETENTION_DAYS = env_int("NOTIFICATIONS_RETENTION_DAYS", 365, minimum=1)
NOTIFICATIONS_DELIVERY_RETENTION_DAYS = env_int(
    "NOTIFICATIONS_DELIVERY_RETENTION_DAYS", 180, minimum=1
)
# Live badge: seconds a poll is held open while nothing changes (0: answer at once, the page
# polls every NOTIFICATIONS_POLL_SECONDS). Hold only with threaded/async gunicorn workers.
NOTIFICATIONS_LONGPOLL_SECONDS = env_int("NOTIFICATIONS_LONGPOLL_SECONDS", 0)
NOTIFICATIONS_POLL_SECONDS = env_int("NOTIFICATIONS_POLL_SECONDS", 15, minimum=1)
NOTIFICATIONS_API_RATE_PER_MINUTE = env_int("NOTIFICATIONS_API_RATE_PER_MINUTE", 600, minimum=1)
# SMS: backend (mitake, every8d, console, file), gateway accounts, delivery-report URL.
NOTIFICATIONS_SMS_BACKEND = os.environ.get(
    "NOTIFICATIONS_SMS_BACKEND", "notifications.sms.console.ConsoleGateway"
)
NOTIFICATIONS_SMS_FILE = os.environ.get("NOTIFICATIONS_SMS_FILE", str(DATA_DIR / "sms.jsonl"))
NOTIFICATIONS_SMS_TIMEOUT = env_int("NOTIFICATIONS_SMS_TIMEOUT", 10, minimum=1)
NOTIFICATIONS_SMS_REPORT_URL = os.environ.get("NOTIFICATIONS_SMS_REPORT_URL", "").strip()
NOTIFICATIONS_SMS_REPORT_TOKEN = os.environ.get("NOTIFICATIONS_SMS_REPORT_TOKEN", "").strip()
NOTIFICATIONS_MITAKE_URL = os.environ.get(
    "NOTIFICATIONS_MITAKE_URL", "https://smsapi.mitake.com.tw/api/mtk/SmSend?CharsetURL=UTF-8"
)
NOTIFICATIONS_MITAKE_USERNAME = os.environ.get("NOTIFICATIONS_MITAKE_USERNAME", "")
NOTIFICATIONS_MITAKE_PASSWORD = os.environ.get("NOTIFICATIONS_MITAKE_PASSWORD", "")
NOTIFICATIONS_EVERY8D_URL = os.environ.get(
    "NOTIFICATIONS_EVERY8D_URL", "https://api.e8d.tw/API21/HTTP/sendSMS.ashx"
)
NOTIFICATIONS_EVERY8D_USERNAME = os.environ.get("NOTIFICATIONS_EVERY8D_USERNAME", "")
NOTIFICATIONS_EVERY8D_PASSWORD = os.environ.get("NOTIFICATIONS_EVERY8D_PASSWORD", "")
OAUTH2_PROVIDER["SCOPES"].update(
    {
        "notifications:send": "Send notices to people, units and roles",
        "notifications:read": "Read your notices (desktop notifier)",
    }
)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # 4xx answers (an expected 403 on /admin/login/...) without a traceback; 5xx keep theirs.
    "filters": {"expected_errors": {"()": "core.logging_filters.ExpectedErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["expected_errors"]},
    },
}

# --- petitions ---
# Citizen mailbox (民意信箱). The public pages are marked login_not_required; /petitions/staff/
# needs a login like every other page. See petitions/README.md.
# Abuse limits of the public form (fixed windows in the cache; off only for benchmarks).
PETITIONS_RATE_LIMIT_ENABLED = env_bool("PETITIONS_RATE_LIMIT_ENABLED", True)
PETITIONS_RATE_WINDOW_SECONDS = env_int("PETITIONS_RATE_WINDOW_SECONDS", 3600, minimum=1)
PETITIONS_RATE_PER_IP = env_int("PETITIONS_RATE_PER_IP", 10, minimum=1)
PETITIONS_RATE_PER_EMAIL = env_int("PETITIONS_RATE_PER_EMAIL", 5, minimum=1)
# Asking again for a confirmation link or a new query code (the "please confirm" and
# "lost your query code?" pages): per address and per network, in one window.
PETITIONS_RESEND_WINDOW_SECONDS = env_int("PETITIONS_RESEND_WINDOW_SECONDS", 3600, minimum=1)
PETITIONS_RESEND_PER_EMAIL = env_int("PETITIONS_RESEND_PER_EMAIL", 3, minimum=1)
PETITIONS_RESEND_PER_IP = env_int("PETITIONS_RESEND_PER_IP", 10, minimum=1)
# Progress page, against guessing query codes, never locking a case: failed look-ups per IP
# before a growing delay (seconds, doubling, capped), and per case number before the sender's
# e-mail address is also asked for, counted in a window.
PETITIONS_LOOKUP_WINDOW_SECONDS = env_int("PETITIONS_LOOKUP_WINDOW_SECONDS", 900, minimum=1)
PETITIONS_LOOKUP_PER_IP = env_int("PETITIONS_LOOKUP_PER_IP", 20, minimum=1)
PETITIONS_LOOKUP_DELAY_SECONDS = env_int("PETITIONS_LOOKUP_DELAY_SECONDS", 2, minimum=1)
PETITIONS_LOOKUP_DELAY_MAX_SECONDS = env_int("PETITIONS_LOOKUP_DELAY_MAX_SECONDS", 120, minimum=1)
PETITIONS_LOOKUP_PER_CASE = env_int("PETITIONS_LOOKUP_PER_CASE", 10, minimum=1)
# Near-duplicates from the same sender: similarity 0..1 over the last N days.
PETITIONS_DUPLICATE_THRESHOLD = env_ratio("PETITIONS_DUPLICATE_THRESHOLD", 0.8)
PETITIONS_DUPLICATE_DAYS = env_int("PETITIONS_DUPLICATE_DAYS", 30, minimum=1)
PETITIONS_MAX_ATTACHMENT_BYTES = env_int(
    "PETITIONS_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024, minimum=1024
)
# Staff side and e-mail intake.
PETITIONS_REPLY_ADDRESS = os.environ.get("PETITIONS_REPLY_ADDRESS", "petitions@mol.gov.tw")
PETITIONS_BOUNCE_ADDRESS = os.environ.get("PETITIONS_BOUNCE_ADDRESS", "")
PETITIONS_PUBLIC_BASE_URL = os.environ.get("PETITIONS_PUBLIC_BASE_URL", "")
PETITIONS_IMAP_HOST = os.environ.get("PETITIONS_IMAP_HOST", "")
PETITIONS_IMAP_PORT = env_int("PETITIONS_IMAP_PORT", 993, minimum=1)
PETITIONS_IMAP_USER = os.environ.get("PETITIONS_IMAP_USER", "")
PETITIONS_IMAP_PASSWORD = os.environ.get("PETITIONS_IMAP_PASSWORD", "")
PETITIONS_IMAP_MAILBOX = os.environ.get("PETITIONS_IMAP_MAILBOX", "INBOX")
PETITIONS_IMAP_SSL = env_bool("PETITIONS_IMAP_SSL", True)
PETITIONS_EML_DIR = os.environ.get("PETITIONS_EML_DIR", "")
PETITIONS_DEFAULT_UNIT = os.environ.get("PETITIONS_DEFAULT_UNIT", "")
PETITIONS_DEADLINE_WORKING_DAYS = env_int("PETITIONS_DEADLINE_WORKING_DAYS", 6, minimum=1)
# Upper bound of one deadline extension (working days).
PETITIONS_MAX_EXTENSION_WORKING_DAYS = env_int(
    "PETITIONS_MAX_EXTENSION_WORKING_DAYS", 30, minimum=1
)
PETITIONS_REMINDER_DAYS_BEFORE = env_int("PETITIONS_REMINDER_DAYS_BEFORE", 2, minimum=0)
PETITIONS_RETENTION_DAYS = env_int("PETITIONS_RETENTION_DAYS", 5 * 365, minimum=1)

# --- epaper ---
# The ministry's newsletters (電子報訂閱). The subscriber pages under /epaper/ are marked
# login_not_required; /epaper/manage/ and /epaper/editor/ need a login and an epaper role.
# Abuse limits of the subscription form, the "send the link again" and "mail me my link" forms
# and POST /api/v1/epaper/subscriptions/ (fixed windows in the cache, core.ratelimit; off only
# for benchmarks): requests per IP and per e-mail address in one window.
EPAPER_RATE_LIMIT_ENABLED = env_bool("EPAPER_RATE_LIMIT_ENABLED", True)
EPAPER_RATE_WINDOW_SECONDS = env_int("EPAPER_RATE_WINDOW_SECONDS", 3600, minimum=1)
EPAPER_RATE_PER_IP = env_int("EPAPER_RATE_PER_IP", 20, minimum=1)
EPAPER_RATE_PER_EMAIL = env_int("EPAPER_RATE_PER_EMAIL", 5, minimum=1)
# Largest CSV file of a subscriber import (bytes) and most rows in one file.
EPAPER_IMPORT_MAX_BYTES = env_int("EPAPER_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
EPAPER_IMPORT_MAX_ROWS = env_int("EPAPER_IMPORT_MAX_ROWS", 200_000, minimum=1)
# Issues (editors' pages): largest image an editor may upload into an issue (bytes; PNG, JPEG or
# GIF by content) and most images of one issue.
EPAPER_MAX_IMAGE_BYTES = env_int("EPAPER_MAX_IMAGE_BYTES", 2 * 1024 * 1024, minimum=1024)
EPAPER_MAX_IMAGES_PER_ISSUE = env_int("EPAPER_MAX_IMAGES_PER_ISSUE", 30, minimum=1)
# Sending of issues (epaper/services/sending.py): the newsletters' From address (default
# NOTIFICATIONS_FROM_EMAIL, else DEFAULT_FROM_EMAIL) and the envelope sender that bounces
# return to (default NOTIFICATIONS_BOUNCE_ADDRESS, else the From address): the mailbox that
# EPAPER_BOUNCE_IMAP_* reads. One issue is sent at a time (lock epaper.send), so the SMTP
# server sees at most EPAPER_SMTP_CONNECTIONS connections and EPAPER_SMTP_RATE messages a
# second (token bucket; 0: no limit) from the e-papers.
EPAPER_FROM_EMAIL = os.environ.get("EPAPER_FROM_EMAIL", "").strip()
EPAPER_BOUNCE_ADDRESS = os.environ.get("EPAPER_BOUNCE_ADDRESS", "").strip()
EPAPER_SMTP_CONNECTIONS = env_int("EPAPER_SMTP_CONNECTIONS", 4, minimum=1)
EPAPER_SMTP_RATE = env_int("EPAPER_SMTP_RATE", 50, minimum=0)
# Recipients claimed per batch; seconds a claim is leased (above the send task's 480 s hard
# time limit, so a live worker is never overtaken; a dead worker's batch is resent after it);
# tries of a recipient the server deferred before it counts as failed; seconds one send task
# goes on before it hands over to a new one.
EPAPER_SEND_BATCH = env_int("EPAPER_SEND_BATCH", 500, minimum=1)
EPAPER_SEND_LEASE_SECONDS = env_int("EPAPER_SEND_LEASE_SECONDS", 600, minimum=1)
EPAPER_SEND_MAX_ATTEMPTS = env_int("EPAPER_SEND_MAX_ATTEMPTS", 5, minimum=1)
EPAPER_SEND_SECONDS = env_int("EPAPER_SEND_SECONDS", 240, minimum=1)
# Bounces (epaper/services/bounces.py): the IMAP mailbox of EPAPER_BOUNCE_ADDRESS (empty host:
# no bounce import), read every EPAPER_BOUNCE_MINUTES. A hard bounce (5.x.x) disables the
# address at once; EPAPER_SOFT_BOUNCE_LIMIT soft bounces (4.x.x) of issues in a row do.
EPAPER_BOUNCE_IMAP_HOST = os.environ.get("EPAPER_BOUNCE_IMAP_HOST", "").strip()
EPAPER_BOUNCE_IMAP_PORT = env_int("EPAPER_BOUNCE_IMAP_PORT", 993, minimum=1)
EPAPER_BOUNCE_IMAP_USER = os.environ.get("EPAPER_BOUNCE_IMAP_USER", "")
EPAPER_BOUNCE_IMAP_PASSWORD = os.environ.get("EPAPER_BOUNCE_IMAP_PASSWORD", "")
EPAPER_BOUNCE_IMAP_MAILBOX = os.environ.get("EPAPER_BOUNCE_IMAP_MAILBOX", "INBOX")
EPAPER_BOUNCE_IMAP_SSL = env_bool("EPAPER_BOUNCE_IMAP_SSL", True)
EPAPER_BOUNCE_MINUTES = env_int("EPAPER_BOUNCE_MINUTES", 10, minimum=1)
EPAPER_SOFT_BOUNCE_LIMIT = env_int("EPAPER_SOFT_BOUNCE_LIMIT", 3, minimum=1)

# --- meetings ---
# Meeting tracking (部務會報追蹤管考). Hours a unit may change its material after the controller
# grants a late change; days before a tracked case's due date its owners are reminded; seconds
# one server-sent-events answer of the meeting screen is held open waiting for the presenter
# (0: answer at once and let the browser reconnect after a second — right for sync workers).
MEETINGS_LATE_CHANGE_HOURS = env_int("MEETINGS_LATE_CHANGE_HOURS", 24, minimum=1)
MEETINGS_CASE_REMIND_DAYS_BEFORE = env_int("MEETINGS_CASE_REMIND_DAYS_BEFORE", 3, minimum=0)
MEETINGS_SCREEN_HOLD_SECONDS = env_int("MEETINGS_SCREEN_HOLD_SECONDS", 0, minimum=0)
# The API schema names the meetings' status enums (they would collide with other apps').
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "MeetingStatusEnum": "meetings.choices.MeetingStatus",
        "MeetingReportStatusEnum": "meetings.choices.ReportStatus",
        "TrackedCaseStatusEnum": "meetings.choices.CaseStatus",
        "TrackedCaseProposalEnum": "meetings.choices.Proposal",
    }
)
# Processes a long PDF (the meeting book) is laid out in at once (core.pdf); 0: the cores, at
# most 4.
PDF_PROCESSES = env_int("PDF_PROCESSES", 0, minimum=0)
# WeasyPrint (the meeting book's PDF) logs every rendering step at INFO.
LOGGING["loggers"].setdefault("weasyprint", {"level": "WARNING"})
LOGGING["loggers"].setdefault("fontTools", {"level": "WARNING"})

# --- portal ---
# Employee portal, meeting-room booking (portal/README.md "Settings"): minutes before a booking
# starts that its organiser and attendees are reminded (a notice, by e-mail per preferences).
PORTAL_ROOM_REMINDER_MINUTES = env_int("PORTAL_ROOM_REMINDER_MINUTES", 30, minimum=1)
# Equipment loans (portal/README.md "Equipment loans"): how many days ahead a loan may start,
# and the seam to the asset register (a dotted path to a callable: property number → text).
PORTAL_LOANS_HORIZON_DAYS = env_int("PORTAL_LOANS_HORIZON_DAYS", 90, minimum=1)
PORTAL_LOANS_ASSET_LOOKUP = os.environ.get("PORTAL_LOANS_ASSET_LOOKUP", "")
# The API schema names the booking enums (they would collide with other apps' statuses).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "RoomBookingStatusEnum": "portal.choices.BookingStatus",
        "RoomBookingFrequencyEnum": "portal.choices.Frequency",
        "WeekdayEnum": "portal.choices.Weekday",
        "LoanStatusEnum": "portal.choices.LoanStatus",
        "LoanCategoryEnum": "portal.choices.LoanCategory",
        # Keeps the documents category its name beside the loans category.
        "CategoryEnum": "documents.choices.DocumentCategory",
    }
)

# --- labour administration ---
# Seconds between the national board's refreshes, and how long an API worker remembers a
# checked SSO client (labor_admin/README.md "Settings").
LABOR_ADMIN_BOARD_REFRESH_SECONDS = env_int("LABOR_ADMIN_BOARD_REFRESH_SECONDS", 30, minimum=2)
LABOR_ADMIN_API_AUTH_CACHE_SECONDS = env_int("LABOR_ADMIN_API_AUTH_CACHE_SECONDS", 30, minimum=0)
# Case lists whose planner estimate is above this show "about N" and page by Previous/Next.
LABOR_ADMIN_EXACT_COUNT_LIMIT = env_int("LABOR_ADMIN_EXACT_COUNT_LIMIT", 10_000, minimum=1)

# --- monitoring ---
# Service monitor (monitoring/README.md). Days raw check results and pings are kept before only
# their daily uptime figures remain; probes one worker runs at once (asyncio, one slow target
# never holds the others); office hours (local time, working days of core.dates) that pick a
# contact rule; days a signed acknowledgement link in an alert stays valid.
MONITORING_RESULT_DAYS = env_int("MONITORING_RESULT_DAYS", 30, minimum=1)
MONITORING_CONCURRENCY = env_int("MONITORING_CONCURRENCY", 200, minimum=1)
MONITORING_OFFICE_START_HOUR = env_int("MONITORING_OFFICE_START_HOUR", 8, minimum=0)
MONITORING_OFFICE_END_HOUR = env_int("MONITORING_OFFICE_END_HOUR", 18, minimum=1)
MONITORING_ACK_LINK_DAYS = env_int("MONITORING_ACK_LINK_DAYS", 7, minimum=1)
# Database activity: PostgreSQL servers watched besides the portal's own (postgres:// URLs),
# and the seconds after which a running query counts as long.
MONITORING_DATABASE_URLS = env_list("MONITORING_DATABASE_URLS", [])
MONITORING_LONG_QUERY_SECONDS = env_int("MONITORING_LONG_QUERY_SECONDS", 60, minimum=1)
# Bearer token Prometheus sends to /monitoring/metrics (empty: managers' sessions only).
MONITORING_METRICS_TOKEN = os.environ.get("MONITORING_METRICS_TOKEN", "")
