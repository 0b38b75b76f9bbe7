"""Django settings for esup-saas.

Everything that differs between a laptop, CI and production is read from the environment
through the typed helpers of ``esup_saas.lib.env``; the embedded defaults run the demo on a
SQLite database under ``var/`` with no other service.

Variables: ``DJANGO_DEBUG``, ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL``
(``sqlite:///…`` or ``postgres://…``), ``ESUP_SAAS_VAR_DIR`` (data folder), ``EMAIL_HOST``,
``EMAIL_PORT``, ``DEFAULT_FROM_EMAIL``, ``ESUP_SAAS_ATTACHMENT_MAX_BYTES``; background work
and mail (issue 3, ``docs/background.md``): ``REDIS_URL``, ``CELERY_TASK_ALWAYS_EAGER``,
``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``ESUP_SAAS_MAIL_DOMAIN``,
``ESUP_SAAS_BASE_URL``, ``ESUP_SAAS_IMAP_HOST`` / ``_PORT`` / ``_USER`` / ``_PASSWORD`` /
``_MAILBOX`` / ``_SSL``.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from esup_saas.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("ESUP_SAAS_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

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
    "django_filters",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "esup_saas.lib",
    "esup_saas.tenancy",
    "esup_saas.catalog",
    "esup_saas.knowledge",
    "esup_saas.notifications",
    "esup_saas.servicedesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "esup_saas.lib.language.ChosenLanguageMiddleware",  # French unless chosen (not the browser)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "esup_saas.urls"
WSGI_APPLICATION = "esup_saas.wsgi.application"
ASGI_APPLICATION = "esup_saas.asgi.application"

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
                "django.template.context_processors.i18n",
                "esup_saas.tenancy.context_processors.roles",
                "esup_saas.catalog.context_processors.offers",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'esup-saas.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Wait for a writer instead of failing at once when two requests write together: the
    # timeout alone does not do it, since two DEFERRED transactions that read before writing
    # deadlock and SQLite gives up at once ("database is locked"); BEGIN IMMEDIATE queues them.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tenancy.User"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our date formats first (English the British way: 25 October 2006, 25/10/2006 14:30), then
# Django's own for the rest (French unchanged).
FORMAT_MODULE_PATH = ["esup_saas.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
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

EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "esup-saas@localhost")
if env_bool("ESUP_SAAS_CONSOLE_EMAIL", False):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif env_str("ESUP_SAAS_MAIL_DIR", ""):
    # One file per mail in that folder, instead of SMTP (``make demo``: var/mail/).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("ESUP_SAAS_MAIL_DIR", "")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# --- background work and mail (issue 3; docs/background.md) ---------------------------------
#: Redis in production; empty in the embedded default, where tasks run eagerly after commit.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_TIMEZONE = "Europe/Paris"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
#: Periodic jobs (seconds); ``celery beat`` in production, ``esup-saas periodic`` otherwise.
CELERY_BEAT_SCHEDULE = {
    "sla-thresholds": {"task": "servicedesk.sla_threshold_sweep", "schedule": 60.0},
    "auto-close": {"task": "servicedesk.auto_close_sweep", "schedule": 900.0},
    "notify-pending": {"task": "servicedesk.notify_pending", "schedule": 300.0},
    "mail-send-due": {"task": "notifications.mail_send_due", "schedule": 60.0},
    "imap-poll": {"task": "servicedesk.imap_poll", "schedule": 120.0},
}
#: Public address of the site, for the links in mails.
BASE_URL = env_str("ESUP_SAAS_BASE_URL", "http://127.0.0.1:8000")
#: Domain of the Message-IDs of our mails (threading of replies, item 22).
MAIL_DOMAIN = env_str("ESUP_SAAS_MAIL_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost")
#: Attempts before a mail is given up, and the first retry delay (doubled each time).
MAIL_MAX_ATTEMPTS = env_int("ESUP_SAAS_MAIL_MAX_ATTEMPTS", 5)
MAIL_RETRY_SECONDS = env_int("ESUP_SAAS_MAIL_RETRY_SECONDS", 60)
#: IMAP mailbox polled for incoming mail; no host, no polling.
IMAP_HOST = env_str("ESUP_SAAS_IMAP_HOST", "")
IMAP_PORT = env_int("ESUP_SAAS_IMAP_PORT", 993)
IMAP_USER = env_str("ESUP_SAAS_IMAP_USER", "")
IMAP_PASSWORD = env_str("ESUP_SAAS_IMAP_PASSWORD", "")
IMAP_MAILBOX = env_str("ESUP_SAAS_IMAP_MAILBOX", "INBOX")
IMAP_SSL = env_bool("ESUP_SAAS_IMAP_SSL", True)

#: Attachments: largest file in bytes, and the allowed content types (checked on upload).
ATTACHMENT_MAX_BYTES = env_int("ESUP_SAAS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_ALLOWED_TYPES = env_list(
    "ESUP_SAAS_ATTACHMENT_ALLOWED_TYPES",
    [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "message/rfc822",
    ],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {"TITLE": "esup-saas API", "VERSION": "0.1.0"}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and env_bool("DJANGO_SECURE", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# ---- identity (issue 4): login methods and directories ------------------------------------
# Several methods can be on at once; the login page lists those that are. Variables:
#   ESUP_SAAS_PUBLIC_URL: the public root URL (https://…) behind a reverse proxy, used for
#     the CAS service URL and the SAML entity id / assertion consumer URL
#   ESUP_SAAS_LOCAL_LOGIN (default true): local accounts (password, reset by mail, lockout)
#   ESUP_SAAS_LOGIN_FAILURE_LIMIT (5), ESUP_SAAS_LOGIN_COOLOFF_MINUTES (30): django-axes
#   ESUP_SAAS_CAS_SERVER_URL: CAS 3 server root, e.g. https://cas.univ-exemple.fr/cas/
#   ESUP_SAAS_SAML_IDP_METADATA_FILE or ESUP_SAAS_SAML_IDP_METADATA_URL (+ _CERT to check
#     the signature of remote metadata, e.g. RENATER's), ESUP_SAAS_SAML_ENTITY_ID,
#     ESUP_SAAS_SAML_KEY_FILE, ESUP_SAAS_SAML_CERT_FILE,
#     ESUP_SAAS_SAML_DISCOVERY_URL, ESUP_SAAS_SAML_XMLSEC_BINARY (/usr/bin/xmlsec1),
#     ESUP_SAAS_SAML_ATTRIBUTE_OIDS (name=urn:oid:… pairs for attributes our maps lack)
#   ESUP_SAAS_OIDC_ISSUER (endpoints from its discovery document), ESUP_SAAS_OIDC_CLIENT_ID,
#     ESUP_SAAS_OIDC_CLIENT_SECRET, ESUP_SAAS_OIDC_SCOPES, ESUP_SAAS_OIDC_SIGN_ALGO (RS256)
#   ESUP_SAAS_CAS_LABEL, ESUP_SAAS_SAML_LABEL, ESUP_SAAS_OIDC_LABEL: button labels
#   ESUP_SAAS_PROXY_COUNT: reverse proxies in front (client address for the lockout)
import datetime as _dt  # noqa: E402

INSTALLED_APPS += [
    "axes",
    "django_cas_ng",
    "esup_saas.identity",  # before djangosaml2: its templates override the library's
    "djangosaml2",
]
MIDDLEWARE += [
    "djangosaml2.middleware.SamlSessionMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "esup_saas.identity.backends.LocalAccountBackend",
    "esup_saas.identity.backends.CASBackend",
    "esup_saas.identity.backends.SAMLBackend",
    "esup_saas.identity.backends.OIDCBackend",
]

IDENTITY_LOCAL_LOGIN = env_bool("ESUP_SAAS_LOCAL_LOGIN", True)
AXES_FAILURE_LIMIT = env_int("ESUP_SAAS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _dt.timedelta(minutes=env_int("ESUP_SAAS_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "identity/locked.html"
AXES_WHITELIST_CALLABLE = "esup_saas.identity.backends.is_single_sign_on_attempt"
AXES_IPWARE_PROXY_COUNT = env_int("ESUP_SAAS_PROXY_COUNT", 0) or None

CAS_SERVER_URL = env_str("ESUP_SAAS_CAS_SERVER_URL")
CAS_VERSION = "3"
CAS_STORE_NEXT = True
CAS_REDIRECT_URL = "/"
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
CAS_IGNORE_REFERER = True
CAS_ROOT_PROXIED_AS = env_str("ESUP_SAAS_PUBLIC_URL") or None
IDENTITY_CAS_LABEL = env_str("ESUP_SAAS_CAS_LABEL")
IDENTITY_CAS_TIMEOUT = env_int("ESUP_SAAS_CAS_TIMEOUT", 10)

SAML_CONFIG_LOADER = "esup_saas.identity.saml.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_ATTRIBUTE_MAPPING: dict[str, tuple[str, ...]] = {}
SAML_CREATE_UNKNOWN_USER = True
SAML_CSP_HANDLER = ""  # the Content-Security-Policy is the reverse proxy's job
SAML_SESSION_COOKIE_NAME = "saml_session"
SAML_SESSION_COOKIE_SAMESITE = "None" if env_bool("DJANGO_SECURE", False) else "Lax"
IDENTITY_SAML_IDP_METADATA_FILE = env_str("ESUP_SAAS_SAML_IDP_METADATA_FILE")
IDENTITY_SAML_IDP_METADATA_URL = env_str("ESUP_SAAS_SAML_IDP_METADATA_URL")
IDENTITY_SAML_IDP_METADATA_CERT = env_str("ESUP_SAAS_SAML_IDP_METADATA_CERT")
IDENTITY_SAML_ENTITY_ID = env_str("ESUP_SAAS_SAML_ENTITY_ID")
IDENTITY_SAML_BASE_URL = env_str("ESUP_SAAS_PUBLIC_URL")
IDENTITY_SAML_KEY_FILE = env_str("ESUP_SAAS_SAML_KEY_FILE")
IDENTITY_SAML_CERT_FILE = env_str("ESUP_SAAS_SAML_CERT_FILE")
IDENTITY_SAML_XMLSEC_BINARY = env_str("ESUP_SAAS_SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
IDENTITY_SAML_METADATA_TTL = env_int("ESUP_SAAS_SAML_METADATA_TTL", 3600)
IDENTITY_SAML_LABEL = env_str("ESUP_SAAS_SAML_LABEL")
SAML2_DISCO_URL = env_str("ESUP_SAAS_SAML_DISCOVERY_URL") or None
# Attributes released under an OID our maps do not know: "name=urn:oid:…,name=urn:oid:…".
IDENTITY_SAML_ATTRIBUTE_OIDS: dict[str, str] = {}
for _pair in env_list("ESUP_SAAS_SAML_ATTRIBUTE_OIDS"):
    _name, _sep, _oid = _pair.partition("=")
    if not _sep or not _name.strip() or not _oid.strip().startswith("urn:oid:"):
        raise ValueError(f"ESUP_SAAS_SAML_ATTRIBUTE_OIDS: expected name=urn:oid:…, got {_pair!r}")
    IDENTITY_SAML_ATTRIBUTE_OIDS[_name.strip()] = _oid.strip()

IDENTITY_OIDC_ISSUER = env_str("ESUP_SAAS_OIDC_ISSUER")
IDENTITY_OIDC_LABEL = env_str("ESUP_SAAS_OIDC_LABEL")
OIDC_RP_CLIENT_ID = env_str("ESUP_SAAS_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("ESUP_SAAS_OIDC_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = env_str("ESUP_SAAS_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("ESUP_SAAS_OIDC_SCOPES", "openid email profile")
OIDC_TIMEOUT = env_int("ESUP_SAAS_OIDC_TIMEOUT", 10)
OIDC_USE_PKCE = True
OIDC_AUTHENTICATE_CLASS = "esup_saas.identity.views.OIDCAuthenticateView"
OIDC_CALLBACK_CLASS = "esup_saas.identity.views.OIDCCallbackView"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
# ---- end identity ---------------------------------------------------------------------------

# ---- SMS-U (issue 5): the hosted offer and its operator link -------------------------------
#   ESUP_SAAS_SMS_TRANSPORT: console (default: parts written to ESUP_SAAS_SMS_CONSOLE_FILE,
#     var/sms-outbox.log, and reported delivered), smpp, or http
#   ESUP_SAAS_SMPP_HOST / _PORT (2775) / _SYSTEM_ID / _PASSWORD / _SYSTEM_TYPE, _WINDOW (10
#     unanswered submit_sm), _RATE (messages per second, 50)
#   ESUP_SAAS_SMS_HTTP_URL, ESUP_SAAS_SMS_HTTP_TOKEN: a generic HTTP gateway
#   ESUP_SAAS_SMS_DELIVERY: celery (default: the task sms.deliver after commit; eager in the
#     embedded default), thread (a thread of the web process), manual (only the periodic
#     jobs and `esup-saas sms-worker`)
#   ESUP_SAAS_SMS_TASK_POLL_SECONDS (2): seconds each delivery task reads receipts (the SMSC
#     keeps them for the next bound session otherwise)
#   ESUP_SAAS_SMS_UNCERTAIN_GRACE_SECONDS (900): a part in doubt after a worker died waits
#     this long for its receipt before it is sent again
INSTALLED_APPS += ["esup_saas.offers.sms"]
SMS_TRANSPORT = env_str("ESUP_SAAS_SMS_TRANSPORT", "console")
SMS_CONSOLE_FILE = env_str("ESUP_SAAS_SMS_CONSOLE_FILE", str(VAR_DIR / "sms-outbox.log"))
SMS_SMPP_HOST = env_str("ESUP_SAAS_SMPP_HOST", "127.0.0.1")
SMS_SMPP_PORT = env_int("ESUP_SAAS_SMPP_PORT", 2775)
SMS_SMPP_SYSTEM_ID = env_str("ESUP_SAAS_SMPP_SYSTEM_ID", "esup-saas")
SMS_SMPP_PASSWORD = env_str("ESUP_SAAS_SMPP_PASSWORD")
SMS_SMPP_SYSTEM_TYPE = env_str("ESUP_SAAS_SMPP_SYSTEM_TYPE")
SMS_SMPP_WINDOW = env_int("ESUP_SAAS_SMPP_WINDOW", 10)
SMS_SMPP_RATE = env_int("ESUP_SAAS_SMPP_RATE", 50)
SMS_HTTP_URL = env_str("ESUP_SAAS_SMS_HTTP_URL")
SMS_HTTP_TOKEN = env_str("ESUP_SAAS_SMS_HTTP_TOKEN")
SMS_DELIVERY = env_str("ESUP_SAAS_SMS_DELIVERY", "celery")
SMS_TASK_POLL_SECONDS = float(env_int("ESUP_SAAS_SMS_TASK_POLL_SECONDS", 2))
SMS_UNCERTAIN_GRACE_SECONDS = env_int("ESUP_SAAS_SMS_UNCERTAIN_GRACE_SECONDS", 900)
CELERY_BEAT_SCHEDULE["sms-deliver-pending"] = {"task": "sms.deliver_pending", "schedule": 30.0}
CELERY_BEAT_SCHEDULE["sms-sweep"] = {"task": "sms.sweep", "schedule": 300.0}
# ---- end SMS-U -------------------------------------------------------------------------------
