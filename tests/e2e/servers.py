"""Start the example site in separate server processes (gunicorn) on a throwaway database."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(tmp_path, **extra):
    """Environment for the example site on a SQLite file in ``tmp_path``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "MM_OAUTH_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def manage(env, *args, check=True):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=check
    )


@contextmanager
def gunicorn(env, port, workers=1):
    """Run ``gunicorn example_project.wsgi`` on ``port`` until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "example_project.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early: {process.stderr.read()[-2000:]}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:  # not listening yet, or too busy to answer
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start within {timeout}s")
