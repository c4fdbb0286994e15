"""Client ID metadata documents: the settings, the authorize page, the code flow and the metadata flag.

The documents come from a real HTTPS server on loopback (``tests.metadata_server``).
"""

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from oauth2_provider.models import get_application_model

from mm_oauth.models import AuditEvent
from mm_oauth.services.provider_settings import get_settings_row, update_provider_settings
from mm_oauth.validators import host_allowed, validate_host_allowlist
from tests.metadata_server import (  # noqa: F401  (fixtures)
    document_certificate_fixture,
    document_server_fixture,
    documents_on_fixture,
)
from tests.oauth_helpers import pkce_pair, query_of

CALLBACK = "http://127.0.0.1:9/callback"
Application = get_application_model()


def authorize_request(client_id, challenge, redirect_uri=CALLBACK, state="s1"):
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def error_page(response):
    """Assert ``response`` is the authorize error page (never a redirect); return its text."""
    assert response.status_code == 400, response.content[:300]
    assert "Location" not in response
    return response.content.decode()


# --- the code flow -------------------------------------------------------------------


def test_a_client_identified_by_its_document_completes_the_code_flow(signed_in_client, documents_on, document_server):
    client_id = document_server.serve_document(
        "/flow.json",
        client_name="Agent Smith",
        client_uri="https://agent.example.org/about/team",
        logo_uri="https://agent.example.org/logo.png",
    )
    verifier, challenge = pkce_pair()
    page = signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Agent Smith would like to connect to your account" in html
    assert "Unverified" in html and "has not verified them" in html
    assert "agent.example.org" in html and "/about/team" not in html  # the client_uri's host only
    assert 'src="https://agent.example.org/logo.png"' in html and 'referrerpolicy="no-referrer"' in html

    app = Application.objects.get(client_id=client_id)
    assert app.registration_source == "cimd" and app.user is None
    assert app.is_public and not app.is_trusted and app.callback_urls == [CALLBACK]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.APP_CREATED, target_id=client_id).exists()

    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    decision = signed_in_client.post("/oauth/authorize", {**data, "allow": "Authorize"})
    assert decision.status_code == 302 and decision["Location"].startswith(CALLBACK)
    query = query_of(decision["Location"])
    assert query["state"] == "s1"

    token = Client().post(
        "/oauth/access_token",
        {
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": CALLBACK,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.content
    assert token.json()["access_token"]


def test_pkce_is_required(signed_in_client, documents_on, document_server):
    client_id = document_server.serve_document("/nopkce.json")
    params = authorize_request(client_id, "x")
    del params["code_challenge"], params["code_challenge_method"]
    response = signed_in_client.get("/oauth/authorize", params)
    assert response.status_code == 302 and query_of(response["Location"])["error"] == "invalid_request"


def test_a_redirect_uri_the_document_does_not_list_gets_the_error_page(signed_in_client, documents_on, document_server):
    client_id = document_server.serve_document("/redirect.json")
    _verifier, challenge = pkce_pair()
    response = signed_in_client.get(
        "/oauth/authorize", authorize_request(client_id, challenge, redirect_uri="https://evil.example.net/cb")
    )
    error_page(response)


# --- refusals: each names its problem on the error page --------------------------------


def test_switched_off_an_https_client_id_is_an_unknown_client(signed_in_client, provider_on, document_server):
    client_id = document_server.serve_document("/off.json")
    _verifier, challenge = pkce_pair()
    html = error_page(signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge)))
    assert "Invalid client_id parameter value." in html
    assert document_server.hits.get("/off.json") is None  # nothing fetched


def test_a_host_outside_the_allowlist_is_refused_without_fetching(signed_in_client, documents_on, document_server):
    update_provider_settings(client_metadata_document_hosts="*.example.com")
    client_id = document_server.serve_document("/outside.json")
    _verifier, challenge = pkce_pair()
    html = error_page(signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge)))
    assert "localhost is not among the hosts" in html
    assert document_server.hits.get("/outside.json") is None


