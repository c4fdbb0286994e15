"""The operations ``bench/large.py`` times, on the rows ``bench/large_data.py`` generates, and its report.

Every operation goes through the real code path: HTTP ones through Django's
test client (URLconf, middleware, views, database), the services directly.
Each timed run gets fresh inputs, prepared outside the timed region: a random
live token across the whole table, a new authorization code, a random user, an
application or authorization not deleted before.

Import this module only once Django is set up.
"""

import json
import random
import secrets
import statistics
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import get_application_model, get_grant_model

from mm_oauth.defaults import CLIENT_SECRET_HASHER
from mm_oauth.oauth.oauth2_validators import code_checksum
from mm_oauth.services import provider_settings
from mm_oauth.services.applications import delete_application
from mm_oauth.services.authorizations import deauthorize

from . import large_data as data

SECRET = "bench-large-" + "s" * 60  # every generated application's client secret
WARMUP = 3
TARGET = 1.5  # each operation at the large size within this factor of its small-size time
EXPLAINED = ("SELECT", "UPDATE", "DELETE")

OPERATIONS = (
    ("bearer GET /api/v4/users/me", "op_bearer"),
    ("code exchange POST /oauth/access_token", "op_exchange"),
    ("authorized-apps page (user)", "op_authorized_page"),
    ("app list page (superuser)", "op_app_list_page"),
    ("GET /api/v4/oauth/apps?page= (superuser)", "op_app_list_api"),
    ("deauthorize (service)", "op_deauthorize"),
    ("delete_application (service)", "op_delete_app"),
    ("org projects API, bearer (visible_to)", "op_org_projects"),
)


