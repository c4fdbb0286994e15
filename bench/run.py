"""Side-by-side benchmark of mm_oauth's hot paths.

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

This module is the entry point: set-up lives in ``bench.environment`` and
``bench.fixtures``, the timings in ``bench.measure``, targets and table in
``bench.report``.
"""

import argparse
import json
import sys
from pathlib import Path

# Run as a script, Python puts bench/ itself first on the path, where its modules
# (report, measure, ...) would shadow top-level modules of those names; the
# repository root belongs there, for the bench, mm_oauth and example_project packages.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.environment import TMPFS_DIR, setup_django  # noqa: E402
from bench.report import evaluate, format_report  # noqa: E402

__all__ = ["FULL_COUNTS", "QUICK_COUNTS", "format_report", "main", "run"]

# Timed requests per configuration, and untimed warm-up requests first.
FULL_COUNTS = {"pbkdf2": 20, "token": 200, "me": 500, "warmup": 5, "me_warmup": 20}
QUICK_COUNTS = {"pbkdf2": 3, "token": 20, "me": 50, "warmup": 2, "me_warmup": 5}


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
    counts = dict(QUICK_COUNTS if quick else FULL_COUNTS)
    overrides = {"pbkdf2": pbkdf2_iterations, "token": token_iterations, "me": me_iterations, "warmup": warmup}
    counts.update({key: value for key, value in overrides.items() if value is not None})
    setup_django(db_dir)
    # The one import that waits for Django: bench.measure (and bench.fixtures
    # through it) reach models at import, so they load only once Django is set up.
    from bench import measure

    measured = measure.measure_all(counts, progress=_progress if verbose else _quiet)
    return {
        "quick": quick,
        "counts": counts,
        "environment": measured["environment"],
        "token": measured["token"],
        "users_me": measured["users_me"],
        "queries": measured["queries"],
        "targets": evaluate(measured["token"], measured["users_me"], measured["queries"]),
    }


def _progress(message):
    print(message, file=sys.stderr, flush=True)


def _quiet(message):
    pass


def parse_args(argv):
    """Parse the command line; refuse iteration counts below 1 and negative warm-ups."""
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
