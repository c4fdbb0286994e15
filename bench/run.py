"""Side-by-side benchmark of mm_oauth's hot paths (DESIGN F1, F7 and section 4).

Run from the repository root::

    .venv/bin/python bench/run.py            # full run (about 15 s)
    .venv/bin/python bench/run.py --quick    # smoke run (a few seconds)
    .venv/bin/python bench/run.py --json var/bench.json --strict

What it measures, in one process and one run (see bench/README.md):

1. ``POST /oauth/access_token`` (authorization code grant, client secret in the
   form) for three ways of storing the client secret: (a) mm_oauth's
   ``ClientSecretHasher``, (b) DOT's default (PBKDF2, the first entry of
   ``PASSWORD_HASHERS``), (c) unhashed. Targets: (a) at least 30x faster than
   (b), and within 1.5x of (c).
2. ``GET /api/v4/users/me`` with a bearer token against the same view with a
   signed-in session. Target: bearer within 1.3x of session.
3. Database queries of one warm bearer ``users/me`` request. Targets: exactly 1
   query, none of them for the provider settings.

Every timed request goes through Django's test client (in-process WSGI, the full
middleware stack, no network) and is checked to have succeeded.

Run as a script, it configures Django itself: ``example_project.settings`` with
a fresh SQLite file in a temporary directory (removed when the process exits)
and ``DEBUG`` off. Imported into a process where Django is already configured
(a test), ``run()`` uses that configuration and its database, with
``PASSWORD_HASHERS`` overridden to production's list.
"""

import argparse
import atexit
import gc
import json
import operator
import os
import platform
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TOKEN_PATH = "/oauth/access_token"
ME_PATH = "/api/v4/users/me"
FORM = "application/x-www-form-urlencoded"
SCOPE = "read write"
CALLBACK = "https://bench.example.com/callback"

# Production's hashers: people's passwords with PBKDF2 first, client secrets second.
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "mm_oauth.hashers.ClientSecretHasher",
]

# Timed requests per configuration, and untimed warm-up requests first.
FULL_COUNTS = {"pbkdf2": 20, "token": 200, "me": 500, "warmup": 5, "me_warmup": 20}
QUICK_COUNTS = {"pbkdf2": 3, "token": 20, "me": 50, "warmup": 2, "me_warmup": 5}
# A memory-backed directory for the SQLite file when there is one (see default_db_dir).
TMPFS_DIR = "/dev/shm"

TOKEN_CONFIGS = (
    ("mm_oauth", "(a) mm_oauth: ClientSecretHasher", "mm_oauth_sha256$"),
    ("pbkdf2", "(b) DOT default: PBKDF2", "pbkdf2_sha256$"),
    ("plain", "(c) unhashed secret", None),
)

_COMPARE = {">=": operator.ge, "<=": operator.le, "==": operator.eq}
TARGETS = {
    "pbkdf2_speedup_min": 30.0,
    "mm_vs_plain_max": 1.5,
    "bearer_vs_session_max": 1.3,
    "bearer_queries": 1,
    "provider_settings_queries": 0,
}

_state = {"tmpdir": None, "owned": None}


# --------------------------------------------------------------------------- setup


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


def setup_django(db_dir=None):
    """Configure Django unless it already is; return whether this module owns the configuration.

    ``db_dir``: where to create the temporary directory holding the SQLite file
    (default: ``default_db_dir()``). Ignored when Django is already configured.
    """
    if _state["owned"] is not None:
        return _state["owned"]
    from django.conf import settings

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

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    _state["owned"] = True
    return True


def _remove_tmpdir():
    tmpdir = _state["tmpdir"]
    if tmpdir is None:
        return
    from django.db import connections

    connections.close_all()
    shutil.rmtree(tmpdir, ignore_errors=True)
    _state["tmpdir"] = None


@dataclass
class BenchApp:
    """An application, its plaintext secret, and the label it carries in the report."""

    key: str
    label: str
    app: object
    secret: str
    codes: list = field(default_factory=list)

    @property
    def stored_form(self):
        stored = self.app.client_secret
        return stored.split("$", 1)[0] + "$…" if "$" in stored else "plaintext"


