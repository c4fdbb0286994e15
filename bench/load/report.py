"""The load benchmark's targets, their verdicts and its table; plain data in, text out (no Django)."""

import statistics
from dataclasses import dataclass

from .scenarios import ROWS


@dataclass(frozen=True)
class Target:
    """mm_oauth's req/s in run ``mm_run`` must be at least ``minimum`` times stock DOT's in ``dot_run``."""

    label: str
    mm_run: str
    dot_run: str
    minimum: float


TARGETS = (
    Target("code exchange >= 1.2x stock DOT unhashed", "mm/code", "dot/code", 1.2),
    Target("refresh >= 1.2x stock DOT unhashed", "mm/refresh", "dot/refresh", 1.2),
    Target("bearer GET >= 1.0x stock DOT's bare DRF view", "mm/bearer", "dot/bearer", 1.0),
    Target("code exchange >= 40x stock DOT default (PBKDF2)", "mm/code", "dot/code-pbkdf2", 40.0),
)
ZERO_FAILURES = "zero non-2xx responses and socket errors, every run"


def combine(rounds):
    """Return one run's figures over its rounds: the round of median req/s, with the failures of all rounds.

    A whole round (req/s, p50 and p99 of the same requests) rather than the
    median of each figure apart, so the three stay consistent.
    """
    middle = sorted(rounds, key=lambda figures: figures["rps"])[(len(rounds) - 1) // 2]
    combined = dict(middle)
    for key in ("requests", "non_2xx", "socket_errors", "exhausted"):
        combined[key] = sum(figures[key] for figures in rounds)
    statuses = {}
    for figures in rounds:
        for status, count in figures["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    combined["statuses"] = statuses
    combined["rounds_rps"] = [figures["rps"] for figures in rounds]
    return combined


def round_ratios(results, mm_run, dot_run):
    """Return mm_oauth's req/s over stock DOT's in each round ([] when either run is missing or DOT's is zero)."""
    mm, dot = results.get(mm_run), results.get(dot_run)
    if mm is None or dot is None:
        return []
    pairs = zip(mm.get("rounds_rps", [mm["rps"]]), dot.get("rounds_rps", [dot["rps"]]), strict=True)
    return [mm_rps / dot_rps for mm_rps, dot_rps in pairs if dot_rps]


def ratio(results, mm_run, dot_run):
    """Return mm_oauth's req/s over stock DOT's: the median of the rounds' ratios (None without figures).

    Each round pairs two runs taken one after the other, under the same load
    from the rest of the machine; a ratio of two medians could pair runs of
    different rounds.
    """
    ratios = round_ratios(results, mm_run, dot_run)
    return statistics.median(ratios) if ratios else None


def evaluate(results):
    """Return one verdict per target: ``{"target", "value", "passed"}``."""
    verdicts = []
    for target in TARGETS:
        value = ratio(results, target.mm_run, target.dot_run)
        verdicts.append(
            {"target": target.label, "value": value, "passed": value is not None and value >= target.minimum}
        )
    failures = {key: run["non_2xx"] + run["socket_errors"] for key, run in results.items()}
    bad = sorted(key for key, count in failures.items() if count)
    verdicts.append({"target": ZERO_FAILURES, "value": sum(failures.values()), "passed": not bad, "runs": bad})
    return verdicts


def _cells(run):
    if run is None:
        return f"{'—':>8} {'':>8} {'':>8} {'':>7}"
    return f"{run['rps']:8.1f} {run['p50_ms']:8.2f} {run['p99_ms']:8.2f} {run['non_2xx'] + run['socket_errors']:7d}"


def format_table(results):
    """Return the side-by-side table: scenario | stock DOT | mm_oauth | ratio (mm_oauth req/s / DOT's)."""
    head = f"{'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>7}"
    width = len(head)
    lines = [
        f"{'':33} | {'stock DOT':^{width}} | {'mm_oauth':^{width}} |",
        f"{'scenario':33} | {head} | {head} | {'ratio':>6}",
        "-" * (33 + 2 * width + 17),
    ]
    for row in ROWS:
        dot = results.get(row.dot_run) if row.dot_run else None
        value = ratio(results, row.mm_run, row.dot_run) if row.dot_run else None
        shown = f"{value:5.2f}x" if value is not None else f"{'—':>6}"
        lines.append(f"{row.label:33} | {_cells(dot)} | {_cells(results.get(row.mm_run))} | {shown}")
    return "\n".join(lines)


def format_rounds(results):
    """Return each row's req/s, stock DOT's and mm_oauth's, and their ratio, round by round."""
    lines = ["Round by round (req/s stock DOT | mm_oauth | ratio):"]
    for row in ROWS:
        mm = ", ".join(f"{rps:.1f}" for rps in results[row.mm_run]["rounds_rps"])
        if row.dot_run is None:
            lines.append(f"  {row.label:33} — | {mm} | —")
            continue
        dot = ", ".join(f"{rps:.1f}" for rps in results[row.dot_run]["rounds_rps"])
        ratios = ", ".join(f"{value:.2f}x" for value in round_ratios(results, row.mm_run, row.dot_run))
        lines.append(f"  {row.label:33} {dot} | {mm} | {ratios}")
    return "\n".join(lines)


def format_verdicts(verdicts):
    """Return one PASS/FAIL line per target."""
    lines = ["Targets:"]
    for verdict in verdicts:
        value = verdict["value"]
        if verdict["target"] == ZERO_FAILURES:
            shown = f"{value} ({', '.join(verdict['runs'])})" if verdict["runs"] else "0"
        else:
            shown = f"{value:.2f}x" if value is not None else "n/a"
        lines.append(f"  {'PASS' if verdict['passed'] else 'FAIL'}  {verdict['target']}: {shown}")
    return "\n".join(lines)


def format_report(figures):
    """Return the whole report: the set-up line, the table, the exhausted-values warnings, the verdicts."""
    env, load = figures["environment"], figures["load"]
    rounds = load.get("rounds", 1)
    lines = [
        f"Load benchmark: wrk {load['threads']} threads x {load['connections']} connections x "
        f"{load['duration']:g} s per run"
        + (f", {rounds} rounds (each run's median round; ratio: the median of the rounds')" if rounds > 1 else "")
        + f"; gunicorn {env['gunicorn']}, {load['workers']} sync workers per project; PostgreSQL {env['postgresql']}",
        f"Python {env['python']}, Django {env['django']}, DOT {env['dot']} (stock venv: Django {env['stock_django']}, "
        f"DOT {env['stock_dot']}); {env['nproc']} CPUs, {env['memory']} memory",
        "",
        format_table(figures["results"]),
        "",
    ]
    if rounds > 1:
        lines += [format_rounds(figures["results"]), ""]
    for key, run in figures["results"].items():
        if run["exhausted"]:
            lines.append(f"warning: {key} ran out of one-use values ({run['exhausted']} requests): raise --codes")
        if run["non_2xx"]:
            lines.append(f"note: {key} status codes {run['statuses']}")
    lines.append(format_verdicts(figures["targets"]))
    return "\n".join(lines)
