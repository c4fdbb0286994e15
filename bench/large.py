"""Large tables: the hot operations at 10,000 and at 1,000,000 access tokens, side by side (issue 10).

    .venv/bin/python bench/large.py --database-url postgres://mm:mm@127.0.0.1:5432/mm
    make bench-large

Creates the database ``mm_bench_large`` next to the one the URL names (dropping
a previous one), migrates it, fills it in bulk with PostgreSQL-side SQL
(``bench/large_data.py``) at the small size, times each operation (median of
``--runs``), copies the database (``mm_bench_large_small``), grows the tables
to the large size and times each operation again on both databases by turns:
the machine is shared, and a busy spell during one size alone would decide the
ratio. Each operation must stay within 1.5x of its small-size time. Then it lists the hot
queries whose ``EXPLAIN`` scans a growing table, and times
``mm_oauth_clear_expired`` on the large tables (in a child process, for its
peak memory). Exit status 1 when an operation failed the 1.5x target.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATABASE = "mm_bench_large"
SMALL_COPY = "mm_bench_large_small"  # the small size, kept to time both sizes by turns


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://mm:mm@127.0.0.1:5432/mm")
    parser.add_argument("--small", type=int, default=10_000, help="access tokens at the small size")
    parser.add_argument("--large", type=int, default=1_000_000, help="access tokens at the large size")
    parser.add_argument("--runs", type=int, default=25, help="timed runs per operation and size")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


def database_url(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url, name):
    """Drop and create database ``name`` on the server ``url`` names (connecting to ``url``'s own database)."""
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("--database-url: a postgres:// URL (the large-table benchmark is PostgreSQL's)")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def snapshot(url, source, name):
    """Copy database ``source`` to ``name`` (``CREATE DATABASE … TEMPLATE``; closes Django's connections first)."""
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def drop_database(url, name):
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url):
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_project.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main(argv=None):
    args = parse_args(argv)
    url = database_url(args.database_url, DATABASE)
    recreate_database(args.database_url, DATABASE)
    try:
        setup_django(url)
        from bench.large_ops import LargeBench, measure_interleaved, print_cleanup, print_plans, print_table

        bench = LargeBench(runs=args.runs, database=DATABASE)
        small = bench.grow_to(args.small)
        results = {"first": bench.measure_all()}
        snapshot(args.database_url, DATABASE, SMALL_COPY)
        frozen = bench.frozen_copy(SMALL_COPY)
        large = bench.grow_to(args.large)
        results.update(measure_interleaved({"small": frozen, "large": bench}, args.runs))
        bench.activate()
        failed = print_table(results, args, small, large)
        print_plans(bench.scanning_queries())
        print_cleanup(run_cleanup(url), args.large)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.database_url, DATABASE)
            drop_database(args.database_url, SMALL_COPY)
    return 1 if failed else 0


def run_cleanup(url):
    """Run ``mm_oauth_clear_expired`` in a child process; return its report (time, peak memory, counts)."""
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "bench.large_cleanup"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
