"""A client written for Mattermost's OAuth 2.0 provider works unchanged.

It acts exactly as Mattermost's sample client does (enahum's passport-oauth2
sample): the browser is sent to ``GET /oauth/authorize?response_type=code&
client_id=…&redirect_uri=…&state=…`` (no PKCE, no scope); the server then
form-posts exactly ``grant_type, code, redirect_uri, client_id, client_secret``
to ``/oauth/access_token`` (no Authorization header), calls
``GET /api/v4/users/me`` with ``Authorization: Bearer …``, and refreshes the
same way. Over real HTTP against pytest-django's ``live_server``.
"""

import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.e2e.browser import signed_in_session
from tests.e2e.test_sample_client import form_posting_to

pytestmark = [pytest.mark.django_db(transaction=True)]

CALLBACK = "http://127.0.0.1:9/login/mattermost/callback"  # never contacted: the browser stops at the redirect
TOKEN_KEYS = {"access_token", "token_type", "expires_in", "scope", "refresh_token"}


@pytest.fixture
def app(provider_on, make_app):
    return make_app(name="Mattermost-era client", callback_urls=[CALLBACK])


@pytest.fixture
def server():
    """The client's server side: plain HTTP calls, nothing taken from the environment (no .netrc auth)."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


def authorization_code(live_server, app, state):
    """Alice's browser: the authorize request, the consent page, Allow; return the callback's query."""
    browser = signed_in_session(live_server.url, "alice")
    query = urlencode({"response_type": "code", "client_id": app.client_id, "redirect_uri": CALLBACK, "state": state})
    consent = browser.get(f"{live_server.url}/oauth/authorize?{query}", timeout=10)
    assert consent.status_code == 200, consent.text[:500]
    assert app.name in consent.text
    action, fields = form_posting_to(consent, "/oauth/authorize")
    answer = browser.post(action, data={**fields, "allow": "Authorize"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def token_request(server, live_server, fields):
    """POST ``fields`` form-encoded to /oauth/access_token, as passport-oauth2 does; check the request sent."""
    response = server.post(f"{live_server.url}/oauth/access_token", data=fields, timeout=10)
    sent = response.request
    assert "Authorization" not in sent.headers
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert {key: values[0] for key, values in parse_qs(sent.body).items()} == fields
    return response


def check_token_response(response):
    """The token response a Mattermost client reads."""
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert "no-store" in response.headers["Cache-Control"]
    token = response.json()
    assert set(token) >= TOKEN_KEYS
    assert token["token_type"].lower() == "bearer"
    assert isinstance(token["expires_in"], int) and token["expires_in"] > 0
    assert set(token["scope"].split()) == {"read", "write"}  # the defaults: the client asked for no scope
    assert token["access_token"] and token["refresh_token"]
    return token


def users_me(server, live_server, access_token):
    return server.get(
        f"{live_server.url}/api/v4/users/me", headers={"Authorization": f"Bearer {access_token}"}, timeout=10
    )


def test_a_client_written_for_mattermost_signs_in_reads_the_user_and_refreshes(live_server, app, user, server):
    state = secrets.token_urlsafe(16)
    callback = authorization_code(live_server, app, state)
    assert callback["state"] == state and callback["code"]

    token = check_token_response(
        token_request(
            server,
            live_server,
            {
                "grant_type": "authorization_code",
                "code": callback["code"],
                "redirect_uri": CALLBACK,
                "client_id": app.client_id,
                "client_secret": app.plain_secret,
            },
        )
    )

    me = users_me(server, live_server, token["access_token"])
    assert me.status_code == 200, me.text
    assert {key: me.json()[key] for key in ("id", "username", "email", "first_name", "last_name")} == {
        "id": str(user.pk),
        "username": "alice",
        "email": "alice@example.com",
        "first_name": "Alice",
        "last_name": "Liddell",
    }

    refreshed = check_token_response(
        token_request(
            server,
            live_server,
            {
                "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"],
                "client_id": app.client_id,
                "client_secret": app.plain_secret,
            },
        )
    )
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert users_me(server, live_server, refreshed["access_token"]).json()["username"] == "alice"
