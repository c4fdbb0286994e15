"""Two nodes of the example site share one PostgreSQL database and one Redis, and behave as one provider.

Node A and node B are separate gunicorn servers on different ports in
production mode (``DJANGO_DEBUG=0``), on a throwaway database created on the
server named by ``MM_OAUTH_TEST_POSTGRES_URL`` and a real ``redis-server``
(``CACHE_URL``). Node A takes its connections from a psycopg 3 pool
(``DATABASE_POOL=on``), node B keeps one persistent connection per process:
the two settings a deployment may mix while it moves from one to the other.
A provider switch made on A reaches B within ``SETTINGS_CACHE_SECONDS``,
tokens issued by A work on B, and failed client authentication is counted
across both. No request to either node may answer 5xx.
"""

import json
import time

import pytest
import requests
from requests_oauthlib import OAuth2Session

from mm_oauth.conf import DEFAULTS
from tests.e2e.browser import fetch_tokens, signed_in_session
from tests.e2e.servers import free_port, gunicorn_logged, manage, redis_server
from tests.e2e.test_faults_postgres import database_url  # noqa: F401  (fixture)
from tests.e2e.test_faults_redis import CALLBACK, SETUP, production_env, require_redis
from tests.e2e.test_throttle_processes import FromAddress

pytestmark = pytest.mark.slow

BOUND = DEFAULTS["SETTINGS_CACHE_SECONDS"]
MARGIN = 0.5  # request latency and scheduling on a busy 2-core machine
LIMIT = DEFAULTS["CLIENT_AUTH_FAILURE_LIMIT"]


def no_server_error(response, *args, **kwargs):
    """Fail on any 5xx but 501, the provider switched off (a requests response hook)."""
    assert response.status_code < 500 or response.status_code == 501, (
        f"{response.request.method} {response.url} answered {response.status_code}: {response.text[:300]}"
    )


def checked(session):
    session.hooks["response"].append(no_server_error)
    return session


http = checked(requests.Session())


@pytest.fixture(scope="module")
def nodes(database_url, tmp_path_factory):  # noqa: F811  (the imported fixture)
    """Nodes A (pooled) and B (persistent connections) on one database and one Redis; yield their URLs and the app."""
    require_redis()
    tmp_path = tmp_path_factory.mktemp("nodes")
    with redis_server() as redis:
        env = {**production_env(tmp_path, redis.url), "DATABASE_URL": database_url}
        manage(env, "migrate", "--noinput")
        client = json.loads(manage(env, "shell", "-c", SETUP).stdout.strip().splitlines()[-1])
        with (
            gunicorn_logged({**env, "DATABASE_POOL": "on"}, free_port(), tmp_path / "a.log", workers=2) as a,
            gunicorn_logged({**env, "DATABASE_POOL": ""}, free_port(), tmp_path / "b.log") as b,
        ):
            yield a, b, client


@pytest.fixture(autouse=True)
def plain_http(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib refuses http:// otherwise


def obtain_tokens(base, client):
    """Sign alice in on ``base`` and run the authorization code flow with PKCE there; return the tokens."""
    browser = checked(signed_in_session(base, "alice"))
    oauth = checked(OAuth2Session(client["client_id"], redirect_uri=CALLBACK, scope=["read"], pkce="S256"))
    return fetch_tokens(base, browser, oauth, client["client_secret"])


def me(base, access_token):
    return http.get(f"{base}/api/v4/users/me", headers={"Authorization": f"Bearer {access_token}"}, timeout=10)


def refresh(base, client, refresh_token):
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return http.post(f"{base}/oauth/token", data=data, auth=credentials(client), timeout=10)


def introspect(base, client, token):
    return http.post(f"{base}/oauth/introspect", data={"token": token}, auth=credentials(client), timeout=10)


def credentials(client):
    return client["client_id"], client["client_secret"]


def metadata_status(base):
    return http.get(f"{base}/.well-known/oauth-authorization-server", timeout=10).status_code


def put_enable_provider(admin, base, on):
    headers = {"X-CSRFToken": admin.cookies["csrftoken"], "Referer": f"{base}/"}
    response = admin.put(f"{base}/api/v4/oauth/settings", json={"enable_provider": on}, headers=headers, timeout=10)
    assert response.status_code == 200, response.text[:500]
    assert response.json()["enable_provider"] is on


def statuses_until(base, status, deadline):
    """Poll ``base``'s metadata until it answers ``status`` or ``time.monotonic()`` reaches ``deadline``.

    Return every status it answered.
    """
    seen = [metadata_status(base)]
    while seen[-1] != status and time.monotonic() < deadline:
        time.sleep(0.05)
        seen.append(metadata_status(base))
    return seen


def provider_statuses(base, client, tokens):
    """Return the statuses of a bearer request, an introspection and the metadata on ``base``."""
    return (
        me(base, tokens["access_token"]).status_code,
        introspect(base, client, tokens["access_token"]).status_code,
        metadata_status(base),
    )


def test_a_switch_made_on_node_a_reaches_node_b_within_the_settings_cache_bound(nodes):
    a, b, client = nodes
    tokens = obtain_tokens(a, client)
    assert provider_statuses(a, client, tokens) == provider_statuses(b, client, tokens) == (200, 200, 200)  # warm
    admin = checked(signed_in_session(a, "root"))
    admin.get(f"{a}/admin/")  # sets the CSRF cookie

    for on, before, after in ((False, 200, 501), (True, 501, 200)):
        put_enable_provider(admin, a, on=on)
        committed = time.monotonic()
        seen = statuses_until(b, after, committed + BOUND + MARGIN)  # node B has one process: no going back
        assert seen == [before] * (len(seen) - 1) + [after], seen
        # Node A's other worker holds a copy as long as node B; past the bound every process has dropped its own.
        time.sleep(max(0.0, committed + BOUND + MARGIN - time.monotonic()))
        for base in (a, b):
            assert provider_statuses(base, client, tokens) == ((200, 200, 200) if on else (401, 501, 501))


def test_tokens_issued_on_node_a_work_on_node_b(nodes):
    a, b, client = nodes
    tokens = obtain_tokens(a, client)
    assert me(b, tokens["access_token"]).status_code == 200
    assert me(b, tokens["access_token"]).json()["username"] == "alice"

    refreshed = refresh(b, client, tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text[:500]
    new = refreshed.json()
    assert new["access_token"] != tokens["access_token"]
    for base in (a, b):
        assert me(base, new["access_token"]).status_code == 200
        introspection = introspect(base, client, new["access_token"])
        assert introspection.status_code == 200
        assert introspection.json()["active"] is True
    assert refresh(a, client, tokens["refresh_token"]).status_code == 400  # rotated on B: spent on A too


def test_failed_client_authentication_counts_across_both_nodes(nodes):
    """A short PostgreSQL variant of test_throttle_processes (which runs on SQLite), from its own address."""
    a, b, client = nodes
    guesser = checked(requests.Session())
    guesser.mount("http://", FromAddress("127.0.0.3"))
    wrong = {"token": "x", "client_id": client["client_id"], "client_secret": "guess"}

    statuses = [
        guesser.post(f"{(a, b)[n % 2]}/oauth/introspect", data=wrong, timeout=10).status_code for n in range(LIMIT)
    ]
    assert statuses == [401] * LIMIT
    for base in (a, b):
        refused = guesser.post(f"{base}/oauth/introspect", data=wrong, timeout=10)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert introspect(base, client, "x").json() == {"active": False}  # the real client, from 127.0.0.1
