"""ShortScience settings: one module, every value read from the environment near the top.

`.env.example` lists every variable. With DEBUG off and no SECRET_KEY, start-up fails loudly.
"""

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Environment --------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")  # a read replica for the read-only pages
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))  # after a POST, that browser reads the primary
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "ShortScience")  # with SITE_URL, the Site record: shortscience/sites.py
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")  # empty: mail goes to the console
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ShortScience <noreply@shortscience.example>")
# mandatory: no log-in before the address is confirmed, and nothing written is public before it (accounts.services)
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
# Social log-in: each provider is offered only when both its keys are set.
GITHUB_CLIENT_ID = os.environ.get("GITHUB_CLIENT_ID", "")
GITHUB_CLIENT_SECRET = os.environ.get("GITHUB_CLIENT_SECRET", "")
GOOGLE_CLIENT_ID = os.environ.get("GOOGLE_CLIENT_ID", "")
GOOGLE_CLIENT_SECRET = os.environ.get("GOOGLE_CLIENT_SECRET", "")
ORCID_CLIENT_ID = os.environ.get("ORCID_CLIENT_ID", "")
ORCID_CLIENT_SECRET = os.environ.get("ORCID_CLIENT_SECRET", "")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
HTTP_USER_AGENT = os.environ.get(
    "HTTP_USER_AGENT",
    "ShortScience/0.1 (+https://github.com/shortscience; mailto:admin@shortscience.example)",
)
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
ARXIV_OAI_URL = os.environ.get("ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai")
ARXIV_API_URL = os.environ.get("ARXIV_API_URL", "https://export.arxiv.org/api/query")
ARXIV_MIN_INTERVAL = float(os.environ.get("ARXIV_MIN_INTERVAL", "3"))  # arXiv's rule: one request every 3 s
# Outbound requests to one host are spaced across every process and machine through the database ("database",
# the default on Postgres) or only within each process ("process", the default on SQLite).
HTTP_PACING = os.environ.get("HTTP_PACING", "")
# Background jobs (comment mail, on-demand imports, the harvest): "database" (the default on Postgres: rows in
# Postgres, run by `manage.py db_worker` on any machine) or "immediate" (run in the process that asks, as
# `make run` does).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "")
# On-demand imports a client (an IP address, or an IPv6 /64) may start: "COUNT/SECONDS".
ON_DEMAND_RATE_LIMIT = os.environ.get("ON_DEMAND_RATE_LIMIT", "20/600")
# On-demand imports that may wait for a worker at once, from all clients; more are refused for a minute (503).
ON_DEMAND_QUEUE_LIMIT = int(os.environ.get("ON_DEMAND_QUEUE_LIMIT", "50"))
# Failed log-ins allowed, as allauth rates "COUNT/DURATION[,COUNT/DURATION…]" (durations in s, m, h or d): from one
# client for one account (a stranger guessing locks out only themselves), from one client over all accounts, and
# for one account from everywhere (high enough that locking an owner out takes many addresses).
LOGIN_FAILED_PER_CLIENT_ACCOUNT = os.environ.get("LOGIN_FAILED_PER_CLIENT_ACCOUNT", "5/5m,20/1d")
LOGIN_FAILED_PER_CLIENT = os.environ.get("LOGIN_FAILED_PER_CLIENT", "30/10m")
LOGIN_FAILED_PER_ACCOUNT = os.environ.get("LOGIN_FAILED_PER_ACCOUNT", "100/1h")
# Mail and accounts one client may cause, as allauth rates (as above): sign-ups from one client (one IP made 39
# accounts in 13 s; a class behind one NAT still signs up), confirmation mails to one address (each sign-up and
# each "send again" mails an address its owner may never have given), password-reset mails from one client and to
# one address.
SIGNUP_PER_CLIENT = os.environ.get("SIGNUP_PER_CLIENT", "10/10m,30/1d")
CONFIRM_EMAIL_PER_ADDRESS = os.environ.get("CONFIRM_EMAIL_PER_ADDRESS", "1/3m,5/1d")
RESET_PASSWORD_PER_CLIENT = os.environ.get("RESET_PASSWORD_PER_CLIENT", "20/1m")
RESET_PASSWORD_PER_ADDRESS = os.environ.get("RESET_PASSWORD_PER_ADDRESS", "5/1m,10/1d")
# Accounts younger than NEW_ACCOUNT_HOURS may post at most so many new summaries, comments and reports an hour
# (summaries/limits.py), counted in the cache: shared by every app server with REDIS_URL.
NEW_ACCOUNT_HOURS = int(os.environ.get("NEW_ACCOUNT_HOURS", "24"))
NEW_ACCOUNT_SUMMARIES_PER_HOUR = int(os.environ.get("NEW_ACCOUNT_SUMMARIES_PER_HOUR", "3"))
NEW_ACCOUNT_COMMENTS_PER_HOUR = int(os.environ.get("NEW_ACCOUNT_COMMENTS_PER_HOUR", "5"))
NEW_ACCOUNT_REPORTS_PER_HOUR = int(os.environ.get("NEW_ACCOUNT_REPORTS_PER_HOUR", "5"))
# Comment mail to one person: at most one every COMMENT_MAIL_MINUTES; the comments after it wait for one digest
# (summaries/tasks.py), sent when the window ends.
COMMENT_MAIL_MINUTES = int(os.environ.get("COMMENT_MAIL_MINUTES", "15"))
# Proxies in front of the app servers that append to X-Forwarded-For (0: use REMOTE_ADDR). allauth reads it too.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")  # a folder: mail is written there as files
REDIS_URL = os.environ.get("REDIS_URL", "")  # empty: a per-process memory cache
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "0"))  # 0: anonymous pages not marked public
# Anonymous pages are kept in the cache at most this long (writes invalidate them at once: shortscience/page_cache.py)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))  # 0: no page cache
# Paper views are buffered per process and appended together (summaries.models.ViewBuffer)
PAPER_VIEWS_BATCH = int(os.environ.get("PAPER_VIEWS_BATCH", "50"))
PAPER_VIEWS_SECONDS = float(os.environ.get("PAPER_VIEWS_SECONDS", "10"))
# The editor's live preview renders on the server: each user may ask for this many previews per window of seconds
# /rss-all.xml and /rss-full.xml: "all" summaries scoring more than 1, newest first, up to these many (the original
# had ~1,600; at 100,000 summaries a feed of all would be tens of megabytes, read on every miss of the cache).
# /sitemap.xml and its pages are kept this long in the cache (each page of 50,000 papers reads a key per paper).
SITEMAP_CACHE_SECONDS = int(os.environ.get("SITEMAP_CACHE_SECONDS", "3600"))
FEED_ALL_LIMIT = int(os.environ.get("FEED_ALL_LIMIT", "10000"))
FEED_FULL_LIMIT = int(os.environ.get("FEED_FULL_LIMIT", "1000"))
# A venue's Atom feed: its summaries among the site's latest this many (a summary does not store its venue).
FEED_VENUE_WINDOW = int(os.environ.get("FEED_VENUE_WINDOW", "5000"))
FEED_ALL_CACHE_SECONDS = int(os.environ.get("FEED_ALL_CACHE_SECONDS", "300"))  # how long those two are kept
# The JSON API (/api/): requests one client (an IP address; an IPv6 /64) may make, "COUNT/SECONDS"; and how long
# browsers and shared caches may keep an answer.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300/60")
API_CACHE_SECONDS = int(os.environ.get("API_CACHE_SECONDS", "60"))
SUMMARY_PREVIEW_LIMIT = int(os.environ.get("SUMMARY_PREVIEW_LIMIT", "30"))
SUMMARY_PREVIEW_SECONDS = int(os.environ.get("SUMMARY_PREVIEW_SECONDS", "60"))
# Password attempts on the account deletion page, per account: "COUNT/SECONDS".
ACCOUNT_DELETE_RATE_LIMIT = os.environ.get("ACCOUNT_DELETE_RATE_LIMIT", "5/900")
# The hosts whose images summaries show (and the Content-Security-Policy lets the browser load): an image from
# any other host is shown as a link to it. "host", "host:port" or "*.domain" (its subdomains), comma-separated.
SUMMARY_IMAGE_HOSTS = [
    host.lower() for host in env_list("SUMMARY_IMAGE_HOSTS", "i.imgur.com,upload.wikimedia.org,arxiv.org")
]

