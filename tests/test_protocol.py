"""The OAuth 2.0 endpoints through Django's test client: codes, PKCE, refresh, errors."""

import base64
import hashlib
import logging

import pytest
from django.test import Client
from django.views.debug import ExceptionReporter
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model

from mm_oauth.models import AuditEvent
from mm_oauth.oauth.issuer import with_issuer
from tests.oauth_helpers import authorize, pkce_pair, query_of

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
Grant = get_grant_model()

pytestmark = pytest.mark.usefixtures("provider_on")


def exchange(app, code, *, verifier=None, secret=None, redirect_uri=None, client_id=None, basic=False, extra=None):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri or app.callback_urls[0],
        **(extra or {}),
    }
    if verifier:
        data["code_verifier"] = verifier
    client_id = client_id or app.client_id
    secret = app.plain_secret if secret is None else secret
    headers = {}
    if basic:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    else:
        data["client_id"] = client_id
        if secret:
            data["client_secret"] = secret
    # Clients have no CSRF token: the endpoint must not ask for one.
    return Client(enforce_csrf_checks=True).post("/oauth/access_token", data, **headers)


def refresh(app, refresh_token):
    return Client(enforce_csrf_checks=True).post(
        "/oauth/access_token",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": app.client_id,
            "client_secret": app.plain_secret,
        },
    )


def me(access_token):
    return Client().get("/api/v4/users/me", HTTP_AUTHORIZATION=f"Bearer {access_token}")


def test_code_flow_with_pkce_issues_tokens_and_users_me_answers(signed_in_client, trusted_app, user):
    verifier, challenge = pkce_pair()
    query = authorize(signed_in_client, trusted_app, challenge=challenge, state="s-123")
    assert query["state"] == "s-123"

    response = exchange(trusted_app, query["code"], verifier=verifier)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"].lower() == "bearer"
    assert set(body) >= {"access_token", "refresh_token", "expires_in", "scope"}

    profile = me(body["access_token"])
    assert profile.status_code == 200
    assert {key: profile.json()[key] for key in ("id", "username", "email", "first_name", "last_name")} == {
        "id": str(user.pk),
        "username": "alice",
        "email": "alice@example.com",
        "first_name": "Alice",
        "last_name": "Liddell",
    }


def test_http_basic_client_authentication_works(signed_in_client, trusted_app):
    query = authorize(signed_in_client, trusted_app)
    response = exchange(trusted_app, query["code"], basic=True)
    assert response.status_code == 200, response.content


def test_tokens_and_secrets_are_stored_hashed(signed_in_client, trusted_app):
    query = authorize(signed_in_client, trusted_app)
    body = exchange(trusted_app, query["code"]).json()
    trusted_app.refresh_from_db()
    assert trusted_app.client_secret.startswith("mm_oauth_sha256$")
    assert trusted_app.plain_secret not in trusted_app.client_secret
    access = AccessToken.objects.get()
    assert access.token == ""  # RFC 9700 storage: only the checksum is kept
    assert body["access_token"] not in access.token_checksum
    assert RefreshToken.objects.get().token == ""


