"""Concurrent redemptions against a live server: exactly one success, the others a clean ``invalid_grant``.

Each round sends the same authorization code (or refresh token) in several
requests released at the same instant from separate threads, over real HTTP,
to the threaded live server (its own database connection per thread, on
SQLite or PostgreSQL as the suite runs).
"""

import threading

import pytest
import requests

from tests.oauth_helpers import authorize, code_exchange

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("provider_on")]

ROUNDS = 4
RACERS = 3


def race(url, data):
    """POST ``data`` to ``url`` from RACERS threads at once; return the responses."""
    barrier = threading.Barrier(RACERS)
    responses = [None] * RACERS

    def post(index):
        barrier.wait()
        responses[index] = requests.post(url, data=data, timeout=30)

    threads = [threading.Thread(target=post, args=(index,)) for index in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def outcome(responses):
    assert all(response.status_code < 500 for response in responses), [r.text[:300] for r in responses]
    statuses = sorted(response.status_code for response in responses)
    errors = {response.json().get("error") for response in responses if response.status_code != 200}
    return statuses, errors


def test_simultaneous_redemptions_of_one_code_give_one_success(live_server, signed_in_client, trusted_app):
    for _round in range(ROUNDS):
        code = authorize(signed_in_client, trusted_app)["code"]
        statuses, errors = outcome(race(f"{live_server.url}/oauth/access_token", code_exchange(trusted_app, code)))
        assert statuses == [200] + [400] * (RACERS - 1)
        assert errors == {"invalid_grant"}


def test_simultaneous_refreshes_of_one_refresh_token_give_one_success(live_server, signed_in_client, trusted_app):
    for _round in range(ROUNDS):
        code = authorize(signed_in_client, trusted_app)["code"]
        token_url = f"{live_server.url}/oauth/access_token"
        credentials = {"client_id": trusted_app.client_id, "client_secret": trusted_app.plain_secret}
        tokens = requests.post(token_url, data=code_exchange(trusted_app, code), timeout=30).json()
        data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **credentials}
        statuses, errors = outcome(race(token_url, data))
        assert statuses == [200] + [400] * (RACERS - 1)
        assert errors == {"invalid_grant"}