IMAGE_HOST_RE = re.compile(r"(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?")
for _host in SUMMARY_IMAGE_HOSTS:  # each goes into the CSP header as it is: nothing there may end the directive
    if not IMAGE_HOST_RE.fullmatch(_host):
        raise ImproperlyConfigured(
            f"SUMMARY_IMAGE_HOSTS: {_host!r} is not a host name (optionally with *. before it or :port after it)."
        )

if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")

# --- Applications -------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "shortscience.apps.AdminConfig",  # django.contrib.admin, with allauth's log-in (shortscience/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.humanize",  # allauth.usersessions' page of your sessions
    "allauth",
    "allauth.account",
    "allauth.usersessions",  # each log-in's session, per user: a ban ends them all (summaries.services)
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",  # the JSON API (shortscience/api.py): its docs page's template and static files
    "shortscience",
    "accounts",
    "papers",
    "summaries",
    # Social log-in (last: the content types of the apps above keep their ids); offered per provider only when
    # its keys are set (SOCIALACCOUNT_PROVIDERS below).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.orcid",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # outermost but security: every response has the policy, the 503 page too
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "shortscience.middleware.BadInputMiddleware",  # before anything reads a parameter (or the session)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shortscience.middleware.ApiMiddleware",  # /api/: CORS and max-age, on its 304s too
    "django.middleware.http.ConditionalGetMiddleware",  # ETag from the final content, 304 on If-None-Match
    "shortscience.middleware.CacheControlMiddleware",  # outside the session: sees the cookies it sets
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "shortscience.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.SuspendedAccountMiddleware",  # a banned user still logged in is logged out, 403
]