def test_untrusted_app_shows_consent_page_and_allow_issues_a_code(signed_in_client, make_app):
    app = make_app(name="Untrusted Tool", description="Reads your profile")
    response = signed_in_client.get(
        "/oauth/authorize",
        {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0], "state": "k"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Untrusted Tool" in page and "Reads your profile" in page
    assert "Allow" in page and "Deny" in page
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    query = authorize(signed_in_client, app, state="k")
    assert query["state"] == "k" and query["code"]


def test_deny_redirects_with_access_denied_and_state_and_stores_nothing(signed_in_client, make_app):
    app = make_app()
    query = authorize(signed_in_client, app, state="st8", allow=False)
    assert query == {"error": "access_denied", "state": "st8", "iss": "http://testserver"} | {
        key: value for key, value in query.items() if key == "error_description"
    }
    assert not Grant.objects.exists()


# --- RFC 9207: the issuer in every authorization response -----------------------------


def test_the_code_and_the_denial_name_the_issuer_of_the_metadata_document(
    client, signed_in_client, make_app, trusted_app
):
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["issuer"] == "http://testserver"

    granted = authorize(signed_in_client, trusted_app)  # trusted: redirected straight away
    consented = authorize(signed_in_client, make_app(name="Asks first"))  # through the consent page
    denied = authorize(signed_in_client, make_app(name="Denied"), allow=False)

    for query in (granted, consented, denied):
        assert query["iss"] == metadata["issuer"]
    assert granted["code"] and consented["code"] and denied["error"] == "access_denied"


def test_the_issuer_follows_the_host_and_oidc_iss_endpoint(signed_in_client, user, trusted_app, settings):
    assert authorize(signed_in_client, trusted_app)["iss"] == "http://testserver"
    settings.ALLOWED_HOSTS = ["testserver", "id.example.com"]
    other_host = Client(HTTP_HOST="id.example.com")
    other_host.force_login(user)
    assert authorize(other_host, trusted_app)["iss"] == "http://id.example.com"
    assert other_host.get("/.well-known/oauth-authorization-server").json()["issuer"] == "http://id.example.com"

    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "https://login.example.com/tenant"}
    metadata = Client().get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == "https://login.example.com/tenant"
    assert authorize(signed_in_client, trusted_app)["iss"] == metadata["issuer"]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://c.example.com/cb?code=x", "https://c.example.com/cb?code=x&iss=https%3A%2F%2Fid.example.com"),
        # The client's own parameters stay byte for byte; a stray iss is replaced, never doubled.
        (
            "https://c.example.com/cb?t=a%26b+c&iss=evil&x=&code=x#frag",
            "https://c.example.com/cb?t=a%26b+c&x=&code=x&iss=https%3A%2F%2Fid.example.com#frag",
        ),
        ("myapp:/cb", "myapp:/cb?iss=https%3A%2F%2Fid.example.com"),
    ],
)
def test_with_issuer_adds_iss_and_keeps_the_rest(url, expected):
    assert with_issuer(url, "https://id.example.com") == expected


