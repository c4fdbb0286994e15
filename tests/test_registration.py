"""Dynamic client registration (RFC 7591) and its management (RFC 7592) over the test client.

One row per HTTP outcome: the switches (provider, registration), the metadata
rules with RFC 7591 section 3.2.2's errors, the allowlist, the registration
access token (stored hashed), throttling, the audit trail, and the metadata
documents that advertise the endpoint.
"""

import hashlib
import json
import re

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import resolve, reverse
from oauth2_provider.models import get_access_token_model, get_application_model

from mm_oauth.models import AuditEvent
from mm_oauth.models import provider_settings as settings_cache
from mm_oauth.oauth.registration import RegisterView
from mm_oauth.services import provider_settings
from mm_oauth.services.registration import DEFAULT_CLIENT_NAME

REGISTER = "/api/v4/oauth/apps/register"
LOOPBACK = "http://127.0.0.1:8765/callback"


@pytest.fixture
def registration_on(provider_on):
    provider_settings.update_provider_settings(enable_dynamic_client_registration=True)
    provider_settings.clear_cache()


@pytest.fixture
def allowlist(registration_on):
    def set_to(text):
        provider_settings.update_provider_settings(registration_redirect_uri_allowlist=text)
        provider_settings.clear_cache()

    return set_to


def register(client, metadata=None, **extra):
    body = {"redirect_uris": [LOOPBACK], **(metadata or {})}
    return client.post(REGISTER, json.dumps(body), content_type="application/json", **extra)


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_register_path_is_not_taken_for_a_client_id():
    assert resolve(REGISTER).func.view_class is RegisterView
    assert reverse("mm_oauth:api-oauth-app-register") == REGISTER


# The switches


def test_provider_off_answers_the_providers_501(client, db):
    response = register(client)
    assert response.status_code == 501
    assert "turned off the OAuth 2.0 service provider" in response.json()["error_description"]
    assert not get_application_model().objects.exists()


def test_registration_off_answers_501_with_the_reason(client, provider_on):
    response = register(client)
    assert response.status_code == 501
    assert response.json()["error_description"] == "The system admin has turned off dynamic client registration."
    assert not get_application_model().objects.exists()


def test_management_uri_answers_501_while_registration_is_off(client, registration_on):
    body = register(client).json()
    provider_settings.update_provider_settings(enable_dynamic_client_registration=False)
    provider_settings.clear_cache()
    response = client.get(body["registration_client_uri"], **bearer(body["registration_access_token"]))
    assert response.status_code == 501


# Successful registrations


def test_confidential_client_gets_its_secret_once_and_stored_hashed(client, registration_on):
    response = register(client, {"client_name": "Agent", "token_endpoint_auth_method": "client_secret_post"})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    app = get_application_model().objects.get(client_id=body["client_id"])
    assert body["client_secret"] and app.client_secret != body["client_secret"]
    assert app.client_secret.startswith("mm_oauth_sha256$")
    assert body["client_secret_expires_at"] == 0
    assert body["client_id_issued_at"] == int(app.created.timestamp())
    assert body["token_endpoint_auth_method"] == "client_secret_post"
    assert body["grant_types"] == ["authorization_code", "refresh_token"]
    assert body["response_types"] == ["code"]
    assert body["redirect_uris"] == [LOOPBACK]
    assert body["client_name"] == "Agent"
    assert body["registration_client_uri"] == f"http://testserver{REGISTER}/{app.client_id}"
    assert (app.user, app.is_trusted, app.registration_source) == (None, False, "dcr")
    assert app.client_type == "confidential"


def test_basic_is_the_default_method(client, registration_on):
    body = register(client).json()
    assert body["token_endpoint_auth_method"] == "client_secret_basic"
    assert "client_secret" in body


def test_public_client_gets_no_secret(client, registration_on):
    body = register(client, {"token_endpoint_auth_method": "none"}).json()
    app = get_application_model().objects.get(client_id=body["client_id"])
    assert "client_secret" not in body and "client_secret_expires_at" not in body
    assert app.client_type == "public" and app.client_secret == ""
    assert body["token_endpoint_auth_method"] == "none"


