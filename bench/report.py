"""Judge the figures against the targets and lay them out as the side-by-side table.

Plain data in, text out: nothing here needs Django.
"""

import operator
import textwrap
from collections import Counter

from .environment import ME_PATH, TOKEN_PATH

_COMPARE = {">=": operator.ge, "<=": operator.le, "==": operator.eq}
TARGETS = {
    "pbkdf2_speedup_min": 30.0,
    "mm_vs_plain_max": 1.5,
    "bearer_vs_session_max": 1.3,
    "bearer_queries": 1,
    "provider_settings_queries": 0,
}


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


def _fmt_ratio(value):
    return f"{value:,.2f}x" if value < 100 else f"{value:,.0f}x"


def format_report(figures):
    """Return the side-by-side table as text."""
    lines = _header(figures)
    lines += ["", *_token_section(figures["token"])]
    lines += ["", *_me_section(figures["users_me"], figures["queries"])]
    lines += ["", *_queries_section(figures["queries"])]
    lines += ["", *_targets_section(figures["targets"])]
    return "\n".join(lines)


def _header(figures):
    env = figures["environment"]
    return [
        "mm_oauth benchmark" + (" (quick)" if figures["quick"] else ""),
        f"  Python {env['python']}, Django {env['django']}, django-oauth-toolkit {env['django_oauth_toolkit']}, "
        f"DEBUG={env['debug']}",
        f"  database {env['database']}, cache {env['cache']}, PBKDF2 iterations {env['pbkdf2_iterations']:,}, "
        f"CLIENT_SECRET_HASHER={env['client_secret_hasher']!r}",
    ]


def _token_section(token):
    base = token["mm_oauth"]["median_ms"]
    lines = [
        f"1. Token endpoint: POST {TOKEN_PATH} (authorization_code, client_id/client_secret in the form)",
        f"   {'configuration':<36} {'stored secret':<18} {'n':>5} {'median ms':>10} {'mean ms':>9} {'vs (a)':>9}",
    ]
    for row in token.values():
        lines.append(
            f"   {row['label']:<36} {row['stored_secret']:<18} {row['n']:>5} {row['median_ms']:>10.2f} "
            f"{row['mean_ms']:>9.2f} {_fmt_ratio(row['median_ms'] / base):>9}"
        )
    return lines


def _me_section(me, queries):
    session = me["session"]["median_ms"]
    lines = [
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
    return lines


def _queries_section(queries):
    lines = [f"3. Queries of one warm bearer GET {ME_PATH}: {len(queries['bearer_warm'])}"]
    lines += _format_queries(queries["bearer_warm"])
    lines.append(f"   Queries of one warm session GET {ME_PATH}: {len(queries['session_warm'])}")
    lines += _format_queries(queries["session_warm"], sql=False)
    return lines + [
        "   For comparison:",
        f"     bearer GET {ME_PATH} right after the provider-settings cache was cleared: "
        f"{_tally(queries['bearer_cold'])}",
        f"     one token request, configuration (a): {_tally(queries['token_endpoint'])}",
    ]


def _targets_section(targets):
    lines = ["Targets (ratios from medians)"]
    for target in targets:
        value = target["value"]
        shown = _fmt_ratio(value) if target["unit"] == "x" else str(value)
        lines.append(
            f"   {'PASS' if target['passed'] else 'FAIL'}  {target['name']:<50} {shown:>9}  ({target['target']})"
        )
    return lines


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