def test_trusted_app_skips_consent_right_after_login(client, user, trusted_app):
    params = {"response_type": "code", "client_id": trusted_app.client_id, "redirect_uri": trusted_app.callback_urls[0]}
    response = client.get("/oauth/authorize", params)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    next_url = query_of(response["Location"])["next"]
    response = client.post(
        "/login/", {"username": "alice", "password": "correct horse battery staple", "next": next_url}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(trusted_app.callback_urls[0] + "?code=")


def test_refresh_rotates_and_the_old_refresh_token_is_refused(signed_in_client, trusted_app):
    first = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
    second = refresh(trusted_app, first["refresh_token"])
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert me(second["access_token"]).status_code == 200
    assert me(first["access_token"]).status_code == 401  # rotated away

    replay = refresh(trusted_app, first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # Reuse detection (RFC 9700 section 4.14.2): the whole family is revoked.
    assert refresh(trusted_app, second["refresh_token"]).json()["error"] == "invalid_grant"


class TestTokenEndpointErrors:
    """Bad input at the token endpoint gets RFC 6749 section 5.2 errors, and nothing is issued."""

    @pytest.fixture(autouse=True)
    def _nothing_issued(self, db):
        yield
        # Only the tokens a test deliberately obtained first may exist.
        assert AccessToken.objects.count() == getattr(self, "expected_tokens", 0)

    def test_wrong_secret(self, signed_in_client, trusted_app):
        response = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"], secret="not-the-secret")
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"

    def test_wrong_secret_by_basic_auth(self, signed_in_client, trusted_app):
        response = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"], secret="nope", basic=True)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"

    def test_wrong_redirect_uri(self, signed_in_client, make_app):
        app = make_app(is_trusted=True, callback_urls=["https://a.example.com/cb", "https://a.example.com/other"])
        code = authorize(signed_in_client, app)["code"]
        response = exchange(app, code, redirect_uri="https://a.example.com/other")
        assert response.status_code == 400
        assert response.json()["error"] in {"invalid_grant", "invalid_request"}

    def test_reused_code_is_refused_and_revokes_its_tokens(self, signed_in_client, trusted_app):
        code = authorize(signed_in_client, trusted_app)["code"]
        first = exchange(trusted_app, code)
        assert first.status_code == 200
        tokens = first.json()
        assert me(tokens["access_token"]).status_code == 200
        response = exchange(trusted_app, code)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
        # RFC 6749 section 4.1.2: the tokens issued from the code are revoked.
        assert me(tokens["access_token"]).status_code == 401
        assert refresh(trusted_app, tokens["refresh_token"]).json()["error"] == "invalid_grant"
        assert AuditEvent.objects.filter(action=AuditEvent.Action.CODE_REPLAYED).count() == 1

    def test_reused_code_revokes_the_rotated_tokens_too(self, signed_in_client, trusted_app):
        code = authorize(signed_in_client, trusted_app)["code"]
        tokens = exchange(trusted_app, code).json()
        rotated = refresh(trusted_app, tokens["refresh_token"]).json()
        assert me(rotated["access_token"]).status_code == 200
        assert exchange(trusted_app, code).status_code == 400
        assert me(rotated["access_token"]).status_code == 401
        assert refresh(trusted_app, rotated["refresh_token"]).status_code == 400

    def test_code_is_stored_only_as_a_checksum(self, signed_in_client, trusted_app):
        code = authorize(signed_in_client, trusted_app)["code"]
        stored = Grant.objects.get(application=trusted_app).code
        assert stored != code and code not in stored
        assert stored == hashlib.sha256(code.encode()).hexdigest()
        assert exchange(trusted_app, code).status_code == 200
        self.expected_tokens = 1

    def test_code_verifier_for_a_code_issued_without_challenge_is_refused(self, signed_in_client, trusted_app):
        # RFC 9700 section 4.8.2: PKCE downgrade.
        code = authorize(signed_in_client, trusted_app)["code"]
        verifier, _challenge = pkce_pair()
        response = exchange(trusted_app, code, verifier=verifier)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"

    def test_code_of_another_client(self, signed_in_client, trusted_app, make_app):
        other = make_app(is_trusted=True)
        code = authorize(signed_in_client, trusted_app)["code"]
        response = exchange(other, code, redirect_uri=trusted_app.callback_urls[0])
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"

    def test_missing_code_verifier(self, signed_in_client, trusted_app):
        verifier, challenge = pkce_pair()
        code = authorize(signed_in_client, trusted_app, challenge=challenge)["code"]
        response = exchange(trusted_app, code)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"

    def test_wrong_code_verifier(self, signed_in_client, trusted_app):
        _verifier, challenge = pkce_pair()
        code = authorize(signed_in_client, trusted_app, challenge=challenge)["code"]
        response = exchange(trusted_app, code, verifier=pkce_pair()[0])
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"

    def test_unsupported_grant_type(self, trusted_app):
        response = Client().post(
            "/oauth/access_token",
            {"grant_type": "password", "username": "alice", "password": "x", "client_id": trusted_app.client_id},
        )
        assert response.status_code in (400, 401)
        assert response.json()["error"] in {"unsupported_grant_type", "unauthorized_client", "invalid_client"}


def test_public_client_must_use_pkce(signed_in_client, make_app):
    app = make_app(is_trusted=True, client_type="public")
    assert app.plain_secret == ""
    query = authorize(signed_in_client, app)
    assert query["error"] == "invalid_request"
    assert not Grant.objects.exists()

    verifier, challenge = pkce_pair()
    code = authorize(signed_in_client, app, challenge=challenge)["code"]
    response = Client().post(
        "/oauth/access_token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.callback_urls[0],
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
    )
    assert response.status_code == 200, response.content


def test_plain_pkce_method_is_refused(signed_in_client, trusted_app):
    response = signed_in_client.get(
        "/oauth/authorize",
        {
            "response_type": "code",
            "client_id": trusted_app.client_id,
            "redirect_uri": trusted_app.callback_urls[0],
            "code_challenge": "a" * 43,
            "code_challenge_method": "plain",
        },
    )
    assert response.status_code == 400 and "Location" not in response
    assert not Grant.objects.exists()


def test_implicit_grant_is_not_offered(signed_in_client, trusted_app):
    response = signed_in_client.get(
        "/oauth/authorize",
        {"response_type": "token", "client_id": trusted_app.client_id, "redirect_uri": trusted_app.callback_urls[0]},
    )
    assert "access_token" not in response.get("Location", "")
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example.net/callback",
        "https://app.example.com/callback/extra",
        "https://app.example.com/callback?x=1",
        "https://app.example.com/CALLBACK",
    ],
)
def test_unregistered_redirect_uri_shows_an_error_page_and_never_redirects(signed_in_client, trusted_app, redirect_uri):
    response = signed_in_client.get(
        "/oauth/authorize", {"response_type": "code", "client_id": trusted_app.client_id, "redirect_uri": redirect_uri}
    )
    assert response.status_code == 400
    assert "Location" not in response
    assert "This application asked to send you to an address it has not registered" in response.content.decode()


