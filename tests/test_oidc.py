"""OpenID Connect, switched on with mm_oauth.defaults.oidc_settings (mm_oauth.oauth.oidc)."""

import json
import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException
from oauth2_provider.models import get_id_token_model

from mm_oauth import scopes
from mm_oauth.defaults import oidc_settings
from mm_oauth.oauth.sessions import SESSION_KEY
from mm_oauth.services.provider_settings import update_provider_settings
from tests.conftest import PASSWORD, forget_oauthlib_cores
from tests.oauth_helpers import authorize, exchange_code, obtain_tokens, query_of

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
    assert info.json() == {"sub": claims["sub"], "email": "alice@example.com", "email_verified": False}


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


# --- auth_time, max_age and prompt=login (OpenID Connect Core 1.0 section 3.1.2.1) --------------


def set_login_time(client, seconds_ago):
    """Pretend the client's session signed in ``seconds_ago`` seconds ago."""
    session = client.session
    session[SESSION_KEY] = int(time.time()) - seconds_ago
    session.save()
    return session[SESSION_KEY]


def test_auth_time_is_when_this_session_signed_in_not_last_login(signed_in_client, trusted_app, user, oidc_on):
    signed_in = set_login_time(signed_in_client, 600)
    # Another device signs in later: last_login moves, this session's sign-in does not.
    get_user_model().objects.filter(pk=user.pk).update(last_login=timezone.now())
    body = sign_in_with_openid(signed_in_client, trusted_app)
    claims = verified_claims(body["id_token"], Client().get("/.well-known/jwks.json").content.decode())
    assert claims["auth_time"] == signed_in


def test_signing_in_records_the_time_in_the_session(client, user, trusted_app, oidc_on):
    before = int(time.time())
    assert client.post(resolve_url(settings.LOGIN_URL), {"username": "alice", "password": PASSWORD}).status_code == 302
    assert before <= client.session[SESSION_KEY] <= int(time.time())


def test_max_age_older_than_the_sign_in_asks_to_sign_in_again(signed_in_client, trusted_app, oidc_on):
    set_login_time(signed_in_client, 600)
    response = signed_in_client.get("/oauth/authorize", authorize_params(trusted_app, max_age="60"))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == resolve_url(settings.LOGIN_URL)
    back = parse_qs(location.query)["next"][0]
    assert back.startswith("/oauth/authorize?") and "max_age" not in back and "nonce=n-1" in back

    # Signing in again satisfies it: the same request now issues a code, with the new auth_time.
    signed_in_client.force_login(get_user_model().objects.get(username="alice"))
    query = query_of(signed_in_client.get(back)["Location"])
    assert "code" in query
    claims = verified_claims(
        exchange_code(trusted_app, query["code"]).json()["id_token"],
        Client().get("/.well-known/jwks.json").content.decode(),
    )
    assert time.time() - claims["auth_time"] < 60


def test_max_age_zero_asks_once_then_issues_a_code(client, user, trusted_app, oidc_on):
    login_url = resolve_url(settings.LOGIN_URL)
    client.post(login_url, {"username": "alice", "password": PASSWORD})
    set_login_time(client, 5)
    first = client.get("/oauth/authorize", authorize_params(trusted_app, max_age="0"))
    back = parse_qs(urlsplit(first["Location"]).query)["next"][0]
    signed_in = client.post(f"{login_url}?next={quote(back)}", {"username": "alice", "password": PASSWORD})
    assert signed_in["Location"] == back
    assert "code" in query_of(client.get(back)["Location"])  # no second round


def test_max_age_within_the_sign_in_issues_a_code(signed_in_client, trusted_app, oidc_on):
    set_login_time(signed_in_client, 30)
    response = signed_in_client.get("/oauth/authorize", authorize_params(trusted_app, max_age="3600"))
    assert "code" in query_of(response["Location"])


def test_max_age_with_prompt_none_answers_login_required(signed_in_client, trusted_app, oidc_on):
    set_login_time(signed_in_client, 600)
    response = silent(signed_in_client, trusted_app, max_age="60")
    assert response.status_code == 302 and response["Location"].startswith(trusted_app.callback_urls[0])
    query = query_of(response["Location"])
    assert query["error"] == "login_required" and query["state"] == "st-1"


