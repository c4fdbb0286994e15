"""Run the load benchmark: ``python -m bench.load [--quick] [--duration S] [--strict] [--json PATH]``.

In one run: the stock DOT venv (created once), fresh PostgreSQL databases for
both projects, their fixtures, both projects under gunicorn, wrk against each
in turn per scenario, then the table and the targets (bench/README.md, "Load
benchmark").
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

from . import databases, report, scenarios, servers, stock_venv, wrk

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://mm:mm@127.0.0.1:5432/mm"
DEFAULT_STOCK_VENV = ROOT / "bench" / ".venv-stock"
DEFAULT_WORKDIR = ROOT / "var" / "bench-load"
WSGI = {"mm": "example_project.wsgi", "dot": "bench.stock_dot.wsgi"}
SETTINGS = {"mm": "example_project.settings", "dot": "bench.stock_dot.settings"}
# One-use values (codes, refresh tokens) stored per second of a run: above what two
# sync workers can redeem; a run that still runs out says so and counts the failures.
VALUES_PER_SECOND = 1500
SLOW_VALUES_PER_SECOND = 100  # DOT default: every request runs PBKDF2
QUICK_DURATION = 2
WARMUP_SECONDS = 1


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DURATION} s per run: a smoke test")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 10; --quick: 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections in all (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per project (default 2)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="run every scenario this many times; report the median (default 1)"
    )
    parser.add_argument(
        "--codes", type=int, help=f"one-use codes and refresh tokens per app (default {VALUES_PER_SECOND}/s)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MM_OAUTH_BENCH_POSTGRES_URL") or DEFAULT_DATABASE_URL,
        help="a PostgreSQL role allowed to create databases (default $MM_OAUTH_BENCH_POSTGRES_URL or "
        f"{DEFAULT_DATABASE_URL}); the bench drops and creates {', '.join(databases.DATABASE_NAMES.values())}",
    )
    parser.add_argument("--stock-venv", type=Path, default=DEFAULT_STOCK_VENV, help="the stock DOT venv (reused)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="fixtures and server logs")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH as JSON")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 if any target fails")
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = QUICK_DURATION if args.quick else 10
    if args.duration <= 0 or min(args.threads, args.workers, args.rounds) < 1 or args.connections < args.threads:
        parser.error(
            "--duration must be positive, --threads, --workers and --rounds at least 1, --connections >= --threads"
        )
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    return args


def log(message):
    print(message, file=sys.stderr, flush=True)


def project_env(project, database_url, workdir):
    """Return the environment one project's processes (fixtures and gunicorn) run with: production's."""
    env = {key: value for key, value in os.environ.items() if key not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS[project],
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        # The same key for the fixtures (which sign the sessions in) and the servers.
        DJANGO_SECRET_KEY="load-bench-not-secret-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        MM_OAUTH_VAR_DIR=str(workdir / "var"),
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare(project, python, env, directory, counts):
    """Migrate ``project``'s database and store its fixtures (in its own interpreter); return them."""
    log(f"preparing {project}: migrate, users, apps, {counts['codes']} codes and refresh tokens…")
    command = [str(python), "-m", "bench.load.prepare", project, str(directory)]
    command += [str(counts["codes"]), str(counts["slow_codes"]), str(counts["refresh"])]
    subprocess.run(command, env=env, cwd=ROOT, check=True)
    return json.loads((directory / "fixtures.json").read_text())


def measure(servers_by_project, fixtures, load, rounds):
    """Warm both servers up, then run every scenario against each in turn, ``rounds`` times.

    Return the figures by run key: the median round of each run (``report.combine``).
    """
    runs = {run.key: run for run in scenarios.RUNS}
    warmup = wrk.Load(load.threads, load.connections, min(WARMUP_SECONDS, load.duration))
    for key in scenarios.WARMUP_RUNS:
        run = runs[key]
        wrk.run(servers_by_project[run.project].base_url, run.build(fixtures[run.project]), warmup)
    measured = {key: [] for key in runs}
    for number in range(rounds):
        for run in scenarios.RUNS:
            log(f"  {f'round {number + 1}/{rounds}: ' if rounds > 1 else ''}{run.label}…")
            request = run.build(fixtures[run.project])
            if request.tokens_file:
                # Each round sends its own share of the one-use values, never one an earlier round sent.
                request = replace(request, tokens_file=split_values(request.tokens_file, rounds)[number])
            measured[run.key].append(wrk.run(servers_by_project[run.project].base_url, request, load))
    return {key: report.combine(figures) for key, figures in measured.items()}