def make_user():
    from django.contrib.auth import get_user_model

    name = f"bench-{uuid.uuid4().hex[:8]}"
    return get_user_model().objects.create_user(
        username=name, email=f"{name}@example.com", first_name="Bench", last_name="User"
    )


def make_apps(user):
    """Register the three applications and check how each stores its secret."""
    from django.contrib.auth.hashers import make_password

    from mm_oauth.services.applications import register_application

    apps = {}
    for key, label, prefix in TOKEN_CONFIGS:
        app, secret = register_application(
            creator=user,
            name=f"Bench {key}",
            description="Benchmark client",
            homepage="https://bench.example.com/",
            callback_urls=[CALLBACK],
        )
        if key == "pbkdf2":
            app.client_secret = make_password(secret, hasher="pbkdf2_sha256")
            app.save()
        elif key == "plain":
            app.hash_client_secret = False
            app.client_secret = secret
            app.save()
        app.refresh_from_db()
        stored = app.client_secret
        expected_ok = stored.startswith(prefix) if prefix else stored == secret
        assert expected_ok, f"{label}: unexpected stored secret form {stored.split('$', 1)[0]!r}"
        apps[key] = BenchApp(key, label, app, secret)
    return apps


def issue_codes(bench_app, user, count):
    """Store ``count`` authorization codes for ``bench_app`` (outside any timed region)."""
    from django.utils import timezone
    from oauth2_provider.models import get_grant_model

    Grant = get_grant_model()
    expires = timezone.now() + timedelta(hours=1)
    grants = [
        Grant(
            user=user,
            application=bench_app.app,
            code=secrets.token_urlsafe(32),
            expires=expires,
            redirect_uri=CALLBACK,
            scope=SCOPE,
        )
        for _ in range(count)
    ]
    Grant.objects.bulk_create(grants)
    bench_app.codes.extend(grant.code for grant in grants)


# --------------------------------------------------------------------------- requests


def token_request(client, bench_app):
    """POST one code to the token endpoint; return (elapsed ns, response)."""
    body = urlencode(
        {
            "grant_type": "authorization_code",
            "code": bench_app.codes.pop(),
            "redirect_uri": CALLBACK,
            "client_id": bench_app.app.client_id,
            "client_secret": bench_app.secret,
        }
    )
    start = time.perf_counter_ns()
    response = client.post(TOKEN_PATH, body, content_type=FORM)
    elapsed = time.perf_counter_ns() - start
    return elapsed, response


def check_token_response(response, label):
    assert response.status_code == 200, f"{label}: token endpoint answered {response.status_code}: {response.content!r}"
    payload = response.json()
    assert payload.get("access_token"), f"{label}: no access_token in {sorted(payload)}"
    return payload["access_token"]


def me_request(client, user):
    """GET users/me; return elapsed ns (after checking the answer)."""
    start = time.perf_counter_ns()
    response = client.get(ME_PATH)
    elapsed = time.perf_counter_ns() - start
    assert response.status_code == 200, f"users/me answered {response.status_code}: {response.content!r}"
    assert response.json()["id"] == str(user.pk)
    return elapsed


def interleaved(counts):
    """Return the keys of ``counts`` spread evenly over one schedule (each key ``counts[key]`` times).

    Interleaving keeps slow drift (database growth, CPU frequency, caches) from
    favouring whichever configuration would otherwise run first.
    """
    slots = [((i + 0.5) / n, key) for key, n in counts.items() for i in range(n)]
    return [key for _pos, key in sorted(slots)]


