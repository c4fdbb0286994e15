"""OpenID Connect, switched on with mm_oauth.defaults.oidc_settings (mm_oauth.oauth.oidc)."""

import json

import pytest
from django.test import Client
from jwcrypto import jwk, jwt
from oauth2_provider.models import get_id_token_model

from mm_oauth import scopes
from mm_oauth.services.provider_settings import update_provider_settings
from tests.oauth_helpers import authorize, exchange_code, query_of

pytestmark = pytest.mark.django_db
OIDC_PATHS = ["/.well-known/openid-configuration", "/.well-known/jwks.json", "/oauth/userinfo"]


def sign_in_with_openid(client, app, scope="openid profile email", nonce="n-0S6_WzA2Mj"):
    """Run the code flow asking for ``scope``; return the token response's JSON."""
    query = authorize(client, app, scope=scope, extra={"nonce": nonce})
    assert "code" in query, query
    response = exchange_code(app, query["code"])
    assert response.status_code == 200, response.content
    return response.json()


def verified_claims(id_token, jwks_json):
    """Verify the ID token's signature with the published keys; return its claims."""
    keys = jwk.JWKSet.from_json(jwks_json)
    token = jwt.JWT(jwt=id_token, key=keys, algs=["RS256"])
    header = json.loads(token.header)
    assert header["alg"] == "RS256" and header["kid"] in {key.thumbprint() for key in keys}
    return json.loads(token.claims)


# --- Off by default ------------------------------------------------------------------


@pytest.mark.parametrize("path", OIDC_PATHS)
def test_off_by_default_the_paths_are_404_even_under_debug(path, provider_on, settings):
    settings.DEBUG = True  # DOT's own views raise ImproperlyConfigured here
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json()["error_description"] == "OpenID Connect is not enabled on this site."


def test_off_by_default_openid_is_not_a_scope(signed_in_client, trusted_app, provider_on):
    query = authorize(signed_in_client, trusted_app, scope="openid")
    assert query["error"] == "invalid_scope"


@pytest.mark.parametrize("path", OIDC_PATHS)
def test_the_provider_switch_covers_them(path, oidc_on):
    update_provider_settings(enable_provider=False)
    assert Client().get(path).status_code == 501


# --- Discovery and keys ---------------------------------------------------------------


