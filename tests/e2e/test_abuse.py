"""Attacks and odd input against the live server, over real HTTP: exact statuses, and never a 5xx.

Every response any test here receives is recorded; after each test the
recorded statuses are checked for a 5xx (a clean refusal is the only
acceptable answer to abuse). The server runs with ``DEBUG`` off, as in
production.
"""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.e2e.browser import LOOPBACK_CALLBACK, csrf_from, signed_in_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("provider_on")]

CALLBACK = LOOPBACK_CALLBACK  # never contacted: the test stops at the redirect
SEEN = []


@pytest.fixture(autouse=True)
def _never_a_5xx():
    SEEN.clear()
    yield
    failures = [(response.request.method, response.url, response.status_code) for response in SEEN]
    assert [failure for failure in failures if failure[2] >= 500] == []


def record(response, *args, **kwargs):
    SEEN.append(response)


def session(source_address=None):
    """A requests.Session whose every response is recorded (optionally from another loopback address)."""
    http = requests.Session()
    http.hooks["response"].append(record)
    if source_address:
        http.mount("http://", SourceAddressAdapter(source_address))
    return http


class SourceAddressAdapter(HTTPAdapter):
    """Send from another loopback address, as a second machine would."""

    def __init__(self, address, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def recorded_session_for(live_server, username):
    http = signed_in_session(live_server.url, username)
    http.hooks["response"].append(record)
    return http


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def code_for(live_server, http, app, **params):
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": CALLBACK, "state": "s", **params}
    response = http.get(f"{live_server.url}/oauth/authorize", params=query, allow_redirects=False)
    assert response.status_code == 302, response.text[:300]
    return parse_qs(urlsplit(response.headers["Location"]).query)


def token_request(live_server, app, http=None, **data):
    http = http or session()
    body = {"client_id": app.client_id, "client_secret": app.plain_secret, **data}
    body = {key: value for key, value in body.items() if value is not None}
    return http.post(f"{live_server.url}/oauth/access_token", data=body)


def exchange(live_server, app, code, http=None, **extra):
    return token_request(
        live_server, app, http, grant_type="authorization_code", code=code, redirect_uri=CALLBACK, **extra
    )


def me(live_server, token, separator=" "):
    return session().get(f"{live_server.url}/api/v4/users/me", headers={"Authorization": f"Bearer{separator}{token}"})


@pytest.fixture
def recorded_session(user_session):
    """``user_session`` (alice's), its every response recorded for the 5xx check."""
    user_session.hooks["response"].append(record)
    return user_session


def test_a_replayed_code_is_refused_and_its_tokens_stop_working(live_server, recorded_session, loopback_app):
    code = code_for(live_server, recorded_session, loopback_app)["code"][0]
    tokens = exchange(live_server, loopback_app, code).json()
    assert me(live_server, tokens["access_token"]).status_code == 200
    replay = exchange(live_server, loopback_app, code)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    assert me(live_server, tokens["access_token"]).status_code == 401
    refreshed = token_request(
        live_server, loopback_app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 400


def test_a_pkce_downgrade_is_refused(live_server, recorded_session, loopback_app):
    code = code_for(live_server, recorded_session, loopback_app)["code"][0]  # no code_challenge
    verifier, _challenge = pkce_pair()
    response = exchange(live_server, loopback_app, code, code_verifier=verifier)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_a_deactivated_user_loses_access_at_once(live_server, recorded_session, loopback_app, user):
    tokens = exchange(
        live_server, loopback_app, code_for(live_server, recorded_session, loopback_app)["code"][0]
    ).json()
    pending = code_for(live_server, recorded_session, loopback_app)["code"][0]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert me(live_server, tokens["access_token"]).status_code == 401
    refreshed = token_request(
        live_server, loopback_app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")
    assert exchange(live_server, loopback_app, pending).status_code == 400
    # The session of a deactivated user signs in nobody: back to the login page.
    response = recorded_session.get(
        f"{live_server.url}/oauth/authorize",
        params={"response_type": "code", "client_id": loopback_app.client_id, "redirect_uri": CALLBACK},
        allow_redirects=False,
    )
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_guessing_a_client_secret_is_throttled_but_the_real_client_is_not(
    live_server, recorded_session, loopback_app, mm_oauth_settings
):
    mm_oauth_settings(CLIENT_AUTH_FAILURE_LIMIT=5)
    attacker = session()
    statuses = [
        token_request(
            live_server, loopback_app, attacker, grant_type="refresh_token", refresh_token="x", client_secret="guess"
        )
        for _attempt in range(7)
    ]
    assert [response.status_code for response in statuses] == [401] * 5 + [429] * 2
    assert int(statuses[-1].headers["Retry-After"]) > 0

    code = code_for(live_server, recorded_session, loopback_app)["code"][0]
    real_client = session(source_address="127.0.0.2")  # the real client, calling from its own machine
    assert exchange(live_server, loopback_app, code, http=real_client).status_code == 200


def test_guessing_passwords_is_throttled(live_server, user):
    http = session()
    login = f"{live_server.url}/login/"

    def attempt(password):
        page = http.get(login)
        data = {"username": "alice", "password": password, "csrfmiddlewaretoken": csrf_from(page.text)}
        return http.post(login, data=data, headers={"Referer": login}, allow_redirects=False)

    statuses = [attempt(f"wrong-{number}").status_code for number in range(11)]
    assert statuses == [200] * 10 + [429]
    assert attempt("correct horse battery staple").status_code == 429  # this address waits
    other = session(source_address="127.0.0.3")
    page = other.get(login)
    data = {
        "username": "alice",
        "password": "correct horse battery staple",
        "csrfmiddlewaretoken": csrf_from(page.text),
    }
    assert other.post(login, data=data, headers={"Referer": login}, allow_redirects=False).status_code == 302


def test_a_secret_in_the_query_string_is_refused(live_server, loopback_app):
    response = session().post(
        f"{live_server.url}/oauth/access_token?client_secret={loopback_app.plain_secret}",
        data={"grant_type": "refresh_token", "refresh_token": "x", "client_id": loopback_app.client_id},
    )
    assert response.status_code in (400, 401)


@pytest.mark.parametrize("garbage", ["eyJhbGciOi", "ey.not.ajwt", "not a token at all", "\xe9vil"])
def test_garbage_bearer_tokens_are_a_401(live_server, garbage, oidc_on):
    assert me(live_server, garbage).status_code == 401
    assert me(live_server, garbage, separator="\t").status_code == 401


def test_an_id_token_is_not_a_bearer_token(live_server, recorded_session, loopback_app, oidc_on):
    code = code_for(live_server, recorded_session, loopback_app, scope="openid read", nonce="n-1")["code"][0]
    tokens = exchange(live_server, loopback_app, code).json()
    assert me(live_server, tokens["access_token"]).status_code == 200
    assert me(live_server, tokens["id_token"]).status_code == 401
    assert me(live_server, tokens["id_token"], separator="\t").status_code == 401
    apps = session().get(
        f"{live_server.url}/api/v4/oauth/apps", headers={"Authorization": f"Bearer {tokens['id_token']}"}
    )
    assert apps.status_code == 401


def test_prompt_none_answers_on_the_redirect(live_server, recorded_session, make_app, oidc_on):
    untrusted = make_app(name="Untrusted", callback_urls=[CALLBACK])
    params = {
        "response_type": "code",
        "client_id": untrusted.client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "prompt": "none",
        "state": "st",
    }
    signed_out = session().get(f"{live_server.url}/oauth/authorize", params=params, allow_redirects=False)
    assert signed_out.status_code == 302
    assert parse_qs(urlsplit(signed_out.headers["Location"]).query)["error"] == ["login_required"]
    signed_in = recorded_session.get(f"{live_server.url}/oauth/authorize", params=params, allow_redirects=False)
    assert signed_in.status_code == 302
    assert parse_qs(urlsplit(signed_in.headers["Location"]).query)["error"] == ["consent_required"]


def test_an_impossible_user_id_is_a_400(live_server, org, owner):
    http = recorded_session_for(live_server, owner.username)
    http.get(f"{live_server.url}/admin/login/")
    headers = {"X-CSRFToken": http.cookies["csrftoken"], "Referer": live_server.url + "/"}
    for user_id in ["99999999999999999999999", "not-a-number", "-1e400"]:
        response = http.post(
            f"{live_server.url}/api/v4/organizations/{org.slug}/members",
            json={"user_id": user_id, "role": "member"},
            headers=headers,
        )
        assert response.status_code == 400, (user_id, response.text[:200])


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Line one\nLine two"),
        ("name", "\u200b\u200d"),
        ("name", "Trusted \u202eppA"),
        ("callback_urls", ["http://app.example.com/cb"]),
        ("callback_urls", ["https://user:pass@app.example.com/cb"]),
    ],
)
def test_registration_refuses_spoofing_names_and_unsafe_callbacks(live_server, superuser, field, value):
    http = recorded_session_for(live_server, superuser.username)
    http.get(f"{live_server.url}/admin/login/")
    headers = {"X-CSRFToken": http.cookies["csrftoken"], "Referer": live_server.url + "/"}
    body = {
        "name": "Fine name",
        "description": "An app",
        "homepage": "https://app.example.com/",
        "callback_urls": ["https://app.example.com/cb"],
        field: value,
    }
    response = http.post(f"{live_server.url}/api/v4/oauth/apps", json=body, headers=headers)
    assert response.status_code == 400, response.text[:300]
    assert field in response.text