def test_max_age_with_a_sign_in_of_unknown_time_asks_to_sign_in(signed_in_client, trusted_app, oidc_on):
    session = signed_in_client.session
    del session[SESSION_KEY]  # signed in before mm_oauth recorded the time
    session.save()
    response = signed_in_client.get("/oauth/authorize", authorize_params(trusted_app, max_age="3600"))
    assert urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


def test_prompt_login_sends_a_signed_in_user_to_the_login_page(signed_in_client, trusted_app, oidc_on):
    response = signed_in_client.get("/oauth/authorize", authorize_params(trusted_app, prompt="login"))
    location = urlsplit(response["Location"])
    assert response.status_code == 302 and location.path == resolve_url(settings.LOGIN_URL)
    assert "prompt" not in parse_qs(parse_qs(location.query)["next"][0])  # no second trip after signing in


def authorize_params(app, **extra):
    return {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.callback_urls[0],
        "scope": "openid",
        "state": "st-1",
        "nonce": "n-1",
        **extra,
    }


def test_prompt_none_for_a_deactivated_account_answers_login_required(signed_in_client, trusted_app, user, oidc_on):
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    response = silent(signed_in_client, trusted_app)
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "login_required"


def test_prompt_none_with_a_bad_scope_redirects_the_error_never_a_page(signed_in_client, trusted_app, oidc_on):
    response = silent(signed_in_client, trusted_app, scope="openid nonsense")
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_scope"


# --- Discovery accuracy, claims by scope ------------------------------------------------


def test_discovery_lists_what_ids_tokens_and_userinfo_carry(oidc_on):
    discovery = Client().get("/.well-known/openid-configuration").json()
    assert discovery["subject_types_supported"] == ["public"]  # sub is the user's id for every client
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"auth_time", "nonce", "at_hash", "email_verified", "nickname", "locale", "zoneinfo"} <= set(
        discovery["claims_supported"]
    )
    assert discovery["end_session_endpoint"] == "http://testserver/oauth/logout"
    assert discovery["claims_parameter_supported"] is False


def test_every_claim_listed_in_discovery_is_given_by_some_scope(signed_in_client, trusted_app, oidc_on):
    body = sign_in_with_openid(signed_in_client, trusted_app)
    claims = verified_claims(body["id_token"], Client().get("/.well-known/jwks.json").content.decode())
    discovery = Client().get("/.well-known/openid-configuration").json()
    assert set(claims) - {"iat"} <= set(discovery["claims_supported"]) | {"iat"}
    assert set(discovery["claims_supported"]) - set(claims) == set()


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("openid", {"sub"}),
        (
            "openid profile",
            {"sub", "preferred_username", "name", "given_name", "family_name", "nickname", "locale", "zoneinfo"},
        ),
        ("openid email", {"sub", "email", "email_verified"}),
    ],
)
def test_userinfo_claims_follow_the_granted_scopes(signed_in_client, trusted_app, oidc_on, scope, expected):
    body = sign_in_with_openid(signed_in_client, trusted_app, scope=scope)
    info = Client().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert set(info.json()) == expected


def test_email_verified_comes_from_the_user_fields_hook(signed_in_client, trusted_app, oidc_on, mm_oauth_settings):
    mm_oauth_settings(USER_FIELDS="tests.test_user_object.profile_fields")
    body = sign_in_with_openid(signed_in_client, trusted_app, scope="openid email")
    info = Client().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").json()
    assert info["email_verified"] is True
    claims = verified_claims(body["id_token"], Client().get("/.well-known/jwks.json").content.decode())
    assert claims["email_verified"] is True


# --- Key rotation (OIDC_RSA_PRIVATE_KEYS_INACTIVE) -----------------------------------------


def new_rsa_key():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_a_rotated_key_keeps_old_id_tokens_verifiable(signed_in_client, trusted_app, oidc_on, settings):
    old_key = oidc_on
    old_token = sign_in_with_openid(signed_in_client, trusted_app)["id_token"]
    old_kid = jwt.JWT(jwt=old_token).token.jose_header["kid"]

    new_key = new_rsa_key()
    forget_oauthlib_cores()
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, **oidc_settings(new_key, inactive_keys=[old_key])}
    jwks = Client().get("/.well-known/jwks.json")
    assert len(jwks.json()["keys"]) == 2
    assert verified_claims(old_token, jwks.content.decode())["aud"] == trusted_app.client_id

    new_token = sign_in_with_openid(signed_in_client, trusted_app)["id_token"]
    new_kid = jwt.JWT(jwt=new_token).token.jose_header["kid"]
    assert new_kid != old_kid and new_kid == jwk.JWK.from_pem(new_key.encode()).thumbprint()
    verified_claims(new_token, jwks.content.decode())

    # Once the old key is dropped from the inactive list, its tokens no longer verify.
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, **oidc_settings(new_key)}
    only_new = Client().get("/.well-known/jwks.json").content.decode()
    with pytest.raises(JWException):
        jwt.JWT(jwt=old_token, key=jwk.JWKSet.from_json(only_new), algs=["RS256"])