def test_missing_client_name_gets_a_default_and_homepage_the_callbacks_origin(client, registration_on):
    body = register(client).json()
    app = get_application_model().objects.get(client_id=body["client_id"])
    assert app.name == DEFAULT_CLIENT_NAME
    assert app.homepage == "http://127.0.0.1:8765"
    assert body["client_uri"] == "http://127.0.0.1:8765"


def test_client_uri_and_logo_uri_become_homepage_and_icon(client, registration_on):
    metadata = {"client_uri": "https://agent.example.com/", "logo_uri": "https://agent.example.com/logo.png"}
    body = register(client, metadata).json()
    app = get_application_model().objects.get(client_id=body["client_id"])
    assert (app.homepage, app.icon_url) == ("https://agent.example.com/", "https://agent.example.com/logo.png")
    assert body["logo_uri"] == "https://agent.example.com/logo.png"


def test_unknown_metadata_and_is_trusted_are_ignored(client, registration_on):
    response = register(client, {"is_trusted": True, "software_id": "x", "contacts": ["a@example.com"]})
    assert response.status_code == 201
    app = get_application_model().objects.get(client_id=response.json()["client_id"])
    assert app.is_trusted is False and app.skip_authorization is False


def test_known_scopes_are_accepted(client, registration_on):
    assert register(client, {"scope": "read write"}).status_code == 201


def test_the_registered_scope_limits_what_the_client_may_ask_for(client, registration_on):
    body = register(client, {"scope": "read"}).json()
    assert body["scope"] == "read"
    app = get_application_model().objects.get(client_id=body["client_id"])
    assert app.scopes == ["read"] and not app.allows_scopes(["read", "write"])
    unlimited = register(client, {}).json()
    assert "scope" not in unlimited
    assert get_application_model().objects.get(client_id=unlimited["client_id"]).scopes == []


def test_ipv6_loopback_on_any_port_is_allowed_without_an_allowlist(client, registration_on):
    assert register(client, {"redirect_uris": ["http://[::1]:51234/cb"]}).status_code == 201


# Refused metadata: nothing is saved, the error names the field and the rule

