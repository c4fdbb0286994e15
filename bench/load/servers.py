"""Run a project under gunicorn (sync workers) on a free local port, as a deployment would."""

import socket
import subprocess
import time
from pathlib import Path

READY_TIMEOUT = 30


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """One gunicorn master; ``start()`` returns once it accepts connections, ``stop()`` ends it."""

    def __init__(self, name, gunicorn, wsgi_module, *, env, cwd, workers, log_dir):
        self.name = name
        self.port = free_port()
        self.command = [
            str(gunicorn),
            wsgi_module,
            f"--workers={workers}",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{self.port}",
            # One control socket per master: by default every gunicorn on the machine shares one path.
            "--no-control-socket",
        ]
        self.env, self.cwd = env, cwd
        self.log_path = Path(log_dir) / f"gunicorn-{name}.log"
        self.process = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        log = self.log_path.open("w")
        self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited; see {self.log_path}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn ({self.name}) did not listen within {READY_TIMEOUT} s; see {self.log_path}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