ROOT_URLCONF = "shortscience.urls"
WSGI_APPLICATION = "shortscience.wsgi.application"
SITE_ID = 1

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
                "shortscience.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------------
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASE_REPLICA_URL:  # shortscience/db_router.py: which reads go there, and why the others do not
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True)
    DATABASE_ROUTERS = ["shortscience.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("allauth.account.middleware.AccountMiddleware"),
        "shortscience.db_router.ReplicaReadsMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ON_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Postgres's JIT compiles a query it estimates costly (past jit_above_cost) before running it: for the site's
# short queries only overhead, 30 ms of a 170 ms search at 1M papers (bench/search_bench.py, median p99 60 -> 50 ms).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _options = _database.setdefault("OPTIONS", {})
        if "jit" not in _options.get("options", ""):  # a DATABASE_URL's ?options= may set it
            _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

# --- Background jobs ----------------------------------------------------------------------------------------
# django-tasks (Django 6's Tasks API, backported). README "Jobs": starting workers, what runs as a job.
TASKS_BACKEND = TASKS_BACKEND or ("database" if ON_POSTGRES else "immediate")
if TASKS_BACKEND not in {"database", "immediate"}:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be database or immediate, not {TASKS_BACKEND!r}.")
# Queues: "default" (mail, on-demand imports: seconds each) and "harvest" (the OAI-PMH harvest: minutes to hours),
# so that a long harvest never holds up a reader's import when each has its own worker.
TASK_QUEUES = ["default", "harvest"]
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_BACKEND == "database"
        else "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": TASK_QUEUES,
    }
}
HTTP_PACING = HTTP_PACING or ("database" if ON_POSTGRES else "process")
if HTTP_PACING not in {"database", "process"} or (HTTP_PACING == "database" and not ON_POSTGRES):
    raise ImproperlyConfigured(f"HTTP_PACING must be database (on Postgres) or process, not {HTTP_PACING!r}.")

# --- Cache --------------------------------------------------------------------------------------------------
# With REDIS_URL, one cache shared by every app server (allauth's rate limits, the on-demand import's remembered
# failures); when Redis is unreachable the site runs without cache rather than failing (shortscience/cache.py).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "shortscience.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered fragments (a paper's title block, a summary's card) keyed by a digest of everything they show, so a
# change is a new key and nothing is ever invalidated: each process keeps its own, in memory, for speed.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 300,  # bounds how old an "… ago" inside a fragment can get
    "OPTIONS": {"MAX_ENTRIES": 20_000},
}

# --- Auth ---------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.forms.SignupForm"}
ACCOUNT_CHANGE_EMAIL = True  # one address per account: a new one replaces it once confirmed
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"


