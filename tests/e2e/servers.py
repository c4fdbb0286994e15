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
def gunicorn(env, port, workers=1, log_path=None):
    """Run ``gunicorn example_project.wsgi`` on ``port`` until the block ends.

    With ``log_path`` its stderr (the site's log) goes to that file, for a test to read.
    """
    log = open(log_path, "w") if log_path else None  # noqa: SIM115 - closed below, after the server
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "example_project.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log or subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process, log_path=log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            log.close()


def gunicorn_logged(env, port, log_path, workers=1):
    """``gunicorn()`` with the site's log in ``log_path``."""
    return gunicorn(env, port, workers, log_path=log_path)


def wait_until_up(url, process, timeout=30, log_path=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = Path(log_path).read_text() if log_path else process.stderr.read()
            raise RuntimeError(f"server exited early: {output[-2000:]}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:  # not listening yet, or too busy to answer
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start within {timeout}s")


class RedisServer:
    """A throwaway ``redis-server`` on ``port`` that keeps nothing on disk and can be stopped and started again."""

    def __init__(self, port=None, executable="redis-server"):
        self.port = port or free_port()
        self.executable = executable
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout=10):
        """Start the server (on the same port as before) and return once it answers PING."""
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server on port {self.port} did not start within {timeout}s")
            time.sleep(0.05)
        return self

    def stop(self):
        """Kill the server (SIGKILL: an outage, not a shutdown) and wait until it is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextmanager
def redis_server(port=None):
    """Run a RedisServer until the block ends; the block may stop and start it."""
    server = RedisServer(port).start()
    try:
        yield server
    finally:
        server.stop()
