"""The site keeps serving while its shared cache (Redis) is down, and propagates the switch again once it is back.

A real ``redis-server`` and the example site under gunicorn in production mode
(``DJANGO_DEBUG=0``): site A with two workers, site B with one, all three
processes sharing one SQLite database and one Redis. Redis is killed while they
serve, then started again on the same port.
"""

import json
import os
import shutil
import time

import pytest
import requests
from requests_oauthlib import OAuth2Session

from mm_oauth.conf import DEFAULTS
from tests.conftest import PASSWORD
from tests.e2e.browser import fetch_tokens, signed_in_session
from tests.e2e.servers import free_port, gunicorn_logged, manage, redis_server, site_env

pytestmark = pytest.mark.slow

BOUND = DEFAULTS["SETTINGS_CACHE_SECONDS"]
MARGIN = 0.5  # scheduling on a busy 2-core machine
CALLBACK = "http://127.0.0.1:9/callback"  # never contacted: the browser stops at the redirect
ROUNDS = 4  # requests of each kind per site and round, so that both of site A's workers answer some

SETUP = f"""
import json
from django.contrib.auth import get_user_model
from mm_oauth.services.applications import register_application
from mm_oauth.services.provider_settings import update_provider_settings
User = get_user_model()
User.objects.create_superuser("root", "root@example.com", {PASSWORD!r})
User.objects.create_user("alice", "alice@example.com", {PASSWORD!r})
app, secret = register_application(
    name="Faults", description="A client", homepage="https://client.example.com",
    callback_urls=[{CALLBACK!r}], is_trusted=True,
)
update_provider_settings(enable_provider=True)
print(json.dumps({{"client_id": app.client_id, "client_secret": secret}}))
"""

SHARED_COPY = """
from django.core.cache import cache
from mm_oauth.services.provider_settings import CACHE_KEY
print(cache.get(CACHE_KEY))
"""


def require_redis():
    """Skip without Debian's redis-server on a developer machine; fail in CI, where it must be installed."""
    if shutil.which("redis-server"):
        return
    message = "redis-server is not installed (apt-get install redis-server)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def production_env(tmp_path, cache_url):
    return site_env(
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="faults-test-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        CACHE_URL=cache_url,
        SMTP_PORT=str(free_port()),  # nobody listens: the notice mail fails, as on a site without one
    )


def obtain_tokens(base, browser, client):
    """Run the authorization code flow with PKCE as alice; return the token response."""
    oauth = OAuth2Session(client["client_id"], redirect_uri=CALLBACK, scope=["read"], pkce="S256")
    return fetch_tokens(base, browser, oauth, client["client_secret"])


class Client:
    """A third-party app holding alice's tokens; each refresh rotates them."""

    def __init__(self, credentials, tokens):
        self.credentials = credentials
        self.tokens = tokens

    def refresh(self, base):
        response = requests.post(
            f"{base}/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": self.tokens["refresh_token"]},
            auth=(self.credentials["client_id"], self.credentials["client_secret"]),
            timeout=10,
        )
        if response.status_code == 200:
            self.tokens = response.json()
        return response.status_code

    def me(self, base):
        bearer = {"Authorization": f"Bearer {self.tokens['access_token']}"}
        return requests.get(f"{base}/api/v4/users/me", headers=bearer, timeout=10).status_code

    def wrong_secret(self, base):
        data = {"grant_type": "refresh_token", "refresh_token": self.tokens["refresh_token"]}
        auth = (self.credentials["client_id"], "wrong")
        return requests.post(f"{base}/oauth/token", data=data, auth=auth, timeout=10).status_code

    def answers(self, bases):
        """Return the statuses of a bearer request and token requests, ROUNDS times to each site."""
        seen = []
        for _ in range(ROUNDS):
            for base in bases:
                seen.append(("me", self.me(base)))
                seen.append(("refresh", self.refresh(base)))
                seen.append(("wrong secret", self.wrong_secret(base)))
                seen.append(("metadata", metadata_status(base)))
        return seen


def metadata_status(base):
    return requests.get(f"{base}/.well-known/oauth-authorization-server", timeout=10).status_code


def expected(on):
    if on:
        return [("me", 200), ("refresh", 200), ("wrong secret", 401), ("metadata", 200)] * (2 * ROUNDS)
    return [("me", 401), ("refresh", 501), ("wrong secret", 501), ("metadata", 501)] * (2 * ROUNDS)


def switch(admin, base, on):
    """Switch the provider through ``base`` as the superuser; return once every process must have seen it.

    That is SETTINGS_CACHE_SECONDS after the change committed (each process
    trusts its own copy that long), plus a margin for a busy machine.
    """
    headers = {"X-CSRFToken": admin.cookies["csrftoken"], "Referer": f"{base}/"}
    response = admin.put(f"{base}/api/v4/oauth/settings", json={"enable_provider": on}, headers=headers, timeout=10)
    committed = time.monotonic()
    assert response.status_code == 200, response.text[:500]
    assert response.json()["enable_provider"] is on
    time.sleep(max(0.0, committed + BOUND + MARGIN - time.monotonic()))


def test_the_site_serves_through_a_redis_outage_and_propagates_the_switch_once_redis_is_back(tmp_path, monkeypatch):
    require_redis()
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib refuses http:// otherwise
    with redis_server() as redis:
        env = production_env(tmp_path, redis.url)
        manage(env, "migrate", "--noinput")
        credentials = json.loads(manage(env, "shell", "-c", SETUP).stdout.strip().splitlines()[-1])
        logs = [tmp_path / "a.log", tmp_path / "b.log"]
        with (
            gunicorn_logged(env, free_port(), logs[0], workers=2) as a,
            gunicorn_logged(env, free_port(), logs[1]) as b,
        ):
            sites = [a, b]
            client = Client(credentials, obtain_tokens(a, signed_in_session(a, "alice"), credentials))
            admin = signed_in_session(a, "root")
            admin.get(f"{a}/admin/")  # sets the CSRF cookie
            before = client.answers(sites)
            assert before == expected(on=True)

            redis.stop()
            time.sleep(BOUND + 0.2)  # every process's own copy has expired: the next read asks Redis
            assert client.answers(sites) == before

            switch(admin, a, on=False)  # the database commits; the write-through to Redis fails
            assert client.answers(sites) == expected(on=False)
            switch(admin, a, on=True)
            assert client.answers(sites) == before

            redis.start()  # same port, empty
            assert client.answers(sites) == before
            switch(admin, a, on=False)
            assert client.answers(sites) == expected(on=False)
            assert "'enable_provider': False" in manage(env, "shell", "-c", SHARED_COPY).stdout  # published again
    # Statuses are pinned above (no 5xx); the log says why the site read the database, once per process.
    warnings = [path.read_text().count("Shared cache 'default' failed (ConnectionError") for path in logs]
    assert 1 <= warnings[0] <= 2 and warnings[1] <= 1, warnings  # site A has two workers, site B one
