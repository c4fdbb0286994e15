"""The registration limit holds across server processes, through the shared cache (Redis).

Two gunicorn processes of the example site in production mode share one
database and one real ``redis-server``. Registrations from one address
alternate between them; past ``MM_OAUTH["REGISTRATION_LIMIT"]`` both refuse
that address with 429 and ``Retry-After``, while another address still registers.
"""

import pytest
import requests

from mm_oauth.conf import DEFAULTS
from tests.e2e.servers import free_port, gunicorn_logged, manage, redis_server
from tests.e2e.test_faults_redis import production_env, require_redis
from tests.e2e.test_throttle_processes import FromAddress

pytestmark = pytest.mark.slow

LIMIT = DEFAULTS["REGISTRATION_LIMIT"]
SETUP = """
from mm_oauth.services.provider_settings import update_provider_settings
update_provider_settings(enable_provider=True, enable_dynamic_client_registration=True)
"""


def register(base, http=requests):
    body = {"client_name": "Agent", "redirect_uris": ["http://127.0.0.1:53682/callback"]}
    return http.post(f"{base}/api/v4/oauth/apps/register", json=body, timeout=10)


def test_the_registration_limit_holds_across_processes(tmp_path):
    require_redis()
    with redis_server() as redis:
        env = production_env(tmp_path, redis.url)
        manage(env, "migrate", "--noinput")
        manage(env, "shell", "-c", SETUP)
        with (
            gunicorn_logged(env, free_port(), tmp_path / "a.log") as a,
            gunicorn_logged(env, free_port(), tmp_path / "b.log") as b,
        ):
            statuses = [register((a, b)[n % 2]).status_code for n in range(LIMIT)]
            assert statuses == [201] * LIMIT
            for base in (a, b):
                refused = register(base)
                assert refused.status_code == 429
                assert int(refused.headers["Retry-After"]) > 0

            elsewhere = requests.Session()
            elsewhere.mount("http://", FromAddress("127.0.0.2"))
            assert register(b, elsewhere).status_code == 201  # its own count