def test_unknown_client_shows_an_error_page_and_never_redirects(signed_in_client):
    response = signed_in_client.get(
        "/oauth/authorize",
        {"response_type": "code", "client_id": "nope", "redirect_uri": "https://evil.example.net/"},
    )
    assert response.status_code == 400
    assert "Location" not in response


def test_revoke_makes_the_access_token_useless(signed_in_client, trusted_app):
    body = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
    response = Client(enforce_csrf_checks=True).post(
        "/oauth/revoke",
        {"token": body["access_token"], "client_id": trusted_app.client_id, "client_secret": trusted_app.plain_secret},
    )
    assert response.status_code == 200
    assert me(body["access_token"]).status_code == 401


def test_revoking_the_refresh_token_kills_it(signed_in_client, trusted_app):
    body = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
    Client().post(
        "/oauth/revoke",
        {
            "token": body["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": trusted_app.client_id,
            "client_secret": trusted_app.plain_secret,
        },
    )
    assert refresh(trusted_app, body["refresh_token"]).json()["error"] == "invalid_grant"


class TestIntrospection:
    def introspect(self, app, token, secret=None, **extra):
        return Client(enforce_csrf_checks=True).post(
            "/oauth/introspect",
            {"token": token, "client_id": app.client_id, "client_secret": secret or app.plain_secret, **extra},
        )

    def test_active_token_of_the_same_client(self, signed_in_client, trusted_app, user):
        body = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
        data = self.introspect(trusted_app, body["access_token"]).json()
        assert data["active"] is True
        assert data["client_id"] == trusted_app.client_id
        assert data["username"] == "alice"
        assert set(data["scope"].split()) == {"read", "write"}
        assert data["exp"] > 0

    def test_refresh_token_can_be_introspected(self, signed_in_client, trusted_app):
        body = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
        data = self.introspect(trusted_app, body["refresh_token"], token_type_hint="refresh_token").json()
        assert data["active"] is True and data["token_type"] == "refresh_token"

    def test_another_clients_token_is_inactive(self, signed_in_client, trusted_app, make_app):
        body = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
        other = make_app()
        assert self.introspect(other, body["access_token"]).json() == {"active": False}

    def test_unknown_and_revoked_tokens_are_inactive(self, signed_in_client, trusted_app):
        assert self.introspect(trusted_app, "no-such-token").json() == {"active": False}
        body = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
        Client().post(
            "/oauth/revoke",
            {
                "token": body["access_token"],
                "client_id": trusted_app.client_id,
                "client_secret": trusted_app.plain_secret,
            },
        )
        assert self.introspect(trusted_app, body["access_token"]).json() == {"active": False}

    def test_client_authentication_is_required(self, trusted_app):
        response = self.introspect(trusted_app, "whatever", secret="wrong")
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"

    def test_missing_token_parameter(self, trusted_app):
        response = Client().post(
            "/oauth/introspect", {"client_id": trusted_app.client_id, "client_secret": trusted_app.plain_secret}
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"


def test_server_metadata_lists_mattermost_paths_and_only_what_is_offered(client):
    data = client.get("/.well-known/oauth-authorization-server").json()
    assert data["issuer"] == "http://testserver"
    assert data["authorization_endpoint"].endswith("/oauth/authorize")
    assert data["token_endpoint"].endswith("/oauth/access_token")
    assert data["revocation_endpoint"].endswith("/oauth/revoke")
    assert data["introspection_endpoint"].endswith("/oauth/introspect")
    assert data["response_types_supported"] == ["code"]
    assert set(data["grant_types_supported"]) == {"authorization_code", "refresh_token"}
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["token_endpoint_auth_methods_supported"] == ["client_secret_post", "client_secret_basic", "none"]


def test_error_reports_show_no_credential_the_client_posted(signed_in_client, trusted_app):
    """Django's DEBUG page and ADMINS emails print POST data: the client endpoints' credentials show as stars."""
    code = authorize(signed_in_client, trusted_app)["code"]
    verifier = "v" * 43
    exchanged = exchange(trusted_app, code, verifier=verifier)
    body = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
    refreshed = refresh(trusted_app, body["refresh_token"])
    revoked = Client().post(
        "/oauth/revoke",
        {
            "token": refreshed.json()["access_token"],
            "client_id": trusted_app.client_id,
            "client_secret": trusted_app.plain_secret,
        },
    )
    introspected = Client().post(
        "/oauth/introspect",
        {"token": body["access_token"], "client_id": trusted_app.client_id, "client_secret": trusted_app.plain_secret},
    )

    basic = exchange(
        trusted_app, authorize(signed_in_client, trusted_app)["code"], basic=True
    )  # the secret in a header
    assert basic.status_code == 200
    header = basic.wsgi_request.META["HTTP_AUTHORIZATION"].split()[1]
    assert header not in ExceptionReporter(basic.wsgi_request, None, None, None).get_traceback_text()

    for response in (exchanged, refreshed, revoked, introspected, basic):
        request = response.wsgi_request
        report = ExceptionReporter(request, None, None, None).get_traceback_text()
        for field in ("client_secret", "code", "code_verifier", "refresh_token", "token"):
            value = request.POST.get(field)
            if value:
                assert value not in report, (request.path, field)
        assert trusted_app.plain_secret not in report
        assert "client_id" not in request.POST or trusted_app.client_id in report  # the POST data is in the report


def test_secrets_and_tokens_never_reach_the_logs(signed_in_client, trusted_app, caplog):
    caplog.set_level(logging.DEBUG)
    code = authorize(signed_in_client, trusted_app)["code"]
    body = exchange(trusted_app, code).json()
    exchange(trusted_app, code)  # a failing replay logs too
    exchange(trusted_app, "x", secret="wrong-secret-value")
    refresh(trusted_app, body["refresh_token"])
    me(body["access_token"])
    for secret in (trusted_app.plain_secret, body["access_token"], body["refresh_token"], "wrong-secret-value"):
        assert secret not in caplog.text


# --- A deactivated user's access stops at once ------------------------------------------------


def obtain(client, app):
    return exchange(app, authorize(client, app)["code"]).json()


def deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])


