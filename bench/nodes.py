"""Load one or two nodes of the example site with wrk, under each way of holding PostgreSQL connections.

::

    .venv/bin/python bench/nodes.py --postgres postgres://mm:mm@127.0.0.1:5432/mm
    .venv/bin/python bench/nodes.py --postgres ... --nodes 2 --modes pool

Creates a throwaway database on the ``--postgres`` server (dropped at the end)
and starts one ``redis-server`` (``CACHE_URL``); each node is a gunicorn server
of the example site in production mode (``DJANGO_DEBUG=0``) on a port of its
own. alice obtains a token through the authorization code flow, then wrk sends
``GET /api/v4/users/me`` with it as a bearer token to every node at once, in
each mode:

- ``pool``: ``DATABASE_POOL=on`` (psycopg 3's pool; Django then closes nothing);
- ``per-request``: ``DATABASE_CONN_MAX_AGE=0`` (a new connection for every request);
- ``persistent``: ``DATABASE_CONN_MAX_AGE=60`` (each process keeps its connection).

Prints req/s, p50 and p99 per node and the total. With ``--rounds`` the modes
take turns that many times (so that other load on the machine falls on each
alike) and a last table gives each mode's medians. Any non-2xx response or
socket error fails the run.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load.databases import throwaway  # noqa: E402
from tests.e2e.servers import free_port, gunicorn_logged, manage, redis_server, site_env  # noqa: E402

MODES = {
    "pool": {"DATABASE_POOL": "on"},
    "per-request": {"DATABASE_POOL": "", "DATABASE_CONN_MAX_AGE": "0"},
    "persistent": {"DATABASE_POOL": "", "DATABASE_CONN_MAX_AGE": "60"},
}
PASSWORD = "bench-password-" + "p" * 16
CALLBACK = "http://127.0.0.1:9/callback"  # never contacted: the flow stops at the redirect

SETUP = f"""
import json
from django.contrib.auth import get_user_model
from mm_oauth.services.applications import register_application
from mm_oauth.services.provider_settings import update_provider_settings
get_user_model().objects.create_user("alice", "alice@example.com", {PASSWORD!r})
app, secret = register_application(
    name="Nodes bench", description="Load benchmark client", homepage="https://bench.example.com",
    callback_urls=[{CALLBACK!r}], is_trusted=True,
)
update_provider_settings(enable_provider=True)
print(json.dumps({{"client_id": app.client_id, "client_secret": secret}}))
"""


def bearer_token(base, client):
    """Sign alice in on ``base``, authorize the (trusted) app and exchange the code; return the access token."""
    browser = requests.Session()
    page = browser.get(f"{base}/login/", timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    login = {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    browser.post(f"{base}/login/", data=login, headers={"Referer": f"{base}/login/"}, timeout=10).raise_for_status()
    params = {"client_id": client["client_id"], "response_type": "code", "redirect_uri": CALLBACK, "scope": "read"}
    redirect = browser.get(f"{base}/oauth/authorize", params=params, allow_redirects=False, timeout=10)
    code = parse_qs(urlsplit(redirect.headers["Location"]).query)["code"][0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    response = requests.post(
        f"{base}/oauth/token", data=data, auth=(client["client_id"], client["client_secret"]), timeout=10
    )
    response.raise_for_status()
    return response.json()["access_token"]


def wrk(base, token, args):
    """Start wrk against ``base``'s ``users/me`` with ``token``; return the process."""
    return subprocess.Popen(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
        + ["-H", f"Authorization: Bearer {token}", f"{base}/api/v4/users/me"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def figures(output):
    """Return req/s, p50 and p99 (ms) from wrk's ``--latency`` output; fail on any error response."""
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests:\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
    }


def milliseconds(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_mode(mode, env, token, args, logs):
    """Start the nodes with ``mode``'s database settings, load them all at once; return each node's figures."""
    with ExitStack() as stack:
        bases = [
            stack.enter_context(
                gunicorn_logged({**env, **MODES[mode]}, free_port(), logs / f"{mode}-{n}.log", workers=args.workers)
            )
            for n in range(args.nodes)
        ]
        for base in bases:  # warm every worker: its first request opens connections and imports lazily
            for _ in range(4 * args.workers):
                requests.get(f"{base}/api/v4/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        processes = [wrk(base, token, args) for base in bases]
        return [figures(process.communicate()[0]) for process in processes]


def report(mode, results):
    for n, result in enumerate(results):
        latency = f"p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms"
        print(f"{mode:12} node {n + 1}  {result['rps']:8.1f} req/s  {latency}")
    if len(results) > 1:
        print(f"{mode:12} total   {sum(result['rps'] for result in results):8.1f} req/s")


def summary(mode, rounds):
    """Print the medians over ``rounds`` (lists of each node's figures) of total req/s and of the nodes' p50 and p99."""
    total = statistics.median(sum(node["rps"] for node in nodes) for nodes in rounds)
    p50 = statistics.median(node["p50"] for nodes in rounds for node in nodes)
    p99 = statistics.median(node["p99"] for nodes in rounds for node in nodes)
    print(f"{mode:12} median  {total:8.1f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  ({len(rounds)} rounds)")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL server URL whose role may create databases")
    parser.add_argument("--nodes", type=int, default=1, help="gunicorn servers, each on its own port (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="sync workers per node (default 2)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads per node (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections per node (default 4)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per mode (default 10)")
    parser.add_argument("--rounds", type=int, default=1, help="times each mode runs, in turn (default 1)")
    args = parser.parse_args()
    unknown = set(args.modes.split(",")) - set(MODES)
    if unknown:
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    return args


def main():
    args = parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="mm_nodes_") as tmp,
        throwaway(args.postgres, "mm_nodes") as database_url,
        redis_server() as redis,
    ):
        logs = Path(tmp)
        env = site_env(
            logs,
            DATABASE_URL=database_url,
            CACHE_URL=redis.url,
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="bench-nodes-" + "k" * 50,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
        )
        manage(env, "migrate", "--noinput")
        client = json.loads(manage(env, "shell", "-c", SETUP).stdout.strip().splitlines()[-1])
        with gunicorn_logged(env, free_port(), logs / "setup.log") as base:
            token = bearer_token(base, client)
        print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency per node; ", end="")
        print(f"{args.nodes} node(s) x {args.workers} sync workers; GET /api/v4/users/me with a bearer token")
        results = {mode: [] for mode in args.modes.split(",")}
        for _round in range(args.rounds):
            for mode, rounds in results.items():
                rounds.append(run_mode(mode, env, token, args, logs))
                report(mode, rounds[-1])
        if args.rounds > 1:
            for mode, rounds in results.items():
                summary(mode, rounds)


if __name__ == "__main__":
    main()
