"""Settings for the example site.

SQLite by default; PostgreSQL (or any database) when ``DATABASE_URL`` is set,
e.g. ``postgres://user:pass@127.0.0.1:5432/mm_oauth``; a shared cache when
``CACHE_URL`` is set (``redis://127.0.0.1:6379/0``). OpenID Connect when
``OIDC_RSA_PRIVATE_KEY_FILE`` names an RSA private key (PEM), or when
``manage.py demo --oidc`` recorded one in ``<VAR_DIR>/demo.env``.
"""

import os
from pathlib import Path

import dj_database_url
import django

from mm_oauth.defaults import CLIENT_SECRET_HASHER_PATH, oauth2_provider_settings, oidc_settings

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("MM_OAUTH_VAR_DIR", BASE_DIR.parent / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-secret-" + "x" * 32)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "crispy_forms",
    "crispy_bootstrap5",
    "oauth2_provider",
    "mm_oauth",
    "example_project.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files with DEBUG off too, so a production-like run is styled (README: Running at scale).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"

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
            ],
        },
    },
]


def sqlite_database(name):
    """Return a DATABASES entry for the SQLite file ``name``, ready for concurrent requests.

    ``IMMEDIATE`` transactions take the write lock when they begin, so two
    requests that read and then write (a token refresh, a consent) queue on the
    busy timeout instead of one failing with "database is locked".
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }


POOL_DEFAULTS = {"min_size": 1, "max_size": 4}  # per process: a sync worker uses one at a time


def database_pool(value):
    """Return psycopg 3's pool options for ``DATABASE_POOL`` (``on``, or ``min:max``), or None for no pool.

    Sizes are per server process: a sync gunicorn worker holds one connection
    at a time, so a handful covers threads and management commands too.
    """
    value = (value or "").strip().lower()
    if value in ("", "0", "off", "false", "no"):
        return None
    if value in ("1", "on", "true", "yes"):
        return dict(POOL_DEFAULTS)
    low, sep, high = value.partition(":")
    if not (sep and low.isdigit() and high.isdigit() and 0 < int(low) <= int(high)):
        raise ValueError(f"DATABASE_POOL: expected 'on' or 'min:max' (e.g. 2:8), got {value!r}")
    return {"min_size": int(low), "max_size": int(high)}


def database_from_url(url, *, pool=None, conn_max_age=60, prepared_statements=False):
    """Return a DATABASES entry for a ``postgres://`` or ``sqlite:///`` URL (parsed by dj-database-url).

    PostgreSQL connections come from a psycopg 3 pool when ``pool`` holds its
    options (Django then requires ``CONN_MAX_AGE = 0``); otherwise each process
    keeps its connection for ``conn_max_age`` seconds. Either way a connection
    is checked before a request uses it (``CONN_HEALTH_CHECKS``), so one that
    a PostgreSQL restart dropped is replaced instead of failing the request.
    With ``prepared_statements`` psycopg binds parameters on the server and
    prepares a statement the fifth time a connection runs it, so PostgreSQL
    stops parsing and planning the hot queries again and again (not behind a
    pooler that cannot carry prepared statements, such as PgBouncer before 1.21
    in transaction mode).
    """
    try:
        config = dj_database_url.parse(url, conn_max_age=0 if pool else conn_max_age, conn_health_checks=True)
    except ValueError as error:
        raise ValueError(f"DATABASE_URL: {error} (use postgres:// or sqlite:///)") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return sqlite_database(config["NAME"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError(f"DATABASE_URL: unsupported database {config['ENGINE']!r} (use postgres:// or sqlite:///)")
    if pool:
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "pool": pool}
    if prepared_statements:
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "server_side_binding": True, "prepare_threshold": 5}
    return config


def switch(value, *, name):
    """Return the on/off environment value ``value`` as a bool; refuse anything else, naming the variable."""
    value = (value or "").strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False
    raise ValueError(f"{name}: expected on or off, got {value!r}")


# PostgreSQL: DATABASE_POOL=on (or min:max) pools connections; otherwise each process keeps one
# for DATABASE_CONN_MAX_AGE seconds (default 60; 0 opens a connection per request).
# DATABASE_PREPARED_STATEMENTS=off behind a pooler that cannot carry prepared statements.
DATABASES = {
    "default": database_from_url(
        os.environ["DATABASE_URL"],
        pool=database_pool(os.environ.get("DATABASE_POOL")),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        prepared_statements=switch(
            os.environ.get("DATABASE_PREPARED_STATEMENTS", "on"), name="DATABASE_PREPARED_STATEMENTS"
        ),
    )
    if os.environ.get("DATABASE_URL")
    else sqlite_database(VAR_DIR / "example.sqlite3")
}

if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
            # A Redis that stops answering (rather than refusing) must not hold requests:
            # mm_oauth then reads the database and lets the request through.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    CLIENT_SECRET_HASHER_PATH,
]

LANGUAGE_CODE = "en-us"
# mm_oauth ships a German catalog; the browser's Accept-Language picks it.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # the example's own strings (navbar, home, sign-in page)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing one before the first collectstatic
# WhiteNoise serves from STATIC_ROOT after ``collectstatic``; until then (the demo, the tests)
# it finds the files where ``runserver`` would, so DJANGO_DEBUG=0 needs no extra step.
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# mm_oauth: the swapped application model must be in place before
# oauth2_provider's tables are first migrated.
OAUTH2_PROVIDER_APPLICATION_MODEL = "mm_oauth.Application"
DEMO_ENV_FILE = "demo.env"


def read_env_file(path):
    """Return the ``KEY=VALUE`` lines of ``path`` (``manage.py demo`` writes it) as a dict; {} if missing."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def oidc_from_environment(environ, var_dir):
    """Return the ``OAUTH2_PROVIDER`` entries that switch OpenID Connect on, or {} to leave it off.

    ``OIDC_RSA_PRIVATE_KEY_FILE`` names the signing key (PEM); the environment
    wins over ``<var_dir>/demo.env``, where ``manage.py demo --oidc`` records the
    development key it generated (so ``make demo``'s processes find it without
    an exported variable). ``OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES`` (comma-
    separated) names retired keys whose ID tokens must still verify.
    """
    recorded = read_env_file(Path(var_dir) / DEMO_ENV_FILE)
    key_file = environ.get("OIDC_RSA_PRIVATE_KEY_FILE") or recorded.get("OIDC_RSA_PRIVATE_KEY_FILE")
    if not key_file:
        return {}
    inactive = environ.get("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES") or recorded.get(
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES"
    )
    inactive_keys = [Path(name.strip()).read_text() for name in (inactive or "").split(",") if name.strip()]
    return oidc_settings(Path(key_file).read_text(), inactive_keys=inactive_keys)