def test_deactivating_a_user_stops_their_access_tokens(signed_in_client, trusted_app, user):
    tokens = obtain(signed_in_client, trusted_app)
    assert me(tokens["access_token"]).status_code == 200
    deactivate(user)
    response = me(tokens["access_token"])
    assert response.status_code == 401


def test_deactivating_a_user_stops_their_refresh_tokens(signed_in_client, trusted_app, user):
    tokens = obtain(signed_in_client, trusted_app)
    deactivate(user)
    response = refresh(trusted_app, tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_deactivating_a_user_stops_their_pending_codes(signed_in_client, trusted_app, user):
    code = authorize(signed_in_client, trusted_app)["code"]
    deactivate(user)
    response = exchange(trusted_app, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_an_inactive_user_cannot_authorize_apps(client, make_user, trusted_app, settings):
    # Even with a backend that lets inactive users sign in.
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.AllowAllUsersModelBackend"]
    inactive = make_user("dormant", is_active=False)
    client.force_login(inactive)
    params = {"response_type": "code", "client_id": trusted_app.client_id, "redirect_uri": trusted_app.callback_urls[0]}
    response = client.get("/oauth/authorize", params)
    assert response.status_code == 403
    assert not Grant.objects.exists()


# --- RFC 8707 resource indicators survive the code exchange ---------------------------------


def test_a_code_exchange_keeps_the_granted_resource_and_refuses_another(signed_in_client, trusted_app):
    resource = "http://testserver/api/v4/posts"  # within the site's API (mm_oauth.resources)
    code = authorize(signed_in_client, trusted_app, extra={"resource": resource})["code"]
    refused = exchange(trusted_app, code, extra={"resource": "http://testserver/api/v4/users/me"})
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_target"

    code = authorize(signed_in_client, trusted_app, extra={"resource": resource})["code"]
    assert exchange(trusted_app, code).status_code == 200
    assert AccessToken.objects.get().resource == [resource]


def test_tokens_are_256_random_bits_in_url_safe_base64(signed_in_client, trusted_app):
    tokens = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": trusted_app.client_id,
        "client_secret": trusted_app.plain_secret,
    }
    refreshed = Client().post("/oauth/access_token", refresh).json()
    issued = [tokens["access_token"], tokens["refresh_token"], refreshed["access_token"], refreshed["refresh_token"]]
    for token in issued:
        assert len(token) == 43 and len(base64.urlsafe_b64decode(token + "=")) == 32
    assert len(set(issued)) == 4
