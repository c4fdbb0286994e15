"""The RFC 8414 and OpenID Connect discovery documents say exactly what this site does, and every endpoint answers."""

import pytest
from django.test import Client

pytestmark = pytest.mark.usefixtures("provider_on")

SITE = "http://testserver"

OAUTH_KEYS = {
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "response_types_supported",
    "grant_types_supported",
    "scopes_supported",
    "code_challenge_methods_supported",
    "token_endpoint_auth_methods_supported",
    "revocation_endpoint_auth_methods_supported",
    "introspection_endpoint_auth_methods_supported",
    "authorization_response_iss_parameter_supported",
    "protected_resources",
}
OIDC_KEYS = {
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "revocation_endpoint",
    "introspection_endpoint",
    "scopes_supported",
    "response_types_supported",
    "grant_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "token_endpoint_auth_methods_supported",
    "revocation_endpoint_auth_methods_supported",
    "introspection_endpoint_auth_methods_supported",
    "code_challenge_methods_supported",
    "claims_supported",
    "prompt_values_supported",
    "authorization_response_iss_parameter_supported",
    "claims_parameter_supported",
    "end_session_endpoint",
}
# What a request without credentials gets from each endpoint: anything but 404/405/500 proves it is there.
PROBES = {
    "authorization_endpoint": ("get", 302),  # to the sign-in page first
    "token_endpoint": ("post", 400),  # no grant_type: invalid_request
    "revocation_endpoint": ("post", 400),  # no token: invalid_request
    "introspection_endpoint": ("post", 401),
    "userinfo_endpoint": ("get", 401),
    "jwks_uri": ("get", 200),
    "end_session_endpoint": ("get", 302),  # nobody is signed in: back to the site
}


def test_the_oauth_metadata_holds_exactly_what_is_implemented():
    data = Client().get("/.well-known/oauth-authorization-server").json()
    assert set(data) == OAUTH_KEYS
    assert data["issuer"] == SITE
    assert data["response_types_supported"] == ["code"]  # no implicit (RFC 9700 section 2.1.2)
    assert data["grant_types_supported"] == ["authorization_code", "refresh_token"]  # no password, no device flow
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["token_endpoint_auth_methods_supported"] == ["client_secret_post", "client_secret_basic", "none"]
    assert data["revocation_endpoint_auth_methods_supported"] == data["token_endpoint_auth_methods_supported"]
    assert data["introspection_endpoint_auth_methods_supported"] == ["client_secret_post", "client_secret_basic"]
    assert data["authorization_response_iss_parameter_supported"] is True
    assert data["scopes_supported"] == ["read", "write"]
    assert data["protected_resources"] == [f"{SITE}/api/v4/"]


def test_the_oidc_discovery_agrees_with_the_oauth_metadata(oidc_on):
    discovery = Client().get("/.well-known/openid-configuration").json()
    metadata = Client().get("/.well-known/oauth-authorization-server").json()
    assert set(discovery) == OIDC_KEYS
    assert set(metadata) == OAUTH_KEYS | {"jwks_uri"}
    shared = (OIDC_KEYS & OAUTH_KEYS) - {"scopes_supported"}
    assert {key: discovery[key] for key in shared} == {key: metadata[key] for key in shared}
    assert sorted(discovery["scopes_supported"]) == metadata["scopes_supported"]
    assert discovery["jwks_uri"] == metadata["jwks_uri"]


@pytest.mark.parametrize("document", ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"])
def test_every_advertised_endpoint_answers(oidc_on, document):
    data = Client().get(document).json()
    endpoints = {key: url for key, url in data.items() if key.endswith(("_endpoint", "_uri"))}
    assert endpoints, data
    for key, url in endpoints.items():
        assert url.startswith(SITE + "/"), (key, url)
        method, status = PROBES[key]
        response = getattr(Client(), method)(url.removeprefix(SITE))
        assert response.status_code == status, (key, url, response.status_code)


def test_the_metadata_follows_the_gates_it_depends_on(settings):
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": False,
        "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "password", "implicit", "refresh_token"],
    }
    data = Client().get("/.well-known/oauth-authorization-server").json()
    assert "authorization_response_iss_parameter_supported" not in data
    assert data["grant_types_supported"] == ["authorization_code", "refresh_token"]  # refused by RFC 9700 gates


def test_without_resources_none_is_advertised(mm_oauth_settings):
    mm_oauth_settings(RESOURCES=[])
    data = Client().get("/.well-known/oauth-authorization-server").json()
    assert "protected_resources" not in data
    assert Client().get("/.well-known/oauth-protected-resource").status_code == 404
