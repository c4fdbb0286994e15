"""Set up the Django project the benchmark runs in, and name the endpoints it measures.

Nothing here needs Django to be configured first, so the entry point can call
``setup_django()`` before it imports the modules that reach models.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connections

TOKEN_PATH = "/oauth/access_token"
ME_PATH = "/api/v4/users/me"

# A memory-backed directory for the SQLite file when there is one (see default_db_dir).
TMPFS_DIR = "/dev/shm"

_state = {"tmpdir": None, "owned": None}


def default_db_dir():
    """Return where the SQLite file goes by default: /dev/shm if usable, else the system temp dir.

    On a memory-backed file system a commit costs no disk sync, so the figures
    show the application's own work rather than the disk's fsync latency (a
    few milliseconds per commit on a virtual disk, and very noisy).
    """
    if os.path.isdir(TMPFS_DIR) and os.access(TMPFS_DIR, os.W_OK):
        return TMPFS_DIR
    return None


def filesystem_of(path):
    """Return the file system type holding ``path`` (from /proc/mounts), or "" if unknown."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ""
    best, fstype = "", ""
    target = os.path.realpath(path)
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1]
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, fstype = point, fields[2]
    return fstype


def describe_database(connection):
    """Return the database vendor and name, with the file system of a SQLite file."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name.startswith(":memory:") or "mode=memory" in name:
        return f"{connection.vendor} ({name})"
    fstype = filesystem_of(name)
    return f"sqlite ({name}{', on ' + fstype if fstype else ''})"


def setup_django(db_dir=None):
    """Configure Django unless it already is; return whether this module owns the configuration.

    ``db_dir``: where to create the temporary directory holding the SQLite file
    (default: ``default_db_dir()``). Ignored when Django is already configured.
    """
    if _state["owned"] is not None:
        return _state["owned"]
    if settings.configured:
        _state["owned"] = False
        return False
    tmpdir = tempfile.mkdtemp(prefix="mm_oauth_bench_", dir=db_dir or default_db_dir())
    _state["tmpdir"] = tmpdir
    atexit.register(_remove_tmpdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_project.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir}/bench.sqlite3"
    os.environ["MM_OAUTH_VAR_DIR"] = tmpdir
    os.environ["DJANGO_DEBUG"] = "0"
    django.setup()
    call_command("migrate", verbosity=0)
    _state["owned"] = True
    return True


def _remove_tmpdir():
    tmpdir = _state["tmpdir"]
    if tmpdir is None:
        return
    connections.close_all()
    shutil.rmtree(tmpdir, ignore_errors=True)
    _state["tmpdir"] = None
