"""A client nobody registered by hand: it registers itself over HTTP (RFC 7591), then signs a user in with Authlib.

The example site runs in gunicorn on a throwaway database (SQLite, and
PostgreSQL when ``MM_OAUTH_TEST_POSTGRES_URL`` names a server), with the provider
and dynamic client registration switched on. The client finds the
registration endpoint in the RFC 8414 metadata, registers with ``requests``
(Authlib 1.x implements RFC 7591 for servers only, not as a client), then runs
the authorization code flow with PKCE S256 through Authlib's
``OAuth2Session``: a signed-in ``requests.Session`` plays the browser and
clicks Allow on the consent page (a registered client is never trusted). It
reads ``users/me``, refreshes, and finally deletes its own registration
(RFC 7592), after which its refresh token no longer works.
"""

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from tests.conftest import PASSWORD
from tests.e2e.browser import LOOPBACK_CALLBACK, signed_in_session
from tests.e2e.servers import free_port, gunicorn, manage, site_env
from tests.e2e.test_faults_postgres import database_url  # noqa: F401  (fixture: a database of the module's own)
from tests.e2e.test_sample_client import form_posting_to

pytestmark = pytest.mark.slow

SETUP = f"""
from django.contrib.auth import get_user_model
from mm_oauth.services.provider_settings import update_provider_settings
get_user_model().objects.create_user("alice", "alice@example.com", {PASSWORD!r}, first_name="Alice")
update_provider_settings(enable_provider=True, enable_dynamic_client_registration=True)
"""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    """The example site in gunicorn, registration on, on SQLite or PostgreSQL; yields its base URL."""
    tmp_path = tmp_path_factory.mktemp("dcr_site")
    extra = {"DATABASE_URL": request.getfixturevalue("database_url")} if request.param == "postgresql" else {}
    env = site_env(tmp_path, **extra)
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP)
    with gunicorn(env, free_port()) as base:
        yield base


@pytest.fixture(autouse=True)
def _insecure_transport_for_localhost(monkeypatch):
    # Authlib refuses http:// authorization responses unless told this is a local test.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


def discover(base):
    response = requests.get(f"{base}/.well-known/oauth-authorization-server", timeout=10)
    response.raise_for_status()
    return response.json()


def register(metadata, auth_method):
    """Register this client at the advertised endpoint (RFC 7591 section 3.1); return the client information."""
    body = {
        "client_name": f"Authlib agent ({auth_method})",
        "redirect_uris": [LOOPBACK_CALLBACK],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": auth_method,
        "scope": "read write",
    }
    response = requests.post(metadata["registration_endpoint"], json=body, timeout=10)
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()


def consent(browser, url):
    """Open the authorization URL as the signed-in user, click Allow; return the redirect to the client."""
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    assert "Authlib agent" in page.text  # the consent page: a registered client is never trusted
    action, fields = form_posting_to(page, "/oauth/authorize")
    response = browser.post(action, data={**fields, "allow": "Authorize"}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    return response.headers["Location"]


@pytest.mark.parametrize("auth_method", ["client_secret_post", "client_secret_basic", "none"])
def test_a_self_registered_client_signs_in_with_pkce_and_refreshes(site, auth_method):
    metadata = discover(site)
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    info = register(metadata, auth_method)
    assert ("client_secret" in info) is (auth_method != "none")

    client = OAuth2Session(
        info["client_id"],
        info.get("client_secret"),
        scope="read write",
        redirect_uri=LOOPBACK_CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method=auth_method,
    )
    verifier = generate_token(48)
    url, _state = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier)
    browser = signed_in_session(site, "alice")
    callback = consent(browser, url)
    assert callback.startswith(LOOPBACK_CALLBACK + "?")

    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert {"access_token", "refresh_token"} <= set(token)
    me = client.get(f"{site}/api/v4/users/me", timeout=10)
    assert me.status_code == 200 and me.json()["username"] == "alice"

    refreshed = client.refresh_token(metadata["token_endpoint"])
    assert refreshed["access_token"] != token["access_token"]
    assert client.get(f"{site}/api/v4/users/me", timeout=10).status_code == 200

    # RFC 7592: the client reads and then deletes its registration; its tokens go with it.
    management = {"Authorization": f"Bearer {info['registration_access_token']}"}
    read = requests.get(info["registration_client_uri"], headers=management, timeout=10)
    assert read.status_code == 200 and read.json()["client_id"] == info["client_id"]
    assert requests.delete(info["registration_client_uri"], headers=management, timeout=10).status_code == 204
    assert client.get(f"{site}/api/v4/users/me", timeout=10).status_code == 401
    gone = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": refreshed["refresh_token"],
            "client_id": info["client_id"],
        },
        timeout=10,
    )
    assert gone.status_code in (400, 401)


def test_without_the_verifier_the_code_is_refused(site):
    metadata = discover(site)
    info = register(metadata, "none")
    client = OAuth2Session(
        info["client_id"], scope="read", redirect_uri=LOOPBACK_CALLBACK, token_endpoint_auth_method="none"
    )
    url, _state = client.create_authorization_url(metadata["authorization_endpoint"])
    response = signed_in_session(site, "alice").get(url, allow_redirects=False, timeout=10)
    # A public client must send a PKCE challenge (RFC 7636, RFC 9700 section 2.1.1): refused at once.
    assert response.status_code == 302
    assert response.headers["Location"].startswith(LOOPBACK_CALLBACK + "?error=invalid_request")
