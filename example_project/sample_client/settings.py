"""Settings of the sample client, a Django project of its own, with no database.

The configuration file is named by ``SAMPLE_CLIENT_CONFIG`` (``python -m
example_project.sample_client --config …`` sets it). Sessions live in this
process's memory: the tokens stay on the server, the browser holds only a
random session key, and one server process (many threads) serves them all.
"""

import os
import secrets
from urllib.parse import urlsplit

from .config import load_config

SAMPLE_CLIENT = load_config(os.environ.get("SAMPLE_CLIENT_CONFIG"))

# Sessions do not outlive the process, so neither need the key that signs them.
SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", urlsplit(SAMPLE_CLIENT.redirect_uri).hostname]
ROOT_URLCONF = "example_project.sample_client.urls"
INSTALLED_APPS = ["example_project.sample_client"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES = {}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 10_000}}}

SESSION_ENGINE = "django.contrib.sessions.backends.cache"
# Cookies are not kept apart by port: names of its own, so the provider's on the same host stay out of the way.
SESSION_COOKIE_NAME = "sample_client_session"
CSRF_COOKIE_NAME = "sample_client_csrftoken"
SESSION_COOKIE_AGE = 60 * 60
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SAMPLE_CLIENT.redirect_uri.startswith("https://")
CSRF_FAILURE_VIEW = "example_project.sample_client.views.csrf_failure"
# The callback says "no-referrer" itself; elsewhere browsers need to send the Origin the CSRF check reads.
SECURE_REFERRER_POLICY = "same-origin"
USE_TZ = True

# Errors to stderr (Django's default logging shows them only while DEBUG).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"]},
}