# --- RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) ----------------------------


def logout(client, **params):
    return client.get("/oauth/logout", params)


def test_logout_asks_then_ends_the_session_and_returns_to_the_app(signed_in_client, trusted_app, oidc_on):
    id_token = sign_in_with_openid(signed_in_client, trusted_app)["id_token"]
    params = {"id_token_hint": id_token, "post_logout_redirect_uri": trusted_app.callback_urls[0], "state": "s-9"}
    page = logout(signed_in_client, **params)
    assert page.status_code == 200 and trusted_app.name in page.content.decode()
    assert page["X-Frame-Options"] == "DENY" and "no-store" in page["Cache-Control"]

    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    done = signed_in_client.post("/oauth/logout", {**data, "allow": "1"})
    assert done.status_code == 302
    assert done["Location"] == f"{trusted_app.callback_urls[0]}?state=s-9"
    assert "_auth_user_id" not in signed_in_client.session


def test_logout_leaves_the_users_tokens_at_apps_alone(signed_in_client, trusted_app, make_app, oidc_on):
    other = make_app(name="Other", is_trusted=True)
    access = obtain_tokens(signed_in_client, other)["access_token"]
    id_token = sign_in_with_openid(signed_in_client, trusted_app)["id_token"]
    page = logout(signed_in_client, id_token_hint=id_token)
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    signed_in_client.post("/oauth/logout", {**data, "allow": "1"})
    assert Client().get("/api/v4/users/me", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 200


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/cb", "https://app.example.com/callback/../evil", "https://app.example.com/callback?x=1"],
)
def test_logout_never_redirects_to_an_unregistered_uri(signed_in_client, trusted_app, oidc_on, target):
    id_token = sign_in_with_openid(signed_in_client, trusted_app)["id_token"]
    for client in (signed_in_client, Client()):
        response = logout(client, id_token_hint=id_token, post_logout_redirect_uri=target)
        assert response.status_code == 400 and "Location" not in response
    assert "_auth_user_id" in signed_in_client.session  # nothing happened


def test_logout_refuses_another_apps_callback(signed_in_client, trusted_app, make_app, oidc_on):
    other = make_app(name="Other", callback_urls=["https://other.example.com/cb"])
    response = logout(
        signed_in_client, client_id=trusted_app.client_id, post_logout_redirect_uri=other.callback_urls[0]
    )
    assert response.status_code == 400 and "Location" not in response


def test_logout_with_an_unknown_client_or_a_redirect_without_client_is_an_error_page(signed_in_client, oidc_on):
    response = logout(signed_in_client, client_id="nobody", post_logout_redirect_uri="https://app.example.com/callback")
    assert response.status_code == 400
    response = logout(signed_in_client, post_logout_redirect_uri="https://app.example.com/callback")
    assert response.status_code == 400 and "Location" not in response


def test_logout_signed_out_returns_at_once(trusted_app, oidc_on):
    response = logout(Client(), client_id=trusted_app.client_id, post_logout_redirect_uri=trusted_app.callback_urls[0])
    assert response.status_code == 302 and response["Location"] == trusted_app.callback_urls[0]


def test_logout_is_404_while_oidc_is_off(provider_on, signed_in_client):
    assert logout(signed_in_client).status_code == 404


def test_the_logout_page_speaks_the_users_language(signed_in_client, trusted_app, oidc_on):
    page = signed_in_client.get("/oauth/logout", {"client_id": trusted_app.client_id}, HTTP_ACCEPT_LANGUAGE="de")
    text = page.content.decode()
    assert f"{trusted_app.name} bittet Sie, sich abzumelden" in text and "Angemeldet bleiben" in text
