"""The client endpoints answer a clean 503 when PostgreSQL drops the connection mid-request, then recover.

The example site runs under gunicorn in production mode (``DJANGO_DEBUG=0``,
one worker) on a database of its own, created on the server named by
``MM_OAUTH_TEST_POSTGRES_URL`` for this module and dropped after it. To catch
the server inside a request, the test locks a table the request needs
(``LOCK TABLE ... IN ACCESS EXCLUSIVE MODE``), finds the server's backend
waiting on that lock in ``pg_stat_activity``, terminates it
(``pg_terminate_backend``, as a restart or failover would) and releases the lock.
"""

import base64
import hashlib
import json
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
import requests
from django.db import OperationalError, connection, transaction

from bench.load.databases import throwaway
from mm_oauth.unavailable import unavailable_on_database_error
from tests.conftest import PASSWORD
from tests.e2e.browser import signed_in_session
from tests.e2e.servers import free_port, gunicorn, manage, site_env

pytestmark = pytest.mark.slow

CALLBACK = "http://127.0.0.1:9/callback"  # never contacted: the browser stops at the redirect
TOKENS = "oauth2_provider_accesstoken"  # every client endpoint reads or writes it

SETUP = f"""
import json
from django.contrib.auth import get_user_model
from mm_oauth.services.applications import register_application
from mm_oauth.services.provider_settings import update_provider_settings
get_user_model().objects.create_user("alice", "alice@example.com", {PASSWORD!r})
app, secret = register_application(
    name="Faults", description="A client", homepage="https://client.example.com",
    callback_urls=[{CALLBACK!r}], is_trusted=True,
)
update_provider_settings(enable_provider=True)
print(json.dumps({{"client_id": app.client_id, "client_secret": secret}}))
"""


def postgres_url():
    """Return MM_OAUTH_TEST_POSTGRES_URL; without it skip on a developer machine, fail in CI."""
    url = os.environ.get("MM_OAUTH_TEST_POSTGRES_URL")
    if url:
        return url
    message = "MM_OAUTH_TEST_POSTGRES_URL is not set (e.g. postgres://mm:mm@127.0.0.1:5432/mm)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def on_database(url, name):
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def database_url():
    """Create a database of the module's own on the test server; drop it afterwards."""
    with throwaway(postgres_url(), "mm_faults") as url:
        yield url


@pytest.fixture(scope="module")
def site(database_url, tmp_path_factory):
    """The example site on that database: its URL, alice's browser session and the app's credentials."""
    env = site_env(
        tmp_path_factory.mktemp("site"),
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="faults-test-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        SMTP_PORT=str(free_port()),  # nobody listens: the notice mail fails, as on a site without one
    )
    manage(env, "migrate", "--noinput")
    credentials = json.loads(manage(env, "shell", "-c", SETUP).stdout.strip().splitlines()[-1])
    with gunicorn(env, free_port()) as base:
        yield SimpleNamespace(
            base=base,
            database_url=database_url,
            browser=signed_in_session(base, "alice"),
            auth=(credentials["client_id"], credentials["client_secret"]),
        )


def new_code(site):
    """Return a fresh authorization code for alice (the app is trusted: no consent page)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "client_id": site.auth[0],
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "read",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    response = site.browser.get(f"{site.base}/oauth/authorize", params=params, allow_redirects=False)
    assert response.status_code == 302, response.text[:300]
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query["code"][0], verifier


def exchange(site, code):
    code, verifier = code
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier}
    return requests.post(f"{site.base}/oauth/access_token", data=data, auth=site.auth, timeout=30)


def post(site, endpoint, token):
    return requests.post(f"{site.base}/oauth/{endpoint}", data={"token": token}, auth=site.auth, timeout=30)


def terminated_mid_request(site, send, table=TOKENS):
    """Return the response to ``send()``, whose database connection was terminated while it waited for ``table``."""
    import psycopg
    from psycopg import sql

    with (
        psycopg.connect(site.database_url) as locker,
        psycopg.connect(site.database_url, autocommit=True) as watcher,
        ThreadPoolExecutor(1) as pool,
    ):
        locker.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
        request = pool.submit(send)
        pid = blocked_backend(watcher, request, exclude=locker.info.backend_pid)
        assert watcher.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0] is True
        locker.rollback()  # the lock goes; the server's backend is already gone
        return request.result(timeout=30)


def blocked_backend(watcher, request, exclude, timeout=15):
    """Return the pid of the one backend of this database that waits on a lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert not request.done(), f"the request did not wait for the lock: {request.result()}"
        rows = watcher.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> %s",
            [exclude],
        ).fetchall()
        if rows:
            assert len(rows) == 1, rows
            return rows[0][0]
        time.sleep(0.05)
    raise AssertionError(f"no server backend waited on the lock within {timeout}s")


def row_counts(site):
    """Return the number of rows in every table of the site's database."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(site.database_url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in tables
        }


def assert_temporarily_unavailable(response):
    """Assert RFC 6749's error shape with status 503 (``response`` from requests or from a Django view)."""
    assert response.status_code == 503, response.content[:500]
    assert response.headers["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"error", "error_description"}
    assert body["error"] == "temporarily_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"


def test_token_request_answers_503_when_the_connection_drops_and_writes_nothing(site):
    code = new_code(site)
    before = row_counts(site)
    response = terminated_mid_request(site, lambda: exchange(site, code))
    assert_temporarily_unavailable(response)
    assert row_counts(site) == before  # no token, the code not spent, no audit event

    fresh = exchange(site, new_code(site))  # the next request opens a new connection
    assert fresh.status_code == 200, fresh.text[:500]
    assert set(fresh.json()) >= {"access_token", "refresh_token"}


@pytest.mark.parametrize("endpoint", ["revoke", "introspect"])
def test_revoke_and_introspect_answer_503_when_the_connection_drops_then_work(site, endpoint):
    token = exchange(site, new_code(site)).json()["access_token"]
    before = row_counts(site)
    response = terminated_mid_request(site, lambda: post(site, endpoint, token))
    assert_temporarily_unavailable(response)
    assert row_counts(site) == before

    introspection = post(site, "introspect", token)
    assert introspection.status_code == 200
    assert introspection.json()["active"] is True  # a revocation that failed revoked nothing
    if endpoint == "revoke":
        assert post(site, "revoke", token).status_code == 200
        assert post(site, "introspect", token).json() == {"active": False}


@pytest.mark.django_db
def test_under_atomic_requests_the_request_transaction_is_marked_for_rollback(rf):
    """With ``ATOMIC_REQUESTS`` the 503 leaves an atomic block, which must roll back, never commit."""

    @unavailable_on_database_error
    def view(request):
        raise OperationalError("terminating connection due to administrator command")

    with transaction.atomic():  # as Django wraps each view under ATOMIC_REQUESTS
        response = view(rf.post("/oauth/token"))
        assert connection.needs_rollback is True
    assert_temporarily_unavailable(response)


def test_the_api_answers_503_in_its_own_shape_when_the_connection_drops_then_works(site):
    token = exchange(site, new_code(site)).json()["access_token"]

    def me():
        headers = {"Authorization": f"Bearer {token}"}
        return requests.get(f"{site.base}/api/v4/users/me", headers=headers, timeout=30)

    response = terminated_mid_request(site, me)
    assert response.status_code == 503, response.text[:500]
    assert response.json()["id"] == "api.database_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert me().status_code == 200