def split_values(path, parts):
    """Split the file of one-use values at ``path`` into ``parts`` files (once); return their paths."""
    if parts == 1:
        return [path]
    names = [f"{path}.{number}" for number in range(parts)]
    if not Path(names[-1]).exists():
        values = Path(path).read_text().split()
        size = len(values) // parts
        for number, name in enumerate(names):
            Path(name).write_text("\n".join(values[number * size : (number + 1) * size]) + "\n")
    return names


def describe_environment(stock_python, database_url):
    """Return the machine and the versions the figures were taken under."""
    probe = "from importlib.metadata import version as v; print(v('Django'), v('django-oauth-toolkit'))"
    stock = subprocess.run([str(stock_python), "-c", probe], capture_output=True, text=True, check=True)
    stock_django, stock_dot = stock.stdout.split()
    return {
        "nproc": os.cpu_count(),
        "memory": _memory(),
        "python": platform.python_version(),
        "django": version("Django"),
        "dot": version("django-oauth-toolkit"),
        "drf": version("djangorestframework"),
        "gunicorn": version("gunicorn"),
        "stock_django": stock_django,
        "stock_dot": stock_dot,
        "postgresql": databases.server_version(database_url),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0],
    }


def _memory():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def run(args):
    """Run the whole benchmark; return the figures (a JSON-serialisable dict)."""
    load = wrk.Load(args.threads, args.connections, args.duration)
    seconds = args.duration * args.rounds
    values = args.codes or int(VALUES_PER_SECOND * seconds)
    counts = {"codes": values, "refresh": values, "slow_codes": int(SLOW_VALUES_PER_SECOND * seconds) + 10}
    pythons = {"mm": Path(sys.executable), "dot": stock_venv.ensure(args.stock_venv, log)}
    shutil.rmtree(args.workdir, ignore_errors=True)
    databases.recreate(args.database_url, databases.DATABASE_NAMES.values())
    envs, fixtures, running = {}, {}, {}
    for project, name in databases.DATABASE_NAMES.items():
        workdir = args.workdir / project
        (workdir / "var").mkdir(parents=True)
        envs[project] = project_env(project, databases.url_for(args.database_url, name), workdir)
        fixtures[project] = prepare(project, pythons[project], envs[project], workdir, counts)
        databases.analyze(envs[project]["DATABASE_URL"])
    try:
        for project in databases.DATABASE_NAMES:
            gunicorn = pythons[project].parent / "gunicorn"
            running[project] = servers.Gunicorn(
                project,
                gunicorn,
                WSGI[project],
                env=envs[project],
                cwd=ROOT,
                workers=args.workers,
                log_dir=args.workdir,
            ).start()
        log(f"measuring ({load.duration:g} s per run, {args.rounds} round(s))…")
        results = measure(running, fixtures, load, args.rounds)
    finally:
        for server in running.values():
            server.stop()
    return {
        "load": {**vars(load), "workers": args.workers, "rounds": args.rounds},
        "environment": describe_environment(pythons["dot"], args.database_url),
        "stored_secrets": {project: fixtures[project]["stored_secrets"] for project in fixtures},
        "results": results,
        "targets": report.evaluate(results),
    }


def main(argv=None):
    """Run the benchmark and print the report; return the exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    figures = run(args)
    print(report.format_report(figures))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    failed = [verdict for verdict in figures["targets"] if not verdict["passed"]]
    return 1 if (args.strict and failed) else 0