class LargeBench:
    """The generated data set, grown in phases, and the operations timed on it."""

    def __init__(self, runs, seed=10, database=None):
        self.runs = runs
        self.rng = random.Random(seed)
        self.database = database or connection.settings_dict["NAME"]
        self.phases = []
        self.dead_apps = set()
        self.dead_auths = set()
        self.captured = {}
        self.secret_hash = make_password(SECRET, hasher=CLIENT_SECRET_HASHER)
        provider_settings.update_provider_settings(enable_provider=True)
        admin = get_user_model().objects.create_superuser("bench-admin", "bench-admin@example.com", None)
        self.admin_client = Client()
        self.admin_client.force_login(admin)
        self.client = Client()

    def frozen_copy(self, database):
        """Return a bench on ``database``, a copy of this one's database made now (CREATE DATABASE … TEMPLATE)."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, database=database, phases=list(self.phases), captured={})
        copy.rng = random.Random(self.rng.random())
        copy.dead_apps, copy.dead_auths = set(self.dead_apps), set(self.dead_auths)
        return copy

    def activate(self):
        """Point Django's connection at this bench's database (reconnecting when it changes)."""
        if connection.settings_dict["NAME"] != self.database:
            connection.close()
            connection.settings_dict["NAME"] = self.database

    @property
    def tokens(self):
        return self.phases[-1][1] if self.phases else 0

    def grow_to(self, tokens, vacuum=True):
        """Generate the rows up to ``tokens`` access tokens; return how long it took."""
        t0 = self.tokens
        print(f"Generating {t0:,} -> {tokens:,} access tokens ({data.sizes(tokens)})", flush=True)
        start = time.perf_counter()
        data.generate(connection, t0, tokens, self.secret_hash, log=lambda line: print(line, flush=True), vacuum=vacuum)
        self.phases.append((t0, tokens))
        seconds = time.perf_counter() - start
        print(f"  generated in {seconds:.1f} s", flush=True)
        return {"tokens": tokens, "seconds": seconds}

    # --- picking live rows -------------------------------------------------------

    def app_of_auth(self, k):
        return data.app_of_auth(k, self.phases)

    def live_auth(self, k):
        return k not in self.dead_auths and self.app_of_auth(k) not in self.dead_apps

    def pick_auth(self):
        while not self.live_auth(k := self.rng.randrange(self.tokens // 5)):
            pass
        return k

    def pick_token(self):
        """Return the number of a random live access token (not expired, its app and authorization still there)."""
        while True:
            i = self.rng.randrange(self.tokens)
            if i % 10 >= 2 and self.live_auth(i // 5):
                return i

    def pick_app(self):
        while (p := self.rng.randrange(self.tokens // 20)) in self.dead_apps:
            pass
        return p

    # --- the operations: each prepares its input and returns the call to time ------

    def op_bearer(self):
        header = bearer(self.pick_token())
        return lambda: ok(self.client.get("/api/v4/users/me", **header))

    def op_exchange(self):
        k = self.pick_auth()
        app_no = self.app_of_auth(k)
        code = secrets.token_urlsafe(32)
        get_grant_model().objects.create(
            user_id=data.OFFSET + k // 4,
            application_id=data.OFFSET + app_no,
            code=code_checksum(code),
            expires=timezone.now() + timedelta(hours=1),
            redirect_uri=data.CALLBACK,
            scope=data.SCOPE,
        )
        body = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": data.CALLBACK,
            "client_id": f"bench-app-{app_no}",
            "client_secret": SECRET,
        }

        def run():
            response = ok(self.client.post("/oauth/access_token", body))
            assert "access_token" in response.json(), response.content

        return run

    def op_authorized_page(self):
        client = Client()
        client.force_login(get_user_model().objects.get(pk=data.OFFSET + self.pick_auth() // 4))
        return lambda: ok(client.get("/account/security/oauth-apps/"))

    def op_app_list_page(self):
        page = self.rng.randint(1, 5)
        return lambda: ok(self.admin_client.get(f"/integrations/oauth2-apps/?page={page}"))

    def op_app_list_api(self):
        page = self.rng.randrange(5)
        return lambda: ok(self.admin_client.get(f"/api/v4/oauth/apps?page={page}"))

    def op_deauthorize(self):
        k = self.pick_auth()
        self.dead_auths.add(k)
        user = get_user_model().objects.get(pk=data.OFFSET + k // 4)
        app = get_application_model().objects.get(pk=data.OFFSET + self.app_of_auth(k))
        return lambda: deauthorize(user, app)

    def op_delete_app(self):
        p = self.pick_app()
        self.dead_apps.add(p)
        app = get_application_model().objects.get(pk=data.OFFSET + p)
        return lambda: delete_application(app)

    def op_org_projects(self):
        i = self.pick_token()
        org = data.org_of_user(i // 20, self.phases)
        header = bearer(i)
        return lambda: ok(self.client.get(f"/api/v4/organizations/bench-org-{org}/projects", **header))

    # --- measuring -----------------------------------------------------------------

    def measure_all(self):
        """Return ``{operation: median ms}`` at the current size; keep one run's queries of each."""
        print(f"Timing at {self.tokens:,} access tokens (median of {self.runs})", flush=True)
        self.activate()
        medians = {}
        for label, method in OPERATIONS:
            samples = self.sample(method, WARMUP, self.runs)
            medians[label] = statistics.median(samples) * 1000
            print(f"  {label}: {medians[label]:.2f} ms", flush=True)
        return medians

    def sample(self, method, warmup, runs):
        """Time ``runs`` runs of an operation after ``warmup`` untimed ones; capture one more run's queries."""
        operation = getattr(self, method)
        samples = [timed(operation()) for _ in range(warmup + runs)][warmup:]
        with CaptureQueriesContext(connection) as queries:
            operation()()
        self.captured[dict((m, label) for label, m in OPERATIONS)[method]] = queries.captured_queries
        return samples

    def scanning_queries(self):
        """Return ``[(operation, table, sql)]``: the captured queries whose plan scans a whole growing table."""
        found = []
        with connection.cursor() as cursor:
            for label, queries in self.captured.items():
                for query in queries:
                    sql = query["sql"]
                    if not sql.startswith(EXPLAINED):
                        continue
                    cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                    plan = cursor.fetchone()[0]
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    for table in seq_scanned(plan[0]["Plan"]):
                        if table in data.GROWING_TABLES:
                            found.append((label, table, sql))
        return found


