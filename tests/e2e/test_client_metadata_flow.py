"""A client identified only by its metadata document URL signs a user in, end to end.

The example site runs in gunicorn; the document comes from a real HTTPS server
on loopback (``tests.metadata_server``, its certificate trusted through
``MM_OAUTH_CIMD_CA_BUNDLE``); headless Chromium signs in as alice, sees the
consent page with the document's unverified name, logo and website host, and
allows; the test then exchanges the code with PKCE, as a public client does,
and calls ``users/me``.

The consent page is saved as ``mm_oauth_metadata_document_consent.png`` in /tmp
(or ``MM_OAUTH_SCREENSHOTS``).
"""

from urllib.parse import urlencode

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.playwright_fixtures import SCREENSHOTS
from tests.e2e.servers import free_port, gunicorn, manage, site_env
from tests.metadata_server import document_certificate_fixture, document_server_fixture  # noqa: F401  (fixtures)
from tests.oauth_helpers import pkce_pair, query_of

pytestmark = pytest.mark.slow

CALLBACK = "http://127.0.0.1:9/callback"  # nothing listens: the browser's request is intercepted

SETUP = f"""
from django.contrib.auth import get_user_model
from mm_oauth.services.provider_settings import update_provider_settings
get_user_model().objects.create_user("alice", "alice@example.com", {PASSWORD!r}, first_name="Alice")
update_provider_settings(
    enable_provider=True, enable_client_id_metadata_documents=True, client_metadata_document_hosts="localhost"
)
"""


@pytest.fixture
def site(tmp_path, document_certificate):
    env = site_env(
        tmp_path,
        DJANGO_DEBUG="0",
        MM_OAUTH_CIMD_ALLOW_LOOPBACK="1",
        MM_OAUTH_CIMD_CA_BUNDLE=str(document_certificate[0]),
    )
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP)
    with gunicorn(env, free_port()) as base:
        yield base


def test_a_document_client_completes_the_code_flow_through_the_consent_page(site, document_server, new_page):
    client_id = document_server.serve_document(
        "/agent/client.json",
        client_name="Metadata Agent",
        client_uri="https://agent.example.org/docs/about",
        redirect_uris=[CALLBACK],
    )
    metadata = requests.get(f"{site}/.well-known/oauth-authorization-server", timeout=10).json()
    assert metadata["client_id_metadata_document_supported"] is True

    verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "state": "st4te",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = new_page()
    callbacks = []
    page.route(f"{CALLBACK}**", lambda route: (callbacks.append(route.request.url), route.fulfill(body="done")))

    page.goto(f"{site}/oauth/authorize?{urlencode(query)}")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Metadata Agent would like to connect to your account")).to_be_visible()
    expect(page.locator(".mm-oauth-unverified")).to_contain_text("this site has not verified them")
    expect(page.locator(".mm-oauth-unverified")).to_contain_text("localhost")
    expect(page.locator(".mm-oauth-unverified-badge")).to_have_text("Unverified")
    expect(page.locator(".mm-oauth-client-host")).to_have_text("agent.example.org")
    page.screenshot(path=str(SCREENSHOTS / "mm_oauth_metadata_document_consent.png"), full_page=True)

    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{CALLBACK}**")
    answer = query_of(callbacks[-1])
    assert answer["state"] == "st4te" and "code" in answer

    token = requests.post(
        f"{site}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": answer["code"],
            "redirect_uri": CALLBACK,
            "client_id": client_id,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert token.status_code == 200, token.text
    me = requests.get(
        f"{site}/api/v4/users/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}, timeout=10
    )
    assert me.status_code == 200 and me.json()["username"] == "alice"
    assert document_server.hits["/agent/client.json"] == 1  # cached for its max-age across the whole flow