def summary(samples_ns):
    ms = [sample / 1e6 for sample in samples_ns]
    return {
        "n": len(ms),
        "median_ms": statistics.median(ms),
        "mean_ms": statistics.fmean(ms),
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


# --------------------------------------------------------------------------- measurements


def measure_token_endpoint(apps, user, counts, warmup):
    """Time the token endpoint for each configuration; return (summaries, one access token)."""
    from django.test import Client

    client = Client()
    for key, bench_app in apps.items():
        issue_codes(bench_app, user, counts[key] + warmup + 1)
    for bench_app in apps.values():
        for _ in range(warmup):
            check_token_response(token_request(client, bench_app)[1], bench_app.label)
    samples = {key: [] for key in apps}
    gc.collect()
    for key in interleaved(counts):
        elapsed, response = token_request(client, apps[key])
        check_token_response(response, apps[key].label)
        samples[key].append(elapsed)
    results = {
        key: {"label": bench_app.label, "stored_secret": bench_app.stored_form, **summary(samples[key])}
        for key, bench_app in apps.items()
    }
    token = check_token_response(token_request(client, apps["mm_oauth"])[1], apps["mm_oauth"].label)
    return results, token


def measure_users_me(user, access_token, count, warmup):
    """Time users/me with a bearer token and with a session, interleaved."""
    from django.test import Client

    clients = {
        "bearer": Client(headers={"authorization": f"Bearer {access_token}"}),
        "session": Client(),
    }
    clients["session"].force_login(user)
    for client in clients.values():
        for _ in range(warmup):
            me_request(client, user)
    samples = {key: [] for key in clients}
    gc.collect()
    for key in interleaved({key: count for key in clients}):
        samples[key].append(me_request(clients[key], user))
    return {key: summary(values) for key, values in samples.items()}, clients


def captured_sql(request):
    """Run ``request()`` under CaptureQueriesContext; return the SQL of each query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        request()
    return [query["sql"] for query in context.captured_queries]


def tables_of(sql):
    return sorted(set(re.findall(r'(?:FROM|JOIN|INTO|UPDATE)\s+["`]?(\w+)["`]?', sql, flags=re.IGNORECASE)))


def measure_queries(apps, user, clients):
    """Count the database queries of warm protected requests (and a few for comparison)."""
    from django.test import Client

    from mm_oauth.models import ProviderSettings
    from mm_oauth.services import provider_settings

    settings_table = ProviderSettings._meta.db_table

    def describe(sqls):
        return [{"sql": sql, "tables": tables_of(sql)} for sql in sqls]

    def warm(client):
        # Reload the provider settings now, so they are surely cached (for SETTINGS_CACHE_SECONDS)
        # when the measured request runs: an older copy could expire between the two requests.
        provider_settings.clear_cache()
        me_request(client, user)
        return describe(captured_sql(lambda: me_request(client, user)))

    bearer = warm(clients["bearer"])
    session = warm(clients["session"])
    provider_settings.clear_cache()
    bearer_cold = describe(captured_sql(lambda: me_request(clients["bearer"], user)))
    mm_app = apps["mm_oauth"]
    issue_codes(mm_app, user, 1)
    token_queries = describe(
        captured_sql(lambda: check_token_response(token_request(Client(), mm_app)[1], mm_app.label))
    )
    return {
        "bearer_warm": bearer,
        "session_warm": session,
        "bearer_provider_settings_queries": sum(settings_table in q["tables"] for q in bearer),
        "bearer_cold": bearer_cold,
        "token_endpoint": token_queries,
        "provider_settings_table": settings_table,
    }


# --------------------------------------------------------------------------- targets and report


def evaluate(token, me, queries):
    """Return one PASS/FAIL record per target (time ratios are taken from the medians)."""
    a, b, c = (token[key]["median_ms"] for key in ("mm_oauth", "pbkdf2", "plain"))
    bearer, session = me["bearer"]["median_ms"], me["session"]["median_ms"]
    checks = [
        ("(a) at least 30x faster than (b), PBKDF2", b / a, ">=", TARGETS["pbkdf2_speedup_min"], "x"),
        ("(a) within 1.5x of (c), unhashed", a / c, "<=", TARGETS["mm_vs_plain_max"], "x"),
        ("users/me: bearer within 1.3x of session", bearer / session, "<=", TARGETS["bearer_vs_session_max"], "x"),
        ("users/me bearer, warm: queries", len(queries["bearer_warm"]), "==", TARGETS["bearer_queries"], ""),
        (
            "users/me bearer, warm: provider-settings queries",
            queries["bearer_provider_settings_queries"],
            "==",
            TARGETS["provider_settings_queries"],
            "",
        ),
    ]
    return [
        {
            "name": name,
            "value": value,
            "target": f"{op} {limit:g}{unit}",
            "passed": bool(_COMPARE[op](value, limit)),
            "unit": unit,
        }
        for name, value, op, limit, unit in checks
    ]


def environment():
    from django.conf import settings
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.core.cache import caches
    from django.db import connection
    from oauth2_provider.settings import oauth2_settings

    from mm_oauth.conf import app_settings

    return {
        "python": platform.python_version(),
        "django": metadata.version("django"),
        "django_oauth_toolkit": metadata.version("django-oauth-toolkit"),
        "database": _describe_database(connection),
        "cache": type(caches[app_settings.SETTINGS_CACHE_ALIAS]).__name__,
        "debug": settings.DEBUG,
        "client_secret_hasher": oauth2_settings.CLIENT_SECRET_HASHER,
        "pbkdf2_iterations": PBKDF2PasswordHasher.iterations,
        "settings_cache_seconds": app_settings.SETTINGS_CACHE_SECONDS,
    }


def _describe_database(connection):
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name.startswith(":memory:") or "mode=memory" in name:
        return f"{connection.vendor} ({name})"
    fstype = filesystem_of(name)
    return f"sqlite ({name}{', on ' + fstype if fstype else ''})"


def _fmt_ratio(value):
    return f"{value:,.2f}x" if value < 100 else f"{value:,.0f}x"


def format_report(figures):
    """Return the side-by-side table as text."""
    env, token, me, queries = figures["environment"], figures["token"], figures["users_me"], figures["queries"]
    base = token["mm_oauth"]["median_ms"]
    lines = [
        "mm_oauth benchmark" + (" (quick)" if figures["quick"] else ""),
        f"  Python {env['python']}, Django {env['django']}, django-oauth-toolkit {env['django_oauth_toolkit']}, "
        f"DEBUG={env['debug']}",
        f"  database {env['database']}, cache {env['cache']}, PBKDF2 iterations {env['pbkdf2_iterations']:,}, "
        f"CLIENT_SECRET_HASHER={env['client_secret_hasher']!r}",
        "",
        f"1. Token endpoint: POST {TOKEN_PATH} (authorization_code, client_id/client_secret in the form)",
        f"   {'configuration':<36} {'stored secret':<18} {'n':>5} {'median ms':>10} {'mean ms':>9} {'vs (a)':>9}",
    ]
    for row in token.values():
        lines.append(
            f"   {row['label']:<36} {row['stored_secret']:<18} {row['n']:>5} {row['median_ms']:>10.2f} "
            f"{row['mean_ms']:>9.2f} {_fmt_ratio(row['median_ms'] / base):>9}"
        )
    session = me["session"]["median_ms"]
    lines += [
        "",
        f"2. GET {ME_PATH}",
        f"   {'authentication':<36} {'queries (warm)':<18} {'n':>5} {'median ms':>10} {'mean ms':>9} {'vs session':>9}",
    ]
    for key, label in (("bearer", "bearer access token"), ("session", "signed-in session (force_login)")):
        row = me[key]
        count = len(queries[f"{key}_warm"])
        lines.append(
            f"   {label:<36} {count:<18} {row['n']:>5} {row['median_ms']:>10.2f} {row['mean_ms']:>9.2f} "
            f"{_fmt_ratio(row['median_ms'] / session):>9}"
        )
    lines += ["", f"3. Queries of one warm bearer GET {ME_PATH}: {len(queries['bearer_warm'])}"]
    lines += _format_queries(queries["bearer_warm"])
    lines.append(f"   Queries of one warm session GET {ME_PATH}: {len(queries['session_warm'])}")
    lines += _format_queries(queries["session_warm"], sql=False)
    lines += [
        "   For comparison:",
        f"     bearer GET {ME_PATH} right after the provider-settings cache was cleared: "
        f"{_tally(queries['bearer_cold'])}",
        f"     one token request, configuration (a): {_tally(queries['token_endpoint'])}",
        "",
        "Targets (ratios from medians)",
    ]
    for target in figures["targets"]:
        value = target["value"]
        shown = _fmt_ratio(value) if target["unit"] == "x" else str(value)
        lines.append(
            f"   {'PASS' if target['passed'] else 'FAIL'}  {target['name']:<50} {shown:>9}  ({target['target']})"
        )
    return "\n".join(lines)


def _tally(described):
    """Return e.g. "3 queries (2 oauth2_provider_grant, 1 auth_user)" (transaction statements as such)."""
    counts = Counter("+".join(query["tables"]) or query["sql"].split()[0] for query in described)
    parts = ", ".join(f"{count} {name}" for name, count in counts.most_common())
    return f"{len(described)} queries ({parts})" if described else "0 queries"


def _format_queries(described, sql=True):
    lines = []
    for number, query in enumerate(described, 1):
        lines.append(f"     [{number}] tables: {', '.join(query['tables']) or '-'}")
        if sql:
            lines += textwrap.wrap(query["sql"], width=112, initial_indent="         ", subsequent_indent="         ")
    return lines


# --------------------------------------------------------------------------- entry points


def _log(message, verbose):
    if verbose:
        print(message, file=sys.stderr, flush=True)


def run(
    quick=True,
    *,
    pbkdf2_iterations=None,
    token_iterations=None,
    me_iterations=None,
    warmup=None,
    db_dir=None,
    verbose=False,
):
    """Run every measurement and return the figures (a JSON-serialisable dict).

    In a process where Django is already configured, the caller provides a
    usable database (in a pytest-django test: the ``transactional_db`` or
    ``db`` fixture).
    """
    setup_django(db_dir)
    from django.test.utils import override_settings

    from mm_oauth.services import provider_settings

    counts = dict(QUICK_COUNTS if quick else FULL_COUNTS)
    overrides = {"pbkdf2": pbkdf2_iterations, "token": token_iterations, "me": me_iterations, "warmup": warmup}
    counts.update({key: value for key, value in overrides.items() if value is not None})
    try:
        with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
            provider_settings.update_provider_settings(enable_provider=True)
            user = make_user()
            apps = make_apps(user)
            _log("measuring the token endpoint…", verbose)
            token_counts = {"mm_oauth": counts["token"], "pbkdf2": counts["pbkdf2"], "plain": counts["token"]}
            token, access_token = measure_token_endpoint(apps, user, token_counts, counts["warmup"])
            _log("measuring users/me…", verbose)
            me, clients = measure_users_me(user, access_token, counts["me"], counts["me_warmup"])
            queries = measure_queries(apps, user, clients)
            env = environment()
    finally:
        provider_settings.clear_cache()
    return {
        "quick": quick,
        "counts": counts,
        "environment": env,
        "token": token,
        "users_me": me,
        "queries": queries,
        "targets": evaluate(token, me, queries),
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run with few iterations")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH as JSON")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 if any target fails")
    parser.add_argument("--pbkdf2-iterations", type=int, metavar="N", help="timed token requests for (b)")
    parser.add_argument("--token-iterations", type=int, metavar="N", help="timed token requests for (a) and (c)")
    parser.add_argument("--me-iterations", type=int, metavar="N", help="timed users/me requests per authentication")
    parser.add_argument("--warmup", type=int, metavar="N", help="untimed token requests per configuration first")
    parser.add_argument(
        "--db-dir",
        metavar="DIR",
        help=f"where to create the temporary SQLite database (default: {TMPFS_DIR} if writable, else the temp dir)",
    )
    args = parser.parse_args(argv)
    for name in ("pbkdf2_iterations", "token_iterations", "me_iterations"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup is not None and args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def main(argv=None):
    """Run the benchmark, print the table; return the exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    figures = run(
        quick=args.quick,
        pbkdf2_iterations=args.pbkdf2_iterations,
        token_iterations=args.token_iterations,
        me_iterations=args.me_iterations,
        warmup=args.warmup,
        db_dir=args.db_dir,
        verbose=True,
    )
    print(format_report(figures))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str) + "\n")
    failed = [target for target in figures["targets"] if not target["passed"]]
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