def social_providers() -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS: the providers whose keys are in the environment, each with its app
    (no SocialApp rows). GitHub and Google say which addresses they verified; ORCID gives none by default."""
    keys = {
        "github": (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, {"SCOPE": ["read:user", "user:email"]}),
        "google": (
            GOOGLE_CLIENT_ID,
            GOOGLE_CLIENT_SECRET,
            {"SCOPE": ["profile", "email"], "AUTH_PARAMS": {"access_type": "online"}, "OAUTH_PKCE_ENABLED": True},
        ),
        "orcid": (ORCID_CLIENT_ID, ORCID_CLIENT_SECRET, {"BASE_DOMAIN": "orcid.org", "MEMBER_API": False}),
    }
    return {
        provider: {**options, "APPS": [{"client_id": client_id, "secret": secret, "key": ""}]}
        for provider, (client_id, secret, options) in keys.items()
        if client_id and secret
    }


SOCIALACCOUNT_PROVIDERS = social_providers()
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_QUERY_EMAIL = True  # GitHub: its list of addresses, each saying whether GitHub verified it
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an address at a provider does not log into our account of that address
SOCIALACCOUNT_LOGIN_ON_GET = False  # the "continue with…" page posts, so that another site cannot start one


def allauth_rates(name: str, per: str) -> str:
    """ "5/5m,20/1d" from the environment -> allauth's "5/5m/key,20/1d/key"."""
    rates = [rate.strip() for rate in globals()[name].split(",") if rate.strip()]
    if not all(re.fullmatch(r"\d+/\d*[smhd]", rate) for rate in rates):
        raise ImproperlyConfigured(f"{name} must be COUNT/DURATION[,COUNT/DURATION…] such as 5/5m, not {rates!r}.")
    return ",".join(f"{rate}/{per}" for rate in rates)


# Failed log-ins (accounts/adapters.py): allauth's own `login_failed` counts per client and per "key", which the
# adapter makes the client and the account together; `login_failed_account` is the account's cap from everywhere.
# A successful password reset clears the account's counts. Sign-ups count per client, confirmation mails per
# address (allauth's "key" there is the address), reset mails both ways. allauth's other limits keep their defaults.
ACCOUNT_RATE_LIMITS = {
    "login_failed": allauth_rates("LOGIN_FAILED_PER_CLIENT", "ip")
    + ","
    + allauth_rates("LOGIN_FAILED_PER_CLIENT_ACCOUNT", "key"),
    "login_failed_account": allauth_rates("LOGIN_FAILED_PER_ACCOUNT", "key"),
    "signup": allauth_rates("SIGNUP_PER_CLIENT", "ip"),
    "confirm_email": allauth_rates("CONFIRM_EMAIL_PER_ADDRESS", "key"),
    "reset_password": allauth_rates("RESET_PASSWORD_PER_CLIENT", "ip")
    + ","
    + allauth_rates("RESET_PASSWORD_PER_ADDRESS", "key"),
}
# Sign-up and password reset answer the same whether an address has an account or not (its owner is mailed
# instead): nobody learns who has an account. allauth allows it with mandatory email verification only.
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's per-IP rate limits (failed log-ins, 30 log-ins a minute, 20 sign-ups) key on the client's address:
# behind a proxy, REMOTE_ADDR is the proxy's, and the limits would be one for the whole site.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Mail ---------------------------------------------------------------------------------------------------
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- I18N ---------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))  # where collectstatic writes
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security -----------------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # Django's default, said here: other windows get no handle
# Content-Security-Policy (django-csp): scripts, styles, fonts and fetches only from our own origin, nothing inline
# (templates have no inline script, style element or style attribute; static/js/math.js makes KaTeX's styles
# CSSOM ones), images from here and SUMMARY_IMAGE_HOSTS only (shortscience/markup.py shows others as links), no
# plugins, no <base>, forms post only here, no framing. README "Security headers".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, *SUMMARY_IMAGE_HOSTS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): the powerful features the site never uses, denied to it and to
# anything it could embed; interest-cohort (FLoC) and browsing-topics (the Topics API) keep readers out of
# advertising cohorts.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "bluetooth", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope",
        "hid", "idle-detection", "interest-cohort", "local-fonts", "magnetometer", "microphone", "midi",
        "otp-credentials", "payment", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
        "xr-spatial-tracking",
    )
}  # fmt: skip
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is an operator's choice, not a default

# --- Logging ------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