def measure_interleaved(benches, runs, rounds=5):
    """Return ``{size: {operation: median ms}}``, timing the sizes by turns.

    Each operation runs ``runs`` times per size, in ``rounds`` blocks that
    alternate between the databases (one untimed run after each switch), so a
    busy spell on the machine weighs on both sizes alike.
    """
    print(f"Timing both sizes by turns (median of {runs} each, {rounds} rounds)", flush=True)
    medians = {size: {} for size in benches}
    per_round = max(1, runs // rounds)
    for label, method in OPERATIONS:
        samples = {size: [] for size in benches}
        for round_no in range(rounds):
            order = list(benches) if round_no % 2 == 0 else list(reversed(benches))
            for size in order:
                benches[size].activate()
                samples[size] += benches[size].sample(method, 1, per_round)
        for size in benches:
            medians[size][label] = statistics.median(samples[size]) * 1000
        print("  " + label + ": " + ", ".join(f"{size} {medians[size][label]:.2f} ms" for size in benches), flush=True)
    return medians


def bearer(i):
    return {"HTTP_AUTHORIZATION": f"Bearer {data.TOKEN_PREFIX}{i}"}


def ok(response):
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return response


def timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def seq_scanned(node):
    """Yield the tables a plan node (and those below it) reads with a sequential scan."""
    if node.get("Node Type") == "Seq Scan":
        yield node["Relation Name"]
    for child in node.get("Plans", ()):
        yield from seq_scanned(child)


# --- the report ------------------------------------------------------------------


def print_table(results, args, small, large):
    """Print the side-by-side table; return whether an operation failed the target.

    ``results``: ``first`` (the small size, timed before growing), then
    ``small`` and ``large`` timed by turns; the ratio is large / small.
    """
    small_label, large_label = f"{args.small:,} tokens", f"{args.large:,} tokens"
    width = max(len(label) for label, _method in OPERATIONS)
    print()
    print(
        f"Generation: {small['seconds']:.1f} s to {args.small:,} tokens, "
        f"{large['seconds']:.1f} s more to {args.large:,} (PostgreSQL-side INSERT ... SELECT generate_series)"
    )
    print(f"Median ms of {args.runs} runs. 'first': {small_label} timed before growing (for reference);")
    print("the next two columns were timed by turns (the small size from a copy of the database), as is the ratio.")
    head = f"{'operation':<{width}}  {'first':>9}  {small_label:>16}  {large_label:>18}  {'ratio':>6}"
    print(f"{head}  target <= {TARGET}x")
    failed = False
    for label, _method in OPERATIONS:
        first, before, after = results["first"][label], results["small"][label], results["large"][label]
        ratio = after / before
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        failed = failed or verdict == "FAIL"
        row = f"{label:<{width}}  {first:>9.2f}  {before:>13.2f} ms  {after:>15.2f} ms  {ratio:>5.2f}x  {verdict}"
        print(row)
    return failed


def print_plans(scanning):
    print()
    if not scanning:
        print("EXPLAIN at the large size: every hot query reads the growing tables through an index.")
        return
    print("EXPLAIN at the large size: queries that scan a growing table:")
    for label, table, sql in scanning:
        print(f"  {label}: Seq Scan on {table}: {sql[:200]}")


def print_cleanup(report, tokens):
    print()
    print(
        f"mm_oauth_clear_expired on {tokens:,} access tokens (batch {report['batch_size']:,}, "
        f"AUDIT_RETENTION_DAYS={report['audit_retention_days']}, "
        f"REFRESH_TOKEN_EXPIRE_SECONDS={report['refresh_token_expire_seconds']}): "
        f"{report['seconds']:.1f} s, peak RSS {report['peak_rss_mb']:.0f} MB "
        f"({report['rss_growth_mb']:+.0f} MB during the command)"
    )
    for line in report["output"]:
        print(f"  {line}")