INVALID = [
    ({"token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata", "token_endpoint_auth_method"),
    ({"token_endpoint_auth_method": 3}, "invalid_client_metadata", "token_endpoint_auth_method"),
    ({"grant_types": ["client_credentials"]}, "invalid_client_metadata", "grant_types: client_credentials"),
    ({"grant_types": ["implicit", "authorization_code"]}, "invalid_client_metadata", "grant_types: implicit"),
    ({"grant_types": ["refresh_token"]}, "invalid_client_metadata", "grant_types: must include authorization_code"),
    ({"grant_types": "authorization_code"}, "invalid_client_metadata", "grant_types: must be a JSON array"),
    ({"response_types": ["token"]}, "invalid_client_metadata", "response_types: token"),
    ({"scope": "read admin"}, "invalid_client_metadata", "scope: unknown scope admin"),
    ({"scope": ["read"]}, "invalid_client_metadata", "scope: must be a string"),
    ({"client_name": "x" * 65}, "invalid_client_metadata", "client_name:"),
    ({"client_name": "Evil\u202eelgooG"}, "invalid_client_metadata", "client_name: Display Name must not contain"),
    ({"client_name": 7}, "invalid_client_metadata", "client_name: must be a string"),
    ({"client_uri": "ftp://agent.example.com/"}, "invalid_client_metadata", "client_uri: Homepage must be"),
    ({"logo_uri": "javascript:alert(1)"}, "invalid_client_metadata", "logo_uri: Icon URL must be"),
    ({"redirect_uris": []}, "invalid_redirect_uri", "redirect_uris: required"),
    ({"redirect_uris": "http://127.0.0.1/cb"}, "invalid_redirect_uri", "redirect_uris: required"),
    ({"redirect_uris": ["http://127.0.0.1/cb#x"]}, "invalid_redirect_uri", "must not contain a fragment"),
    ({"redirect_uris": ["https://app.example.com/cb"]}, "invalid_redirect_uri", "may not be registered dynamically"),
    ({"redirect_uris": ["http://localhost:8000/cb"]}, "invalid_redirect_uri", "may not be registered dynamically"),
    (
        {"redirect_uris": ["com.example.app:/cb"], "client_uri": "https://example.com/"},
        "invalid_redirect_uri",
        "redirect_uris: Callback URL must be",
    ),
    (
        {
            "redirect_uris": ["com.example.app:/cb"],
            "client_uri": "https://example.com/",
            "token_endpoint_auth_method": "none",
        },
        "invalid_redirect_uri",
        "may not be registered dynamically",
    ),
    (
        {
            "redirect_uris": ["javascript:alert(1)"],
            "client_uri": "https://x.example/",
            "token_endpoint_auth_method": "none",
        },
        "invalid_redirect_uri",
        "javascript: scheme, which is never allowed",
    ),
]


@pytest.mark.parametrize(("metadata", "error", "described"), INVALID)
def test_invalid_metadata_is_refused_naming_the_field(client, registration_on, metadata, error, described):
    response = register(client, metadata)
    assert response.status_code == 400, response.content
    assert response["Cache-Control"] == "no-store"
    assert response.json()["error"] == error
    assert described in response.json()["error_description"]
    assert not get_application_model().objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.APP_REGISTERED).exists()


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""])
def test_a_body_that_is_not_a_json_object_is_refused(client, registration_on, body):
    response = client.post(REGISTER, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


NATIVE = {"redirect_uris": ["com.example.app:/cb"], "client_uri": "https://example.com/"}


def test_private_use_scheme_allowlisted_for_a_public_client(client, allowlist):
    allowlist("com.example.app:/")
    response = register(client, {**NATIVE, "token_endpoint_auth_method": "none"})
    assert response.status_code == 201, response.content
    assert get_application_model().objects.get().get_allowed_schemes() == ["http", "https", "com.example.app"]
    response = register(client, NATIVE)
    assert response.json()["error"] == "invalid_redirect_uri"  # confidential: http(s) only


def test_private_use_only_client_needs_a_client_uri(client, allowlist):
    allowlist("com.example.app:/")
    response = register(client, {"redirect_uris": ["com.example.app:/cb"], "token_endpoint_auth_method": "none"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"
    assert response.json()["error_description"].startswith("client_uri: required")


def test_allowlisted_https_redirect(client, allowlist):
    allowlist("https://*.example.com/oauth")
    assert register(client, {"redirect_uris": ["https://agent.example.com/oauth/cb"]}).status_code == 201
    refused = register(client, {"redirect_uris": ["https://agent.example.com/oauthx"]})
    assert refused.json()["error"] == "invalid_redirect_uri"


# The registration access token and RFC 7592


@pytest.fixture
def registered(client, registration_on):
    return register(client, {"client_name": "Agent", "token_endpoint_auth_method": "client_secret_post"}).json()


def test_registration_access_token_is_stored_only_as_its_checksum(registered):
    row = get_access_token_model().objects.get(application__client_id=registered["client_id"])
    raw = registered["registration_access_token"]
    assert row.token == ""
    assert row.token_checksum == hashlib.sha256(raw.encode()).hexdigest()
    assert row.user is None and row.scope == "oauth2_provider:registration"


def test_read_returns_the_registered_metadata(client, registered):
    response = client.get(registered["registration_client_uri"], **bearer(registered["registration_access_token"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["client_name"] == "Agent" and body["token_endpoint_auth_method"] == "client_secret_post"
    assert "client_secret" not in body


@pytest.mark.parametrize("method", ["get", "put", "delete"])
@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": "Basic eDp5"}])
def test_wrong_or_missing_token_gets_401(client, registered, method, headers):
    response = getattr(client, method)(
        registered["registration_client_uri"], content_type="application/json", **headers
    )
    assert response.status_code == 401
    assert get_application_model().objects.filter(client_id=registered["client_id"]).exists()


def test_another_clients_token_gets_401(client, registered):
    other = register(client).json()
    response = client.get(registered["registration_client_uri"], **bearer(other["registration_access_token"]))
    assert response.status_code == 401


def test_update_replaces_the_metadata_and_revalidates(client, registered):
    uri, headers = registered["registration_client_uri"], bearer(registered["registration_access_token"])
    body = {"redirect_uris": ["http://127.0.0.1:9000/cb"], "client_name": "Agent 2"}
    response = client.put(uri, json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    app = get_application_model().objects.get(client_id=registered["client_id"])
    assert (app.name, app.callback_urls) == ("Agent 2", ["http://127.0.0.1:9000/cb"])
    assert response.json()["token_endpoint_auth_method"] == "client_secret_basic"
    event = AuditEvent.objects.get(action=AuditEvent.Action.APP_UPDATED)
    assert event.changes["name"] == ["Agent", "Agent 2"]

    bad = {"redirect_uris": ["https://evil.example/cb"], "client_name": "Agent 3"}
    response = client.put(uri, json.dumps(bad), content_type="application/json", **headers)
    assert response.json()["error"] == "invalid_redirect_uri"
    response = client.put(
        uri, json.dumps({**body, "client_name": "x" * 65}), content_type="application/json", **headers
    )
    assert response.json()["error"] == "invalid_client_metadata"
    app.refresh_from_db()
    assert app.name == "Agent 2"


def test_update_cannot_make_a_confidential_client_public(client, registered):
    uri, headers = registered["registration_client_uri"], bearer(registered["registration_access_token"])
    body = {"redirect_uris": [LOOPBACK], "token_endpoint_auth_method": "none"}
    response = client.put(uri, json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 400
    assert "token_endpoint_auth_method" in response.json()["error_description"]


def test_delete_removes_the_app_its_tokens_and_records_it(client, registered, user, bearer_token):
    app = get_application_model().objects.get(client_id=registered["client_id"])
    bearer_token(user, app)
    response = client.delete(registered["registration_client_uri"], **bearer(registered["registration_access_token"]))
    assert response.status_code == 204
    assert not get_application_model().objects.filter(pk=app.pk).exists()
    assert not get_access_token_model().objects.filter(application_id=app.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.APP_DELETED)
    assert event.target_id == registered["client_id"] and event.actor is None
    response = client.get(registered["registration_client_uri"], **bearer(registered["registration_access_token"]))
    assert response.status_code == 401


def test_registration_token_opens_no_api(client, registered):
    response = client.get("/api/v4/users/me", **bearer(registered["registration_access_token"]))
    assert response.status_code in (401, 403)


def test_a_manual_apps_token_cannot_manage_it(client, registration_on, app, user, bearer_token):
    headers = bearer_token(user, app, scope="oauth2_provider:registration")
    response = client.get(reverse("mm_oauth:api-oauth-app-registration", args=[app.client_id]), **headers)
    assert response.status_code == 401


# Audit and throttling


def test_registration_is_audited_with_where_from(client, registration_on):
    body = register(client, {"client_name": "Agent"}, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="agent/1").json()
    event = AuditEvent.objects.get(action=AuditEvent.Action.APP_REGISTERED)
    assert (event.target_id, event.target_label, event.actor) == (body["client_id"], "Agent", None)
    assert (event.ip_address, event.user_agent) == ("203.0.113.7", "agent/1")
    assert event.changes["callback_urls"] == [LOOPBACK]
    assert event.changes["token_endpoint_auth_method"] == "client_secret_basic"
    assert "client_secret" not in event.changes
    assert body["client_secret"] not in json.dumps(event.changes)


def test_registration_is_throttled_per_address(client, registration_on, mm_oauth_settings):
    mm_oauth_settings(REGISTRATION_LIMIT=2, REGISTRATION_WINDOW_SECONDS=600)
    assert register(client, REMOTE_ADDR="198.51.100.1").status_code == 201
    assert register(client, {"redirect_uris": []}, REMOTE_ADDR="198.51.100.1").status_code == 400  # counts too
    refused = register(client, REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    assert refused["Cache-Control"] == "no-store"
    assert get_application_model().objects.count() == 1
    assert register(client, REMOTE_ADDR="198.51.100.2").status_code == 201  # another address


def test_limit_zero_turns_throttling_off(client, registration_on, mm_oauth_settings):
    mm_oauth_settings(REGISTRATION_LIMIT=0)
    assert all(register(client).status_code == 201 for _ in range(12))


# Metadata documents


def test_metadata_advertises_the_endpoint_only_while_registration_is_on(client, provider_on):
    url = "/.well-known/oauth-authorization-server"
    assert "registration_endpoint" not in client.get(url).json()
    provider_settings.update_provider_settings(enable_dynamic_client_registration=True)
    provider_settings.clear_cache()
    assert client.get(url).json()["registration_endpoint"] == f"http://testserver{REGISTER}"


def test_oidc_discovery_advertises_the_endpoint_only_while_registration_is_on(client, oidc_on):
    url = "/.well-known/openid-configuration"
    assert "registration_endpoint" not in client.get(url).json()
    provider_settings.update_provider_settings(enable_dynamic_client_registration=True)
    provider_settings.clear_cache()
    assert client.get(url).json()["registration_endpoint"] == f"http://testserver{REGISTER}"


# Registered apps on the pages, in the API and in the admin


def test_a_registered_app_is_listed_for_system_wide_managers_marked(client, registered, superuser, client_for, user):
    page = client_for(superuser).get(reverse("mm_oauth:apps-list"))
    content = page.content.decode()
    assert registered["client_id"] in content
    assert re.search(r'<span class="[^"]*mm-oauth-dcr-badge"[^>]*>Registered dynamically</span>', content)
    assert "Registered dynamically" in content
    assert "Registered itself on" in content
    assert registered["client_id"] not in client_for(user).get(reverse("mm_oauth:apps-list")).content.decode()


def test_a_manual_app_carries_no_badge(superuser, client_for, make_app, provider_on):
    make_app(creator=superuser)
    assert "mm-oauth-dcr-badge" not in client_for(superuser).get(reverse("mm_oauth:apps-list")).content.decode()


def test_the_api_marks_registered_apps(client, registered, superuser, client_for, make_app):
    make_app(creator=superuser)
    apps = client_for(superuser).get("/api/v4/oauth/apps").json()
    marks = {app["id"]: app["is_dynamically_registered"] for app in apps}
    assert marks[registered["client_id"]] is True
    assert sorted(marks.values()) == [False, True]
    assert all(app["creator_id"] == "" for app in apps if app["is_dynamically_registered"])


def test_a_system_admin_deletes_a_registered_app_through_the_api(registered, superuser, client_for):
    response = client_for(superuser).delete(f"/api/v4/oauth/apps/{registered['client_id']}")
    assert response.status_code == 200
    assert not get_application_model().objects.filter(client_id=registered["client_id"]).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.APP_DELETED)
    assert event.actor == superuser


def test_a_system_admin_deletes_a_registered_app_on_the_pages(registered, superuser, client_for):
    url = reverse("mm_oauth:apps-delete", args=[registered["client_id"]])
    response = client_for(superuser).post(url)
    assert response.status_code == 302
    assert not get_application_model().objects.filter(client_id=registered["client_id"]).exists()


def test_nobody_makes_a_registered_app_trusted(registered, superuser, client_for):
    body = {"is_trusted": True, "name": "Now trusted?"}
    response = client_for(superuser).put(
        f"/api/v4/oauth/apps/{registered['client_id']}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200
    app = get_application_model().objects.get(client_id=registered["client_id"])
    assert (app.name, app.is_trusted) == ("Now trusted?", False)


def test_update_with_another_client_id_is_refused(client, registered):
    uri, headers = registered["registration_client_uri"], bearer(registered["registration_access_token"])
    body = {"client_id": "someone-else", "redirect_uris": [LOOPBACK]}
    response = client.put(uri, json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["error_description"].startswith("client_id:")


def test_a_system_admin_deletes_a_registered_app_in_the_admin(registered, superuser, client_for):
    app = get_application_model().objects.get(client_id=registered["client_id"])
    response = client_for(superuser).post(f"/admin/mm_oauth/application/{app.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not get_application_model().objects.filter(pk=app.pk).exists()
    assert AuditEvent.objects.get(action=AuditEvent.Action.APP_DELETED).actor == superuser


def test_a_shared_copy_written_by_another_version_is_read(tmp_path, db):
    """A rolling deploy: the shared copy may lack the registration settings, or hold settings unknown here."""
    shared = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "shared": shared},
        MM_OAUTH={"SETTINGS_CACHE_ALIAS": "shared"},
    ):
        caches["shared"].set(provider_settings.CACHE_KEY, {"enable_provider": True, "a_later_setting": "x"})
        settings_cache._memo = None  # a fresh process: nothing in memory
        config = provider_settings.get_provider_settings()
        assert config.enable_provider and not config.enable_dynamic_client_registration
        provider_settings.clear_cache()
