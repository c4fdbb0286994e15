"""Run wrk once for one scenario against one server, and turn its output into figures."""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("request.lua")
RESULT_PREFIX = "BENCH_RESULT "
# A PBKDF2 request queued behind three others takes seconds on a busy machine; wrk's
# default of 2 s would count it as a timeout instead of timing it.
TIMEOUT = "30s"


@dataclass(frozen=True)
class Load:
    """How hard wrk pushes: threads, connections (shared among the threads), seconds."""

    threads: int = 2
    connections: int = 4
    duration: float = 10


def command(url, load):
    """Return the wrk command line for ``url`` under ``load``."""
    return [
        "wrk",
        f"--threads={load.threads}",
        f"--connections={load.connections}",
        f"--duration={load.duration:g}s",
        f"--timeout={TIMEOUT}",
        f"--script={SCRIPT}",
        url,
    ]


def environment(request, threads):
    """Return the environment variables ``request.lua`` reads for ``request`` (a ``scenarios.Request``)."""
    return {
        "BENCH_METHOD": request.method,
        "BENCH_PATH": request.path,
        "BENCH_HEADERS": "\n".join(f"{name}: {value}" for name, value in request.headers.items()),
        "BENCH_BODY": request.body,
        "BENCH_TOKENS": request.tokens_file,
        "BENCH_THREADS": str(threads),
    }


def run(base_url, request, load):
    """Run wrk against ``base_url`` with ``request``; return the figures (see ``figures``)."""
    env = {**os.environ, **environment(request, load.threads)}
    done = subprocess.run(command(base_url + "/", load), env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return figures(parse_result(done.stdout))


def parse_result(output):
    """Return the JSON object ``request.lua``'s ``done()`` printed in wrk's ``output``."""
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise ValueError(f"no {RESULT_PREFIX.strip()} line in wrk's output:\n{output}")


def figures(result):
    """Return req/s, p50 and p99 (ms), the non-2xx count and the details, from a parsed result."""
    statuses = {int(status): count for status, count in result["statuses"].items()}
    socket_errors = sum(result["errors"].values())
    seconds = result["duration_us"] / 1e6
    return {
        "requests": result["requests"],
        "rps": result["requests"] / seconds if seconds else 0.0,
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "non_2xx": sum(count for status, count in statuses.items() if not 200 <= status < 300),
        "socket_errors": socket_errors,
        "exhausted": result["exhausted"],
        "statuses": {str(status): statuses[status] for status in sorted(statuses)},
    }
