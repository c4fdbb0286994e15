"""The stock DOT project's virtual environment: created on first use, reused while its pins match.

It holds DOT 3.4.1 and, at the versions installed next to mm_oauth, the
packages both projects run on (Django, DRF, oauthlib, gunicorn, psycopg,
dj-database-url, WhiteNoise), so
the two servers differ only in the app on top.
"""

import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DOT_VERSION = "3.4.1"
SHARED_PACKAGES = (
    "Django",
    "djangorestframework",
    "oauthlib",
    "gunicorn",
    "psycopg",
    "psycopg-binary",
    "psycopg-pool",
    "dj-database-url",
    "whitenoise",
)
PINS_FILE = ".bench-pins"


def requirements():
    """Return the pins of the stock venv: DOT's version, and ours of each shared package we have installed."""
    pins = [f"django-oauth-toolkit=={DOT_VERSION}"]
    for name in SHARED_PACKAGES:
        try:
            pins.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            pass  # e.g. psycopg-pool: only where DATABASE_POOL is used
    return pins


def ensure(path, log=print):
    """Create (or bring up to date) the venv at ``path``; return its Python interpreter."""
    path = Path(path)
    python = path / "bin" / "python"
    pins = requirements()
    marker = path / PINS_FILE
    if python.exists() and marker.exists() and marker.read_text().split() == pins:
        return python
    log(f"installing the stock DOT venv in {path} ({', '.join(pins)})…")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *pins], check=True)
    marker.write_text("\n".join(pins) + "\n")
    return python
