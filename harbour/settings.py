"""Harbour settings. Everything that differs between machines comes from the environment."""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_flag("HARBOUR_ALLOW_INSECURE_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a fixed key is harmless when DEBUG is on and nothing is public.
    SECRET_KEY = "harbour-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# The DfE three-digit number of the authority running this register (e.g. 343 Sefton).
LOCAL_AUTHORITY_CODE = os.environ.get("LOCAL_AUTHORITY_CODE", "").strip() or None
if LOCAL_AUTHORITY_CODE is not None and not (
    len(LOCAL_AUTHORITY_CODE) == 3 and LOCAL_AUTHORITY_CODE.isdigit()
):
    raise ImproperlyConfigured("LOCAL_AUTHORITY_CODE must be exactly three digits.")

INSTALLED_APPS = [
    "harbour.admin_site.HarbourAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "harbour.common",
    "harbour.audit",
    "harbour.children",
    "harbour.missing",
    "harbour.interviews",
    "harbour.meetings",
    "harbour.authorities",
    "harbour.exploitation",
    "harbour.interchange",
    "harbour.accounts",
    "harbour.reports",
    "harbour.returns",
    "harbour.demo",
    # The partners' API (docs/api.md) and django-ninja, which serves it and its docs.
    "ninja",
    "harbour.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "harbour.security.SecurityHeadersMiddleware",  # Security: CSP, no-store (docs/security.md)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "harbour.accounts.idle.IdleTimeoutMiddleware",  # the idle clock, written once a minute
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "harbour.accounts.middleware.SignOutEverywhereMiddleware",
    "harbour.accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "harbour.urls"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]


# Sign-in protection (docs/roles.md, docs/security.md).
def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_networks(name: str) -> list[str]:
    """IP addresses and networks separated by commas, each as a network ("10.0.0.5/32")."""
    networks = []
    for item in os.environ.get(name, "").split(","):
        if not item.strip():
            continue
        try:
            networks.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item.strip()!r} is not an IP address or network "
                "(for example 127.0.0.1 or 10.0.0.0/24)."
            ) from None
    return networks


# Two factors for every account, unless DEBUG is on (the local demo), which says so.
HARBOUR_REQUIRE_TWO_FACTOR = env_flag("HARBOUR_REQUIRE_TWO_FACTOR", default=not DEBUG)
# Failures for one username lock that account; failures from one address only slow retries
# from it down (harbour/accounts/lockout.py), so no one sharing the address is locked out.
HARBOUR_LOCKOUT_ATTEMPTS = env_int("HARBOUR_LOCKOUT_ATTEMPTS", 5)
HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS = env_int("HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS", 20)
HARBOUR_LOCKOUT_MINUTES = env_int("HARBOUR_LOCKOUT_MINUTES", 15)
# Calls one API token may make in a minute (docs/api.md); counted in the default cache.
HARBOUR_API_CALLS_PER_MINUTE = env_int("HARBOUR_API_CALLS_PER_MINUTE", 60)
# The council's reverse proxies (addresses or networks, comma-separated): only a request
# from one of them has its X-Forwarded-For read for the client's address
# (harbour.security.client_address). None by default: the connecting address is the client.
HARBOUR_TRUSTED_PROXIES = env_networks("HARBOUR_TRUSTED_PROXIES")
# Idle timeout: a session ends after this long without a request. Its expiry is written at
# most once a minute (harbour/accounts/idle.py), not on every request.
SESSION_COOKIE_AGE = 60 * env_int("HARBOUR_IDLE_MINUTES", 30)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "Harbour"

# Retention (docs/audit.md): a child's records are erased this many years after their
# 18th birthday; longer for children who were ever looked after.
RETENTION_YEARS_AFTER_18 = env_int("RETENTION_YEARS_AFTER_18", 7)
RETENTION_YEARS_AFTER_18_LOOKED_AFTER = env_int("RETENTION_YEARS_AFTER_18_LOOKED_AFTER", 25)

LOGIN_URL = "sign_in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign_in"

# The council running this register, shown in every page's header and footer.
COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "").strip() or "Harbourshire Council (demo)"

# Harbour's pages are Jinja2 (harbour/templates/, see docs/frontend.md); the Django engine
# stays second for the admin and other packaged templates.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "harbour" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "harbour.jinja2.environment",
            "autoescape": True,
            "context_processors": [
                "harbour.jinja2.harbour",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "harbour.wsgi.application"

VAR_DIR = BASE_DIR / "var"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{VAR_DIR / 'harbour.sqlite3'}",
        conn_max_age=60,
        # A connection kept from an earlier request is checked before it is used again, so
        # that after the database restarts a worker reconnects instead of failing its next
        # request (harbour/tests_operations/test_postgres_restart.py).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs seconds on the reports' wide aggregates and gains nothing on
    # queries this size (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c random_page_cost=1.1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers carry on during a long import; IMMEDIATE avoids lock upgrades failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # A 256 MiB page cache keeps index pages of large imports in memory.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"
        ),
    }
    VAR_DIR.mkdir(exist_ok=True)

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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Compiled GOV.UK Frontend / MOJ Frontend assets, committed (built by frontend/build.sh).
STATICFILES_DIRS = [BASE_DIR / "harbour" / "static"]

# =========================================================================================
# Security (docs/security.md). Secure by default: `check --deploy --fail-level WARNING` passes
# with only DEBUG=0, SECRET_KEY and ALLOWED_HOSTS set, and nothing is silenced.
# =========================================================================================

