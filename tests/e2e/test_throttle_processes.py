"""Failed client authentication is counted across server processes, through the shared cache (Redis).

Two gunicorn processes of the example site in production mode share one
database and one real ``redis-server``. Wrong client secrets alternate between
them; past the limit both refuse the address with 429, while the real client,
calling from another address, still gets its tokens.
"""

import json

import pytest
import requests
from requests.adapters import HTTPAdapter

from mm_oauth.conf import DEFAULTS
from tests.e2e.servers import free_port, gunicorn_logged, manage, redis_server
from tests.e2e.test_faults_redis import SETUP, production_env, require_redis

pytestmark = pytest.mark.slow

LIMIT = DEFAULTS["CLIENT_AUTH_FAILURE_LIMIT"]


class FromAddress(HTTPAdapter):
    """Send from another loopback address, as a second machine would."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def wrong_secret(base, client_id, http=requests):
    data = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": client_id, "client_secret": "guess"}
    return http.post(f"{base}/oauth/access_token", data=data, timeout=10)


def test_the_failure_count_holds_across_processes(tmp_path):
    require_redis()
    with redis_server() as redis:
        env = production_env(tmp_path, redis.url)
        manage(env, "migrate", "--noinput")
        client = json.loads(manage(env, "shell", "-c", SETUP).stdout.strip().splitlines()[-1])
        with (
            gunicorn_logged(env, free_port(), tmp_path / "a.log") as a,
            gunicorn_logged(env, free_port(), tmp_path / "b.log") as b,
        ):
            statuses = [wrong_secret((a, b)[n % 2], client["client_id"]).status_code for n in range(LIMIT)]
            assert statuses == [401] * LIMIT
            for base in (a, b):
                refused = wrong_secret(base, client["client_id"])
                assert refused.status_code == 429
                assert int(refused.headers["Retry-After"]) > 0

            elsewhere = requests.Session()
            elsewhere.mount("http://", FromAddress("127.0.0.2"))
            assert wrong_secret(a, client["client_id"], elsewhere).status_code == 401  # its own count
            introspect = elsewhere.post(
                f"{b}/oauth/introspect",
                data={"token": "x", "client_id": client["client_id"], "client_secret": client["client_secret"]},
                timeout=10,
            )
            assert introspect.status_code == 200
