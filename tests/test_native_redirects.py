"""Native apps (RFC 8252) and the registration allowlist: which redirect URIs a client may have.

- A public client may register a private-use URI scheme (RFC 8252 section 7.1)
  on the pages, in the API and by registering itself; a confidential client
  keeps http(s); ``javascript:``, ``data:`` and ``file:`` never pass.
- The allowlist for dynamic registration is matched per parsed URL part
  (scheme, host with an optional leading ``*.``, port, path prefix), never as
  a string prefix; loopback by IP literal is always allowed, on any port.
"""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mm_oauth import validators
from mm_oauth.models import Application
from mm_oauth.services import provider_settings
from tests.oauth_helpers import authorize, pkce_pair
from tests.test_web_apps import ADD_URL, GOOD

# Allowlist matching: (pattern, redirect URI, allowed?)
MATCHES = [
    ("https://app.example.com/cb", "https://app.example.com/cb", True),
    ("https://app.example.com/cb", "https://app.example.com/cb/step", True),
    ("https://app.example.com/cb", "https://app.example.com/cbx", False),  # a path prefix is whole segments
    ("https://app.example.com/cb/", "https://app.example.com/cb/x", True),
    ("https://app.example.com/cb", "https://app.example.com/", False),
    ("https://app.example.com", "https://app.example.com/anything", True),
    ("https://app.example.com/", "https://app.example.com.evil.test/", False),  # no raw string prefix
    ("https://app.example.com/", "https://evil.test/https://app.example.com/", False),
    ("https://app.example.com/", "https://app.example.com@evil.test/", False),  # userinfo trick
    ("https://app.example.com/", "https://evil.test@app.example.com/", False),  # credentials never pass
    ("https://app.example.com/", "https://app.example.com:8443/", False),  # port mismatch
    ("https://app.example.com:8443/", "https://app.example.com:8443/cb", True),
    ("https://app.example.com:8443/", "https://app.example.com/cb", False),
    ("https://app.example.com/", "https://app.example.com:443/cb", True),  # the default port, written out
    ("https://app.example.com/", "http://app.example.com/", False),  # scheme mismatch
    ("https://APP.example.com/", "https://app.EXAMPLE.com/", True),  # host names ignore case
    ("https://*.example.com/", "https://a.example.com/cb", True),
    ("https://*.example.com/", "https://a.b.example.com/cb", True),
    ("https://*.example.com/", "https://example.com/cb", False),  # a wildcard means a subdomain
    ("https://*.example.com/", "https://evilexample.com/cb", False),
    ("https://*.example.com/", "https://a.example.com.evil.test/cb", False),
    ("com.example.app:/", "com.example.app:/cb", True),
    ("com.example.app:/oauth", "com.example.app:/oauthx", False),
    ("com.example.app:/", "com.example.other:/cb", False),
    ("com.example.app:/", "com.example.app://evil.test/cb", False),
]


@pytest.mark.parametrize(("pattern", "uri", "allowed"), MATCHES)
def test_allowlist_is_matched_per_url_part(pattern, uri, allowed):
    assert validators.registration_redirect_allowed(uri, pattern) is allowed


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("http://127.0.0.1/cb", True),
        ("http://127.0.0.1:53682/cb", True),
        ("http://[::1]:8080/", True),
        ("https://127.0.0.1/cb", False),
        ("http://localhost:8080/cb", False),  # RFC 8252 section 8.3: not recommended
        ("http://127.0.0.1.evil.test/cb", False),
        ("http://evil@127.0.0.1/cb", False),
        ("http://127.0.0.2/cb", False),
        ("com.example.app:/cb", False),  # private-use schemes need the allowlist
    ],
)
def test_an_empty_allowlist_allows_only_loopback(uri, allowed):
    assert validators.registration_redirect_allowed(uri, "") is allowed


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("app.example.com/cb", 1, "needs a scheme"),
        ("https://ok.example.com/\njavascript:alert(1)", 2, "needs a scheme"),
        ("https://ok.example.com/\n\nhttps://", 3, "needs a host"),
        ("https://a.*.example.com/", 1, "needs a host"),
        ("https://*.com/", 1, "needs a host"),
        ("https://app.example.com:99999/", 1, "the port must be a number"),
        ("https://app.example.com/cb?x=1", 1, "no query"),
        ("https://app.example.com/cb#x", 1, "no query (?), fragment (#)"),
        ("https://user@app.example.com/", 1, "no user name or password"),
        ("myapp:/cb", 1, "reverse domain name"),
        ("com.example.app://host/", 1, "reverse domain name"),
    ],
)
def test_an_invalid_pattern_is_refused_naming_its_line(text, line, problem):
    with pytest.raises(ValidationError) as raised:
        validators.validate_redirect_uri_allowlist(text)
    prefix = f"Redirect URI allowlist, line {line} ("
    assert any(message.startswith(prefix) and problem in message for message in raised.value.messages)


def test_valid_patterns_and_blank_lines_pass():
    validators.validate_redirect_uri_allowlist(
        "https://app.example.com/cb\n\n  https://*.example.org:8443/\ncom.x.y:/\n"
    )


