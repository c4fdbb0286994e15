"""Settings of the stock DOT project: DOT's defaults, on the example site's stack.

The middleware list and the database settings are copies of
``example_project/settings.py`` (``tests/test_bench_load.py`` checks that they
stay equal), so a load comparison measures the two apps, not two stacks. The
only OAuth settings changed from DOT's defaults are those the scenarios need:
the same scopes as mm_oauth, and PKCE not required of confidential clients
(the Mattermost-style code exchange sends none).
"""

import os

import dj_database_url

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "stock-dot-bench-only-not-secret-" + "x" * 32)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "oauth2_provider",
]

# The same list as example_project/settings.py.
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

ROOT_URLCONF = "bench.stock_dot.urls"
WSGI_APPLICATION = "bench.stock_dot.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
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


POOL_DEFAULTS = {"min_size": 1, "max_size": 4}  # per process: a sync worker uses one at a time


def database_pool(value):
    """Return psycopg 3's pool options for ``DATABASE_POOL`` (``on`` or ``min:max``), or None, as the example does."""
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
    """Return a DATABASES entry for a ``postgres://`` URL, exactly as the example site builds it (dj-database-url)."""
    config = dj_database_url.parse(url, conn_max_age=0 if pool else conn_max_age, conn_health_checks=True)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError(
            f"DATABASE_URL: unsupported database {config['ENGINE']!r} (the load benchmark uses postgres://)"
        )
    if pool:
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "pool": pool}
    if prepared_statements:
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "server_side_binding": True, "prepare_threshold": 5}
    return config


def switch(value, *, name):
    """Return the on/off environment value ``value`` as a bool, as the example site reads it."""
    value = (value or "").strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False
    raise ValueError(f"{name}: expected on or off, got {value!r}")


DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", "postgres://127.0.0.1/mm_bench_dot"),
        pool=database_pool(os.environ.get("DATABASE_POOL")),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        prepared_statements=switch(
            os.environ.get("DATABASE_PREPARED_STATEMENTS", "on"), name="DATABASE_PREPARED_STATEMENTS"
        ),
    )
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = True  # as the example site
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/accounts/login/"

OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read your profile and the data you can see",
        "write": "Create and change data on your behalf",
    },
    "DEFAULT_SCOPES": ["read", "write"],
    "PKCE_REQUIRED": False,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["oauth2_provider.contrib.rest_framework.OAuth2Authentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"oauth2_provider": {"handlers": ["console"], "level": "WARNING"}},
}