@pytest.mark.parametrize(
    "document, problem",
    [
        ({"client_id": "https://localhost/other.json"}, "does not equal the URL it was fetched from"),
        ({"redirect_uris": []}, "has no redirect_uris"),
        ({"token_endpoint_auth_method": "private_key_jwt"}, "&quot;private_key_jwt&quot; is not supported"),
        ({"token_endpoint_auth_method": "client_secret_basic"}, "public clients only"),
        ({"client_secret": "s3cret"}, "must not include client_secret"),
        ({"redirect_uris": ["http://app.example.com/cb"]}, "Callback URL"),
    ],
)
def test_an_unacceptable_document_is_refused_naming_the_problem(
    signed_in_client, documents_on, document_server, document, problem
):
    path = f"/bad-{abs(hash(str(document)))}.json"
    client_id = document_server.serve_document(path, **document)
    _verifier, challenge = pkce_pair()
    html = error_page(signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge)))
    assert problem in html
    assert not Application.objects.filter(client_id=client_id).exists()


def test_a_fetch_refusal_is_shown_and_not_retried_at_once(signed_in_client, documents_on, document_server):
    client_id = document_server.serve("/moved.json", b"", status=301, headers={"Location": "https://localhost/x"})
    _verifier, challenge = pkce_pair()
    for _attempt in range(2):
        html = error_page(signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge)))
        assert "redirects are not followed" in html
    assert document_server.hits["/moved.json"] == 1  # DOT's failure backoff


def test_internal_addresses_are_refused_on_the_authorize_page(
    signed_in_client, documents_on, document_server, mm_oauth_settings
):
    mm_oauth_settings(CIMD_ALLOW_LOOPBACK=False)
    client_id = document_server.serve_document("/internal.json")
    _verifier, challenge = pkce_pair()
    html = error_page(signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge)))
    assert "resolves to 127.0.0.1, an internal address (loopback)" in html
    assert document_server.hits.get("/internal.json") is None


def test_switching_off_makes_a_known_document_client_unusable(signed_in_client, documents_on, document_server):
    client_id = document_server.serve_document("/known.json")
    _verifier, challenge = pkce_pair()
    assert signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge)).status_code == 200
    update_provider_settings(enable_client_id_metadata_documents=False)
    error_page(signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge)))


def test_an_untrusted_logo_or_homepage_is_not_shown(signed_in_client, documents_on, document_server):
    client_id = document_server.serve_document(
        "/plain.json", logo_uri="http://10.0.0.1/logo.png", client_uri="javascript:alert(1)"
    )
    _verifier, challenge = pkce_pair()
    html = signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge)).content.decode()
    assert "10.0.0.1" not in html and "javascript:" not in html and "Website (unverified)" not in html
    app = Application.objects.get(client_id=client_id)
    assert app.icon_url == "" and app.homepage == client_id


# --- listed as coming from a document -----------------------------------------------------


def test_integrations_page_and_api_mark_document_clients(documents_on, document_server, client_for, superuser):
    client_id = document_server.serve_document("/listed.json", client_name="Listed Agent")
    _verifier, challenge = pkce_pair()
    client_for(superuser).get("/oauth/authorize", authorize_request(client_id, challenge))
    admin = client_for(superuser)
    page = admin.get("/integrations/oauth2-apps/").content.decode()
    assert "Listed Agent" in page and "From a client metadata document" in page
    listed = {app["id"]: app for app in admin.get("/api/v4/oauth/apps").json()}
    assert listed[client_id]["registration_source"] == "cimd" and listed[client_id]["creator_id"] == ""


# --- settings ------------------------------------------------------------------------------