# Plain HTTP, for a local machine only: no HTTPS redirect, no Secure cookies, no HSTS.
# HARBOUR_ALLOW_HTTP=1 turns it on; it is on by default when DEBUG is on (`make run`), and
# HARBOUR_ALLOW_HTTP=0 turns it off even then.
HARBOUR_ALLOW_HTTP = env_flag("HARBOUR_ALLOW_HTTP", default=DEBUG)

SECURE_SSL_REDIRECT = not HARBOUR_ALLOW_HTTP
# The health check answers over plain HTTP too (it says "ok" and nothing else), so that a
# load balancer can probe the gunicorn port directly.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = not HARBOUR_ALLOW_HTTP
CSRF_COOKIE_SECURE = not HARBOUR_ALLOW_HTTP

# HSTS for a year, for this host and any host below it. `preload` on a council subdomain
# (harbour.example.gov.uk) commits nothing: preload lists take only a registrable domain
# whose own header asks for it. On a registrable domain of its own, set HARBOUR_HSTS_PRELOAD=0
# unless the council means to preload the whole domain (docs/security.md).
SECURE_HSTS_SECONDS = 0 if HARBOUR_ALLOW_HTTP else 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_flag("HARBOUR_HSTS_PRELOAD", default=True)

# Behind the council's TLS-terminating proxy: trust its X-Forwarded-Proto. Only when the
# proxy sets that header on every request (overwriting the client's).
if env_flag("HARBOUR_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "harbour.security.csrf_failure"

# Everything to the console, through a filter that drops query strings, request bodies and
# (unless DEBUG) exception messages. Django's mail_admins handler is left out on purpose:
# its emails carry the whole request (parameters, body, cookies).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_personal_data": {
            "()": "harbour.security.RedactPersonalData",
            "withhold_exception_messages": not DEBUG,
        },
        "refusals_without_traceback": {"()": "harbour.security.RefusalsWithoutTraceback"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # No handler of its own (Django's default has mail_admins): to the root's console.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A 403 or 400 is one line (status and path), not a traceback.
        "django.request": {
            "handlers": [],
            "filters": ["refusals_without_traceback"],
            "propagate": True,
        },
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
# ======================================================================== end of Security

# Multi-agency missing meetings (docs/casework.md, "Multi-agency meetings"): a meeting task is
# raised when a MISSING episode lasts strictly more than HARBOUR_LONG_MISSING_HOURS, or when
# the child's HARBOUR_REPEAT_MISSING_COUNT-th MISSING episode starts no more than
# HARBOUR_REPEAT_MISSING_HOURS after the first of them. The meeting is due
# HARBOUR_MEETING_DUE_DAYS calendar days after the (Europe/London) day of the trigger.
# HARBOUR_MEETING_LOOKBACK_DAYS > 0 ignores triggers older than that many days (0: none
# ignored), so that a first run over years of history need not raise a task for each.
HARBOUR_LONG_MISSING_HOURS = env_int("HARBOUR_LONG_MISSING_HOURS", 72)
HARBOUR_REPEAT_MISSING_COUNT = env_int("HARBOUR_REPEAT_MISSING_COUNT", 3)
HARBOUR_REPEAT_MISSING_HOURS = env_int("HARBOUR_REPEAT_MISSING_HOURS", 2160)
HARBOUR_MEETING_DUE_DAYS = env_int("HARBOUR_MEETING_DUE_DAYS", 7)
HARBOUR_MEETING_LOOKBACK_DAYS = env_int("HARBOUR_MEETING_LOOKBACK_DAYS", 0)

# The network registers (shared/spec/exploitation.md §1.3, §4): a hotspot is a place or a
# postcode district linked to at least HARBOUR_HOTSPOT_MIN_CHILDREN children in 90 days;
# intelligence content is purged HARBOUR_INTELLIGENCE_CONTENT_MONTHS months after it was
# recorded (apply_retention), its log kept.
HARBOUR_HOTSPOT_MIN_CHILDREN = env_int("HARBOUR_HOTSPOT_MIN_CHILDREN", 2)
HARBOUR_INTELLIGENCE_CONTENT_MONTHS = env_int("HARBOUR_INTELLIGENCE_CONTENT_MONTHS", 12)

# Other local authorities (docs/casework.md, "Other local authorities"): once the placing
# authority has been asked to arrange a child's return interview and has not responded, a
# chaser is due HARBOUR_OLA_CHASE_DAYS and an escalation HARBOUR_OLA_ESCALATE_DAYS calendar
# days (of 24 elapsed hours) after the request.
HARBOUR_OLA_CHASE_DAYS = env_int("HARBOUR_OLA_CHASE_DAYS", 3)
HARBOUR_OLA_ESCALATE_DAYS = env_int("HARBOUR_OLA_ESCALATE_DAYS", 7)
# The OLA list's default view shows episodes not yet notified only if they started in the
# last HARBOUR_OLA_RECENT_DAYS days (or are still open): older ones are history.
HARBOUR_OLA_RECENT_DAYS = env_int("HARBOUR_OLA_RECENT_DAYS", 28)
# The interview worklist's statuses and the dashboard's interviews due and overdue cover
# episodes found in the last HARBOUR_INTERVIEW_WINDOW_DAYS days: an episode found earlier
# with no interview recorded is history (its interview can no longer be offered on time),
# listed under "Any status". 0 means no window.
HARBOUR_INTERVIEW_WINDOW_DAYS = env_int("HARBOUR_INTERVIEW_WINDOW_DAYS", 90)
# The report pages and downloads reuse a report their server process worked out less than
# this many seconds ago (harbour/reports/recent.py); 0 works every report out afresh.
HARBOUR_REPORT_CACHE_SECONDS = env_int("HARBOUR_REPORT_CACHE_SECONDS", 60)