OAUTH2_PROVIDER = oauth2_provider_settings(**oidc_from_environment(os.environ, VAR_DIR))
# The example emails a security notice (to the console) when a user authorizes a new app.
MM_OAUTH = {"NOTIFY_NEW_AUTHORIZATION": True}
# Client ID metadata documents served from this machine (the tests' and a demo's local HTTPS server):
# loopback fetches allowed while DEBUG (or MM_OAUTH_CIMD_ALLOW_LOOPBACK=1), and that server's
# self-signed certificate trusted through a CA bundle. Never allow loopback on a real site.
if os.environ.get("MM_OAUTH_CIMD_ALLOW_LOOPBACK", "1" if DEBUG else "0") == "1":
    MM_OAUTH["CIMD_ALLOW_LOOPBACK"] = True
if os.environ.get("MM_OAUTH_CIMD_CA_BUNDLE"):
    MM_OAUTH["CIMD_CA_BUNDLE"] = os.environ["MM_OAUTH_CIMD_CA_BUNDLE"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mm_oauth.contrib.rest_framework.authentication.OAuth2Authentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}


def mail_backend(backend, *, host=None, port=None, timeout=None):
    """Return the settings that send all mail through ``backend`` (an SMTP one at ``host``:``port``).

    Django 6.1 replaced ``EMAIL_BACKEND`` and ``EMAIL_HOST``/``EMAIL_PORT`` with
    ``MAILERS`` (and refuses both at once); 5.2 knows only the former.
    """
    if django.VERSION >= (6, 1):
        entry = {"BACKEND": backend}
        if host:
            entry["OPTIONS"] = {"host": host, "port": port, "timeout": timeout}
        return {"MAILERS": {"default": entry}}
    result = {"EMAIL_BACKEND": backend}
    if host:
        result.update(EMAIL_HOST=host, EMAIL_PORT=port, EMAIL_TIMEOUT=timeout)
    return result


# Mail (the new-authorization notice, organization requests and decisions): printed on the
# console while DEBUG (the demo); otherwise sent through the SMTP server at SMTP_HOST:SMTP_PORT.
if DEBUG:
    globals().update(mail_backend("django.core.mail.backends.console.EmailBackend"))
else:
    globals().update(
        mail_backend(
            "django.core.mail.backends.smtp.EmailBackend",
            host=os.environ.get("SMTP_HOST", "localhost"),
            port=int(os.environ.get("SMTP_PORT", "25")),
            # A mail server that stops answering must not hold a request (the notices are
            # sent from the request when tasks run immediately) for longer than this.
            timeout=10,
        )
    )


def tasks_settings(queue):
    """Return the ``TASKS`` setting: ``"immediate"`` runs each task at once, ``"database"`` queues it for a worker.

    Django 6 ships the Tasks framework as ``django.tasks``; on 5.2 the
    django-tasks backport provides it under ``django_tasks``. The database
    queue is django-tasks-db's, on either.
    """
    if queue == "database":
        return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    module = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"
    return {"default": {"BACKEND": f"{module}.backends.immediate.ImmediateBackend"}}


# Tasks: mm_oauth mails its notices from a task once the transaction commits. By default the
# task runs at once, in the request (a failed send is only logged, to mm_oauth.notifications);
# with MM_OAUTH_TASKS=database the tasks wait in the database for `manage.py db_worker`.
if os.environ.get("MM_OAUTH_TASKS") == "database":
    INSTALLED_APPS += ["django_tasks_db"]  # its table of queued tasks
    TASKS = tasks_settings("database")
else:
    TASKS = tasks_settings("immediate")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "oauth2_provider": {"handlers": ["console"], "level": "WARNING"},
        # A notice that could not be mailed, a cache or database that failed: route these to alerts.
        "mm_oauth": {"handlers": ["console"], "level": "WARNING"},
    },
}