def test_settings_api_reads_and_changes_the_document_settings(client_for, superuser, provider_on):
    api = client_for(superuser)
    body = {"enable_client_id_metadata_documents": True, "client_metadata_document_hosts": " a.example.com \n\n*.b.org"}
    response = api.put("/api/v4/oauth/settings", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["client_metadata_document_hosts"] == "a.example.com\n*.b.org"
    assert response.json()["enable_client_id_metadata_documents"] is True
    event = AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_CHANGED).latest("pk")
    assert event.changes["enable_client_id_metadata_documents"] == [False, True]


def test_an_invalid_host_allowlist_is_refused_naming_the_field_and_line(client_for, superuser, provider_on):
    api = client_for(superuser)
    body = {
        "enable_client_id_metadata_documents": True,
        "client_metadata_document_hosts": "ok.example.com\nhttps://x.org/",
    }
    response = api.put("/api/v4/oauth/settings", body, content_type="application/json")
    assert response.status_code == 400
    messages = str(response.json())
    assert "Client metadata document hosts, line 2" in messages and "https://x.org/" in messages
    row = get_settings_row()
    assert not row.enable_client_id_metadata_documents and row.client_metadata_document_hosts == ""


def test_admin_refuses_an_invalid_allowlist(client_for, superuser, provider_on):
    admin = client_for(superuser)
    row = get_settings_row()
    url = f"/admin/mm_oauth/providersettings/{row.pk}/change/"
    form = {"enable_provider": "on", "restrict_to_admins": "on", "client_metadata_document_hosts": "ok.org\n*.*.bad"}
    response = admin.post(url, form)
    assert response.status_code == 200 and "line 2" in response.content.decode()
    form["client_metadata_document_hosts"] = "ok.org"
    form["enable_client_id_metadata_documents"] = "on"
    assert admin.post(url, form).status_code == 302
    assert get_settings_row().enable_client_id_metadata_documents


@pytest.mark.parametrize(
    "host, allowlist, allowed",
    [
        ("client.example.com", "client.example.com", True),
        ("CLIENT.example.com", "client.example.com", True),
        ("a.client.example.com", "client.example.com", False),
        ("a.example.com", "*.example.com", True),
        ("a.b.example.com", "*.example.com", True),
        ("example.com", "*.example.com", False),
        ("evilexample.com", "*.example.com", False),
        ("client.example.com", "", False),
    ],
)
def test_host_allowlist_matching(host, allowlist, allowed):
    assert host_allowed(host, allowlist) is allowed


# --- metadata --------------------------------------------------------------------------------


def test_metadata_advertises_documents_only_while_switched_on(client, provider_on, oidc_on):
    for enabled in (False, True):
        update_provider_settings(enable_client_id_metadata_documents=enabled)
        rfc8414 = client.get("/.well-known/oauth-authorization-server").json()
        discovery = client.get("/.well-known/openid-configuration").json()
        # Advertised only while switched on (nothing is advertised that is not offered).
        assert rfc8414.get("client_id_metadata_document_supported", False) is enabled
        assert discovery.get("client_id_metadata_document_supported", False) is enabled


def test_the_unverified_block_and_allowlist_errors_come_out_in_german(documents_on, document_server, signed_in_client):
    client_id = document_server.serve_document("/german.json", client_uri="https://agent.example.org/")
    _verifier, challenge = pkce_pair()
    page = signed_in_client.get("/oauth/authorize", authorize_request(client_id, challenge))
    with translation.override("de"):
        html = render_to_string(
            "mm_oauth/authorize_metadata_document.html", {"application": page.context["application"]}
        )
        with pytest.raises(ValidationError) as invalid:
            validate_host_allowlist("ok.org\nhttp://x")
        messages = invalid.value.messages
    assert "Nicht überprüft" in html and "Diese Website hat sie nicht überprüft." in html
    assert "Website (nicht überprüft)" in html
    assert messages == [
        "Hosts für Client-Metadatendokumente, Zeile 2: „http://x“ ist kein Hostname. Schreiben Sie einen Host pro "
        "Zeile, etwa „client.example.com“ oder „*.example.com“, ohne Schema, Port oder Pfad."
    ]
