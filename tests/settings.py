"""Test settings: the example site, with a fast hasher for people's test passwords.

The database is a throwaway SQLite file unless ``DATABASE_URL`` names another
(``.ci/run`` runs the suite again on PostgreSQL that way).

A file, not ``:memory:``: with an in-memory database the live test server
hands one shared connection to all its request threads, and concurrent
requests then interleave on it (a query of one request can come back empty
while another runs). With a file each thread has its own connection, as in
production. It lives in /dev/shm when there is one, so it costs no disk I/O.
"""

import os
import tempfile
from pathlib import Path

from example_project.settings import *  # noqa: F403
from example_project.settings import (
    CLIENT_SECRET_HASHER_PATH,
    database_from_url,
    mail_backend,
    oauth2_provider_settings,
    sqlite_database,
    tasks_settings,
)

_shm = Path("/dev/shm")
_test_db_dir = _shm if _shm.is_dir() and os.access(_shm, os.W_OK) else Path(tempfile.gettempdir())
_test_db = str(_test_db_dir / f"mm_oauth-test-{os.getpid()}.sqlite3")

DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else {**sqlite_database(_test_db), "TEST": {"NAME": _test_db}}
}
if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# People's passwords in tests: MD5 keeps sign-ins fast. The client secret
# hasher stays second, exactly as in production.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", CLIENT_SECRET_HASHER_PATH]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
globals().update(mail_backend("django.core.mail.backends.locmem.EmailBackend"))
# Tasks (the notices) run at once, whatever MM_OAUTH_TASKS the shell running the tests has set.
TASKS = tasks_settings("immediate")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# mm_oauth's defaults (the example site turns the new-authorization notice on).
MM_OAUTH = {}
# OpenID Connect off, whatever the shell's OIDC_RSA_PRIVATE_KEY_FILE or var/demo.env say (tests use oidc_on).
OAUTH2_PROVIDER = oauth2_provider_settings()