# Callback URLs of native apps


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "javascript: scheme, which is never allowed"),
        ("data:text/html,x", "data: scheme, which is never allowed"),
        ("file:/etc/passwd", "file: scheme, which is never allowed"),
        ("myapp:/cb", "reverse domain name"),
        ("com.example.app://callback", "reverse domain name"),
        ("com.example.app:callback", "reverse domain name"),
        ("com.example.app:/cb#frag", "reverse domain name"),
    ],
)
def test_bad_private_use_callbacks_are_refused_for_public_clients(url, message):
    with pytest.raises(ValidationError) as raised:
        validators.validate_callback_urls([url], public=True)
    assert any(message in text for text in raised.value.messages), raised.value.messages


def test_private_use_callbacks_only_for_public_clients():
    validators.validate_callback_urls(["com.example.app:/oauth2redirect", "https://a.example.com/cb"], public=True)
    with pytest.raises(ValidationError, match="must be a valid URL and start with http"):
        validators.validate_callback_urls(["com.example.app:/oauth2redirect"])


def test_the_add_page_accepts_a_native_app_and_refuses_it_for_a_confidential_client(superuser, client_for, provider_on):
    client = client_for(superuser)
    native = {**GOOD, "callback_urls": "com.example.app:/oauth2redirect\nhttp://127.0.0.1/cb"}
    refused = client.post(ADD_URL, native)
    assert refused.status_code == 200
    assert "must be a valid URL and start with http" in str(refused.context["form"].errors["callback_urls"])
    assert client.post(ADD_URL, {**native, "client_type": "public"}).status_code == 302
    app = Application.objects.get()
    assert app.callback_urls == ["com.example.app:/oauth2redirect", "http://127.0.0.1/cb"]


def test_the_api_accepts_a_native_app_only_as_a_public_client(superuser, client_for, provider_on):
    client = client_for(superuser)
    body = {
        "name": "Phone",
        "description": "A native app",
        "homepage": "https://phone.example.com/",
        "callback_urls": ["com.example.phone:/cb"],
    }
    refused = client.post("/api/v4/oauth/apps", json.dumps(body), content_type="application/json")
    assert refused.status_code == 400 and "callback_urls" in refused.json()["errors"]
    created = client.post(
        "/api/v4/oauth/apps", json.dumps({**body, "client_type": "public"}), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["callback_urls"] == ["com.example.phone:/cb"]


def test_a_native_app_receives_its_code_at_its_private_use_scheme(signed_in_client, make_app, provider_on):
    app = make_app(client_type="public", callback_urls=["com.example.app:/oauth2redirect"])
    _verifier, challenge = pkce_pair()
    response = signed_in_client.get(
        "/oauth/authorize",
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": "com.example.app:/oauth2redirect",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "s",
        },
    )
    form = response.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = signed_in_client.post("/oauth/authorize", {**data, "allow": "Authorize"})
    assert response.status_code == 302
    assert response["Location"].startswith("com.example.app:/oauth2redirect?")
    assert "code=" in response["Location"]


def test_a_public_clients_loopback_callback_takes_any_port(signed_in_client, make_app, provider_on):
    app = make_app(client_type="public", callback_urls=["http://127.0.0.1/cb"])
    _verifier, challenge = pkce_pair()
    query = authorize(signed_in_client, app, redirect_uri="http://127.0.0.1:51234/cb", challenge=challenge)
    assert "code" in query


# The settings that hold the allowlist


def test_the_settings_api_refuses_a_bad_pattern_naming_field_and_line(superuser, client_for, db):
    client = client_for(superuser)
    body = {"registration_redirect_uri_allowlist": "https://ok.example.com/\nhttps://bad.example.com/?q"}
    response = client.put("/api/v4/oauth/settings", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["registration_redirect_uri_allowlist"][0].startswith(
        "Redirect URI allowlist, line 2 ("
    )
    assert provider_settings.get_settings_row().registration_redirect_uri_allowlist == ""


def test_the_settings_api_changes_registration_and_audits_it(superuser, client_for, db):
    client = client_for(superuser)
    body = {"enable_dynamic_client_registration": True, "registration_redirect_uri_allowlist": "https://*.example.com/"}
    response = client.put("/api/v4/oauth/settings", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["enable_dynamic_client_registration"] is True
    config = provider_settings.get_provider_settings()
    assert config.enable_dynamic_client_registration
    assert config.registration_redirect_uri_allowlist == "https://*.example.com/"
    from mm_oauth.models import AuditEvent

    event = AuditEvent.objects.get(action=AuditEvent.Action.SETTINGS_CHANGED)
    assert event.changes["enable_dynamic_client_registration"] == [False, True]
    refused = client.put(
        "/api/v4/oauth/settings",
        json.dumps({"registration_redirect_uri_allowlist": 5}),
        content_type="application/json",
    )
    assert refused.status_code == 400


def test_the_admin_refuses_a_bad_pattern_next_to_the_field(superuser, client_for, db):
    client = client_for(superuser)
    row = provider_settings.get_settings_row()
    url = reverse("admin:mm_oauth_providersettings_change", args=[row.pk])
    data = {"restrict_to_admins": "on", "registration_redirect_uri_allowlist": "ftp:/x"}
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["registration_redirect_uri_allowlist"]
    assert errors[0].startswith("Redirect URI allowlist, line 1 (ftp:/x)")
    data.update(enable_dynamic_client_registration="on", registration_redirect_uri_allowlist="com.example.app:/")
    assert client.post(url, data).status_code == 302
    config = provider_settings.get_provider_settings()
    assert config.enable_dynamic_client_registration
    assert config.registration_redirect_uri_allowlist == "com.example.app:/"
