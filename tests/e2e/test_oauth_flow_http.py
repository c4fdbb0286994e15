"""End to end over real HTTP against a live server, driven by requests-oauthlib as a third-party app would."""

import os

import pytest
import requests
from requests_oauthlib import OAuth2Session

from tests.e2e.browser import LOOPBACK_CALLBACK, signed_in_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("provider_on")]

CALLBACK = LOOPBACK_CALLBACK  # never contacted: the browser stops at the redirect


@pytest.fixture(autouse=True)
def _insecure_transport_for_localhost(monkeypatch):
    # oauthlib refuses http:// unless told this is a local test server.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def sign_in_with_oauth(live_server, session, app):
    """Run the authorization code flow with PKCE; return the OAuth2Session holding the token."""
    oauth = OAuth2Session(app.client_id, redirect_uri=CALLBACK, scope=["read", "write"], pkce="S256")
    url, state = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    response = session.get(url, allow_redirects=False)
    assert response.status_code == 302, response.text[:300]
    callback = response.headers["Location"]
    assert callback.startswith(CALLBACK + "?")
    oauth.fetch_token(
        f"{live_server.url}/oauth/access_token",
        authorization_response=callback,
        client_secret=app.plain_secret,
        include_client_id=True,
    )
    return oauth


def test_full_code_flow_with_pkce_then_users_me(live_server, user_session, loopback_app, user):
    oauth = sign_in_with_oauth(live_server, user_session, loopback_app)
    assert set(oauth.token) >= {"access_token", "refresh_token", "expires_in", "token_type", "scope"}
    me = oauth.get(f"{live_server.url}/api/v4/users/me")
    assert me.status_code == 200
    assert {key: me.json()[key] for key in ("id", "username", "email", "first_name", "last_name")} == {
        "id": str(user.pk),
        "username": "alice",
        "email": "alice@example.com",
        "first_name": "Alice",
        "last_name": "Liddell",
    }


def test_refresh_rotates_and_the_old_refresh_token_is_refused(live_server, user_session, loopback_app):
    oauth = sign_in_with_oauth(live_server, user_session, loopback_app)
    old = dict(oauth.token)
    new = oauth.refresh_token(
        f"{live_server.url}/oauth/access_token",
        client_id=loopback_app.client_id,
        client_secret=loopback_app.plain_secret,
    )
    assert new["access_token"] != old["access_token"]
    assert new["refresh_token"] != old["refresh_token"]
    assert oauth.get(f"{live_server.url}/api/v4/users/me").status_code == 200

    replay = requests.post(
        f"{live_server.url}/oauth/access_token",
        data={"grant_type": "refresh_token", "refresh_token": old["refresh_token"]},
        auth=(loopback_app.client_id, loopback_app.plain_secret),
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_revoke_and_introspect(live_server, user_session, loopback_app):
    oauth = sign_in_with_oauth(live_server, user_session, loopback_app)
    token = oauth.token["access_token"]
    auth = (loopback_app.client_id, loopback_app.plain_secret)
    introspection = requests.post(f"{live_server.url}/oauth/introspect", data={"token": token}, auth=auth).json()
    assert introspection["active"] is True and introspection["username"] == "alice"

    revoked = requests.post(f"{live_server.url}/oauth/revoke", data={"token": token}, auth=auth)
    assert revoked.status_code == 200
    assert requests.post(f"{live_server.url}/oauth/introspect", data={"token": token}, auth=auth).json() == {
        "active": False
    }
    assert oauth.get(f"{live_server.url}/api/v4/users/me").status_code == 401


def test_metadata_points_at_the_live_endpoints(live_server):
    data = requests.get(f"{live_server.url}/.well-known/oauth-authorization-server").json()
    assert data["token_endpoint"] == f"{live_server.url}/oauth/access_token"
    assert data["authorization_endpoint"] == f"{live_server.url}/oauth/authorize"
    assert requests.get(data["authorization_endpoint"], allow_redirects=False).status_code in (302, 400)


def test_provider_switch_over_http(live_server, user_session, loopback_app, superuser):
    oauth = sign_in_with_oauth(live_server, user_session, loopback_app)
    admin = signed_in_session(live_server.url, "root")
    admin.get(f"{live_server.url}/admin/")
    csrf = {"X-CSRFToken": admin.cookies["csrftoken"], "Referer": live_server.url + "/"}

    off = admin.put(f"{live_server.url}/api/v4/oauth/settings", json={"enable_provider": False}, headers=csrf)
    assert off.status_code == 200, off.text
    me = oauth.get(f"{live_server.url}/api/v4/users/me")
    assert me.status_code == 401
    assert "turned off" in me.json()["message"]
    token = requests.post(f"{live_server.url}/oauth/access_token", data={"grant_type": "refresh_token"})
    assert token.status_code == 501

    on = admin.put(f"{live_server.url}/api/v4/oauth/settings", json={"enable_provider": True}, headers=csrf)
    assert on.status_code == 200
    assert oauth.get(f"{live_server.url}/api/v4/users/me").status_code == 200  # the token was kept


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"client_secret": "wrong"}, "invalid_client"),
        ({"redirect_uri": "http://127.0.0.1:9/other"}, "invalid_request"),
        ({"code_verifier": None}, "invalid_request"),
    ],
)
def test_bad_token_requests_get_rfc6749_errors_and_nothing_is_issued(
    live_server, user_session, loopback_app, changes, error
):
    from oauth2_provider.models import get_access_token_model

    oauth = OAuth2Session(loopback_app.client_id, redirect_uri=CALLBACK, pkce="S256")
    url, _state = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    callback = user_session.get(url, allow_redirects=False).headers["Location"]
    code = dict(part.split("=", 1) for part in callback.split("?", 1)[1].split("&"))["code"]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "client_id": loopback_app.client_id,
        "client_secret": loopback_app.plain_secret,
        "code_verifier": oauth._code_verifier,
    }
    data.update(changes)
    data = {key: value for key, value in data.items() if value is not None}
    response = requests.post(f"{live_server.url}/oauth/access_token", data=data)
    assert response.status_code in (400, 401)
    assert response.json()["error"] == error
    assert "error_description" in response.json() or error == "invalid_client"
    assert get_access_token_model().objects.count() == 0


def test_environment_allows_http_only_for_this_test_module():
    assert os.environ["OAUTHLIB_INSECURE_TRANSPORT"] == "1"
