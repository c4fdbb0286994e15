"""Failed client authentication is throttled per client address (mm_oauth.throttling)."""

import pytest
from django.test import Client

from mm_oauth.throttling import FailureThrottle
from tests.oauth_helpers import authorize, code_exchange

pytestmark = pytest.mark.usefixtures("provider_on")

LIMIT = 5
ATTACKER = "203.0.113.66"
REAL_CLIENT = "198.51.100.7"


@pytest.fixture(autouse=True)
def _small_limit(mm_oauth_settings):
    mm_oauth_settings(CLIENT_AUTH_FAILURE_LIMIT=LIMIT, CLIENT_AUTH_FAILURE_WINDOW_SECONDS=120)


def post(path, data, address):
    return Client(REMOTE_ADDR=address).post(path, data)


def wrong_secret(app, path="/oauth/access_token", address=ATTACKER):
    data = {"grant_type": "authorization_code", "code": "x", "redirect_uri": app.callback_urls[0]}
    if path != "/oauth/access_token":
        data = {"token": "x"}
    return post(path, {**data, "client_id": app.client_id, "client_secret": "guess"}, address)


@pytest.mark.parametrize("path", ["/oauth/access_token", "/oauth/revoke", "/oauth/introspect"])
def test_failed_client_authentication_is_throttled_with_retry_after(trusted_app, path):
    statuses = [wrong_secret(trusted_app, path).status_code for _attempt in range(LIMIT)]
    assert statuses == [401] * LIMIT
    response = wrong_secret(trusted_app, path)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 120
    assert response.json()["error"] == "temporarily_unavailable"


def test_the_throttled_address_is_refused_even_with_the_right_secret(trusted_app):
    for _attempt in range(LIMIT):
        wrong_secret(trusted_app)
    data = {"token": "x", "client_id": trusted_app.client_id, "client_secret": trusted_app.plain_secret}
    assert post("/oauth/introspect", data, ATTACKER).status_code == 429


def test_the_real_client_elsewhere_is_never_locked_out(signed_in_client, trusted_app):
    for _attempt in range(LIMIT + 3):
        wrong_secret(trusted_app)
    code = authorize(signed_in_client, trusted_app)["code"]
    assert post("/oauth/access_token", code_exchange(trusted_app, code), REAL_CLIENT).status_code == 200


def test_successful_and_other_errors_do_not_count(trusted_app):
    for _attempt in range(LIMIT + 2):
        data = {"token": "x", "client_id": trusted_app.client_id, "client_secret": trusted_app.plain_secret}
        assert post("/oauth/introspect", data, ATTACKER).status_code == 200
    assert wrong_secret(trusted_app).status_code == 401


def test_a_zero_limit_turns_throttling_off(trusted_app, mm_oauth_settings):
    mm_oauth_settings(CLIENT_AUTH_FAILURE_LIMIT=0)
    assert {wrong_secret(trusted_app).status_code for _attempt in range(25)} == {401}


def test_the_window_ends(rf, settings):
    throttle = FailureThrottle("test", limit=1, window=1)
    request = rf.get("/", REMOTE_ADDR=ATTACKER)
    throttle.note_failure(request)
    assert throttle.retry_after(request) == 1
    import time

    time.sleep(1.1)
    assert throttle.retry_after(request) is None


def test_a_cache_that_is_down_refuses_nobody(trusted_app, settings, mm_oauth_settings):
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    mm_oauth_settings(CLIENT_AUTH_FAILURE_LIMIT=1, THROTTLE_CACHE_ALIAS="throttle")
    assert [wrong_secret(trusted_app).status_code for _attempt in range(3)] == [401, 401, 401]


def test_a_cache_that_is_down_is_reported_once_per_interval(
    trusted_app, settings, caplog, monkeypatch, mm_oauth_settings
):
    from mm_oauth import throttling

    monkeypatch.setattr(throttling, "_warned_at", None)
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    mm_oauth_settings(CLIENT_AUTH_FAILURE_LIMIT=1, THROTTLE_CACHE_ALIAS="throttle")
    caplog.set_level("WARNING", logger="mm_oauth.throttling")
    for _attempt in range(4):
        wrong_secret(trusted_app)
    assert len([r for r in caplog.records if r.name == "mm_oauth.throttling"]) == 1