def test_discovery_agrees_with_the_oauth_metadata_and_the_keys(oidc_on):
    discovery = Client().get("/.well-known/openid-configuration").json()
    metadata = Client().get("/.well-known/oauth-authorization-server").json()

    assert discovery["issuer"] == metadata["issuer"] == "http://testserver"
    for key in ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "introspection_endpoint"):
        assert discovery[key] == metadata[key]
    assert discovery["userinfo_endpoint"] == "http://testserver/oauth/userinfo"
    assert discovery["jwks_uri"] == "http://testserver/.well-known/jwks.json"
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]  # secrets are hashed: no HS256
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert {"openid", "profile", "email", "read", "write"} <= set(discovery["scopes_supported"])
    assert {"sub", "email", "preferred_username", "name", "given_name", "family_name"} <= set(
        discovery["claims_supported"]
    )

    keys = Client().get("/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    assert "d" not in keys[0] and "p" not in keys[0]  # the public half only
    assert keys[0]["kid"] == jwk.JWK.from_pem(oidc_on.encode()).thumbprint()


# --- ID tokens and userinfo ---------------------------------------------------------


def test_the_code_flow_returns_an_id_token_signed_with_the_site_key(signed_in_client, trusted_app, user, oidc_on):
    body = sign_in_with_openid(signed_in_client, trusted_app)
    jwks = Client().get("/.well-known/jwks.json").content.decode()
    claims = verified_claims(body["id_token"], jwks)

    assert claims["iss"] == "http://testserver"
    assert claims["aud"] == trusted_app.client_id
    assert claims["sub"] == str(user.pk)
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["at_hash"] and claims["exp"] > claims["iat"]
    assert claims["email"] == "alice@example.com"
    assert claims["preferred_username"] == "alice"
    assert (claims["given_name"], claims["family_name"], claims["name"]) == ("Alice", "Liddell", "Alice Liddell")
    assert get_id_token_model().objects.filter(user=user, application=trusted_app).count() == 1


def test_the_scopes_decide_the_claims(signed_in_client, trusted_app, oidc_on):
    body = sign_in_with_openid(signed_in_client, trusted_app, scope="openid email")
    claims = verified_claims(body["id_token"], Client().get("/.well-known/jwks.json").content.decode())
    assert "email" in claims and "preferred_username" not in claims and "name" not in claims

    info = Client().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert info.status_code == 200
    assert info.json() == {"sub": claims["sub"], "email": "alice@example.com"}


def test_userinfo_needs_a_valid_token_with_the_openid_scope(signed_in_client, trusted_app, oidc_on):
    assert Client().get("/oauth/userinfo").status_code == 401
    assert Client().get("/oauth/userinfo", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    plain = exchange_code(trusted_app, authorize(signed_in_client, trusted_app, scope="read")["code"]).json()
    assert "id_token" not in plain  # no openid scope: plain OAuth 2.0, as before
    refused = Client().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {plain['access_token']}")
    assert refused.status_code == 401 and "invalid_token" in refused["WWW-Authenticate"]  # oauthlib's answer


def test_a_mattermost_style_request_is_unchanged_when_oidc_is_on(signed_in_client, trusted_app, oidc_on):
    body = exchange_code(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
    assert "id_token" not in body and body["scope"] == "read write"


def test_the_issuer_follows_oidc_iss_endpoint(signed_in_client, trusted_app, oidc_on, settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "https://login.example.com"}
    discovery = Client().get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "https://login.example.com"
    assert discovery["userinfo_endpoint"] == "https://login.example.com/oauth/userinfo"
    body = sign_in_with_openid(signed_in_client, trusted_app)
    claims = verified_claims(body["id_token"], Client().get("/.well-known/jwks.json").content.decode())
    assert claims["iss"] == "https://login.example.com"


def test_the_consent_page_describes_the_openid_scopes(signed_in_client, make_app, oidc_on):
    app = make_app(name="Asks first")
    response = signed_in_client.get(
        "/oauth/authorize",
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": app.callback_urls[0],
            "scope": "openid profile email",
        },
    )
    page = response.content.decode()
    for scope in scopes.describe(["openid", "profile", "email"]):
        assert str(scope.description) in page


def test_deauthorize_removes_the_id_tokens_too(signed_in_client, trusted_app, user, oidc_on):
    from mm_oauth.services.authorizations import deauthorize

    sign_in_with_openid(signed_in_client, trusted_app)
    assert get_id_token_model().objects.filter(user=user).exists()
    deauthorize(user, trusted_app)
    assert not get_id_token_model().objects.filter(user=user).exists()


# --- Only access tokens authenticate (an ID token is not a bearer token) ---------------


@pytest.fixture
def id_token(signed_in_client, trusted_app, oidc_on):
    return sign_in_with_openid(signed_in_client, trusted_app)["id_token"]


def bearer(token, separator=" "):
    return {"HTTP_AUTHORIZATION": f"Bearer{separator}{token}"}


@pytest.mark.parametrize("separator", [" ", "\t"])
def test_an_id_token_is_never_a_bearer_token(id_token, separator):
    api = Client()
    assert api.get("/api/v4/users/me", **bearer(id_token, separator)).status_code == 401
    assert api.get("/api/v4/oauth/apps", **bearer(id_token, separator)).status_code == 401
    assert api.put("/api/v4/oauth/settings", {}, content_type="application/json", **bearer(id_token)).status_code == 401
    assert api.get("/oauth/userinfo", **bearer(id_token, separator)).status_code == 401


def test_an_id_token_of_a_superuser_cannot_switch_the_provider(client, superuser, trusted_app, oidc_on):
    client.force_login(superuser)
    id_token = sign_in_with_openid(client, trusted_app)["id_token"]
    response = Client().put(
        "/api/v4/oauth/settings", {"enable_provider": False}, content_type="application/json", **bearer(id_token)
    )
    assert response.status_code == 401
    from mm_oauth.services.provider_settings import clear_cache, provider_enabled

    clear_cache()
    assert provider_enabled()


@pytest.mark.parametrize("garbage", ["eyJhbGciOi", "ey.not.ajwt", "eyJ" + "A" * 40 + ".e30.x"])
def test_a_malformed_jwt_bearer_is_a_401_not_a_500(garbage, oidc_on):
    response = Client().get("/api/v4/users/me", **bearer(garbage))
    assert response.status_code == 401


def test_a_bearer_with_a_tab_is_refused_with_the_reason_while_the_provider_is_off(
    signed_in_client, trusted_app, oidc_on
):
    access_token = sign_in_with_openid(signed_in_client, trusted_app)["access_token"]
    update_provider_settings(enable_provider=False)
    from mm_oauth.services.provider_settings import clear_cache

    clear_cache()
    response = Client().get("/api/v4/users/me", **bearer(access_token, "\t"))
    assert response.status_code == 401
    assert "turned off" in response.json()["message"]


# --- prompt=none (OpenID Connect Core 1.0 section 3.1.2.6) -------------------------------


def silent(client, app, **extra):
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.callback_urls[0],
        "scope": "openid",
        "state": "st-1",
        "prompt": "none",
        **extra,
    }
    return client.get("/oauth/authorize", params)


def test_prompt_none_signed_out_answers_login_required(trusted_app, oidc_on):
    response = silent(Client(), trusted_app)
    assert response.status_code == 302
    assert response["Location"].startswith(trusted_app.callback_urls[0])
    assert query_of(response["Location"])["error"] == "login_required"


def test_prompt_none_without_consent_answers_consent_required(signed_in_client, make_app, oidc_on):
    untrusted = make_app(name="Untrusted")
    response = silent(signed_in_client, untrusted)
    assert response.status_code == 302
    query = query_of(response["Location"])
    assert query["error"] == "consent_required"
    assert query["state"] == "st-1"
    assert "iss" in query


def test_prompt_none_with_remembered_consent_issues_a_code(signed_in_client, make_app, oidc_on):
    untrusted = make_app(name="Untrusted")
    authorize(signed_in_client, untrusted, scope="openid")
    response = silent(signed_in_client, untrusted)
    assert response.status_code == 302
    assert "code" in query_of(response["Location"])


def test_prompt_none_for_a_trusted_app_issues_a_code(signed_in_client, trusted_app, oidc_on):
    response = silent(signed_in_client, trusted_app)
    assert response.status_code == 302
    assert "code" in query_of(response["Location"])


def test_prompt_none_with_an_unregistered_redirect_uri_never_redirects(signed_in_client, trusted_app, oidc_on):
    response = silent(signed_in_client, trusted_app, redirect_uri="https://evil.example/cb")
    assert response.status_code in (400, 200)
    assert "Location" not in response
