"""Test settings: the example site, with a fast hasher for people's test passwords.

The database is SQLite in memory unless ``DATABASE_URL`` names another
(``.ci/run`` runs the suite again on PostgreSQL that way).
"""

import os

from example_project.settings import *  # noqa: F403
from example_project.settings import CLIENT_SECRET_HASHER_PATH, database_from_url

DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
}
if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# People's passwords in tests: MD5 keeps sign-ins fast. The client secret
# hasher stays second, exactly as in production.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", CLIENT_SECRET_HASHER_PATH]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# mm_oauth's defaults (the example site turns the new-authorization notice on).
MM_OAUTH = {}
