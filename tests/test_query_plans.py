"""On PostgreSQL, every hot query can read the tables that grow through an index.

The hot operations of issue 10 (bearer lookup, code exchange, the authorized-apps
page, the application list page and API, deauthorize, delete an application,
an organization resource through ``visible_to``, and the cleanup command) run
once on a few thousand generated rows (``bench/large_data.py``, as the
large-table benchmark generates them); the SQL they send is captured and each
statement EXPLAINed with ``SET LOCAL enable_seqscan = off`` (and hash and merge
joins off, so joins go through an index too). On small tables the planner
rightly prefers a sequential scan; with it switched off, a ``Seq Scan``
is left in the plan only where no index can serve the query — the plan a table
of a million rows would get. The planner may then walk a whole index instead,
which is no better when it filters the rows it reads, or sorts them all: that
counts as a scan too. A whole index walked in its own order under a LIMIT (a
page of a list), or to count every row, filters nothing and passes.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.large_ops import OPERATIONS, LargeBench

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="query plans are PostgreSQL's: run with DATABASE_URL=postgres://… (.ci/run does)",
)

TOKENS = 4000

# The tables that grow with users, applications and use.
GROWING = {
    "oauth2_provider_accesstoken",
    "oauth2_provider_refreshtoken",
    "oauth2_provider_grant",
    "oauth2_provider_idtoken",
    "mm_oauth_application",
    "mm_oauth_authorization",
    "mm_oauth_appaccess",
    "mm_oauth_membership",
    "mm_oauth_auditevent",
    "mm_oauth_redeemedcode",
}


@pytest.fixture
def generated(db, mm_oauth_settings):
    mm_oauth_settings(AUDIT_RETENTION_DAYS=365)
    bench = LargeBench(runs=1)
    bench.grow_to(TOKENS, vacuum=False)
    return bench


def unindexed(node, sorted_above=False):
    """Yield the tables a plan node (or one below it) reads whole.

    A Seq Scan; or a whole index walked to filter its rows, or to sort them all
    (an index that gave the order itself would leave no Sort above it).
    """
    kind = node.get("Node Type", "")
    whole_index = kind.startswith("Index") and "Index Cond" not in node
    if kind == "Seq Scan" or (whole_index and ("Filter" in node or sorted_above)):
        yield node["Relation Name"]
    for child in node.get("Plans", ()):
        yield from unindexed(child, sorted_above or kind in ("Sort", "Incremental Sort"))


def scans(queries):
    """Return ``{table: sql}`` for the growing tables some captured statement can only scan."""
    found = {}
    with connection.cursor() as cursor:
        # Joins by nested loop only: each row found is joined through an index, as with few rows at a time.
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off"
        )
        for query in queries:
            sql = query["sql"]
            if not sql.startswith(("SELECT", "UPDATE", "DELETE")):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            found.update((table, sql) for table in unindexed(plan[0]["Plan"]) if table in GROWING)
        cursor.execute("RESET enable_seqscan; RESET enable_hashjoin; RESET enable_mergejoin")
    return found


@pytest.mark.parametrize("method", [method for _label, method in OPERATIONS])
def test_hot_operation_reads_growing_tables_through_indexes(generated, method):
    run = getattr(generated, method)()
    with CaptureQueriesContext(connection) as queries:
        run()
    assert len(queries) > 0
    assert scans(queries.captured_queries) == {}


def test_cleanup_selects_each_batch_through_indexes(generated, settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600}
    with CaptureQueriesContext(connection) as queries:
        call_command("mm_oauth_clear_expired", "--batch-size", "100", stdout=StringIO())
    deleted = [query for query in queries.captured_queries if query["sql"].startswith("DELETE")]
    assert len(deleted) >= 20  # eight kinds, most in several batches
    assert scans(queries.captured_queries) == {}
