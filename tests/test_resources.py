"""RFC 8707 resource indicators, RFC 9728 protected resource metadata and the Bearer challenges of the API.

One row per outcome: which ``resource`` is accepted where, what a token issued for
it may reach, what a 401 or 403 says, what each metadata document holds.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from oauth2_provider.models import get_access_token_model, get_grant_model, set_token_value

from mm_oauth.services import provider_settings
from tests.oauth_helpers import authorize, code_exchange, query_of

AccessToken = get_access_token_model()
Grant = get_grant_model()

pytestmark = pytest.mark.usefixtures("provider_on")

SITE = "http://testserver"
API = f"{SITE}/api/v4/"
API_METADATA = f"{SITE}/.well-known/oauth-protected-resource/api/v4/"


def challenge(response):
    """Return the parameters of a ``WWW-Authenticate: Bearer k="v",…`` header as a dict."""
    scheme, _sep, params = response["WWW-Authenticate"].partition(" ")
    assert scheme == "Bearer"
    return dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', params))


def token_request(data, **headers):
    return Client(enforce_csrf_checks=True).post("/oauth/access_token", data, **headers)


def tokens_for(client, app, *, resource=None, **extra):
    """Authorize (asking for ``resource`` when given) and exchange the code; return the token response."""
    params = {"resource": resource} if resource else {}
    code = authorize(client, app, extra=params)["code"]
    return token_request(code_exchange(app, code, **extra))


def refresh(app, refresh_token, **extra):
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra}
    return token_request({**data, "client_id": app.client_id, "client_secret": app.plain_secret})


@pytest.fixture
def issue(db):
    """Return a function that stores an access token with the given audience; it returns the raw token."""

    def make(user, app, *, resource=(), scope="read write", expires_in=3600):
        raw = get_random_string(40)
        token = AccessToken(
            user=user,
            application=app,
            scope=scope,
            resource=list(resource),
            expires=timezone.now() + timedelta(seconds=expires_in),
        )
        set_token_value(token, raw)
        token.save()
        return raw

    return make


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- RFC 8707 at the authorize endpoint --------------------------------------------------------


@pytest.mark.parametrize(
    "resource",
    [API, f"{SITE}/api/v4", f"{SITE}/api/v4/users/me"],
    ids=["the-api", "the-api-without-slash", "beneath-the-api"],
)
def test_authorize_accepts_the_sites_resources_and_the_code_carries_them(signed_in_client, trusted_app, resource):
    query = authorize(signed_in_client, trusted_app, extra={"resource": resource})
    assert "code" in query
    assert Grant.objects.get().resource == [resource]


@pytest.mark.parametrize(
    "resource",
    [
        "https://other.example.com/api/v4/",  # another host
        "https://testserver/api/v4/",  # another scheme
        f"{SITE}/admin/",  # this host, outside the API
        f"{SITE}/api/v40/",  # a path that only starts like the API's
        "urn:example:api",  # not a URL of a host
        "/api/v4/",  # relative
    ],
)
def test_authorize_refuses_any_other_resource_with_invalid_target(signed_in_client, trusted_app, resource):
    response = signed_in_client.get(
        "/oauth/authorize",
        {
            "response_type": "code",
            "client_id": trusted_app.client_id,
            "redirect_uri": trusted_app.callback_urls[0],
            "state": "s1",
            "resource": resource,
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(trusted_app.callback_urls[0])
    query = query_of(response["Location"])
    assert query["error"] == "invalid_target"
    assert resource in query["error_description"]
    assert query["state"] == "s1" and query["iss"] == SITE
    assert not Grant.objects.exists()


def test_one_foreign_resource_among_several_refuses_the_request(signed_in_client, trusted_app):
    response = signed_in_client.get(
        "/oauth/authorize",
        {
            "response_type": "code",
            "client_id": trusted_app.client_id,
            "redirect_uri": trusted_app.callback_urls[0],
            "resource": [API, "https://other.example.com/"],
        },
    )
    assert query_of(response["Location"])["error"] == "invalid_target"


def test_a_tampered_resource_in_the_consent_form_is_refused(signed_in_client, app):
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]}
    page = signed_in_client.get("/oauth/authorize", {**params, "resource": API, "state": "s2"})
    assert page.status_code == 200  # the consent page
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    tampered = {**data, "resource": "https://evil.example.com/", "allow": "1"}
    response = signed_in_client.post("/oauth/authorize", tampered)
    assert response.status_code == 302
    query = query_of(response["Location"])
    assert query["error"] == "invalid_target" and query["state"] == "s2"
    assert not Grant.objects.exists()


# --- RFC 8707 at the token endpoint ------------------------------------------------------------


def test_the_token_carries_the_audience_asked_for_at_authorize(signed_in_client, trusted_app):
    response = tokens_for(signed_in_client, trusted_app, resource=API)
    assert response.status_code == 200
    assert AccessToken.objects.get().resource == [API]


def test_the_token_request_may_name_the_granted_resource_again(signed_in_client, trusted_app):
    code = authorize(signed_in_client, trusted_app, extra={"resource": API})["code"]
    response = token_request(code_exchange(trusted_app, code, resource=API))
    assert response.status_code == 200
    assert AccessToken.objects.get().resource == [API]


@pytest.mark.parametrize("resource", ["https://other.example.com/api/v4/", f"{SITE}/admin/"])
def test_a_token_request_for_a_foreign_resource_is_refused(signed_in_client, trusted_app, resource):
    code = authorize(signed_in_client, trusted_app)["code"]
    response = token_request(code_exchange(trusted_app, code, resource=resource))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_target"
    assert resource in response.json()["error_description"]
    assert not AccessToken.objects.exists()


def test_a_token_asked_for_without_resource_has_no_audience_and_reaches_the_api(signed_in_client, trusted_app):
    """Clients written for Mattermost send no ``resource``: their tokens keep working everywhere on the site."""
    body = tokens_for(signed_in_client, trusted_app).json()
    assert AccessToken.objects.get().resource == []
    assert Client().get("/api/v4/users/me", **bearer(body["access_token"])).status_code == 200
    assert Client().get("/api/v4/posts", **bearer(body["access_token"])).status_code == 200


def test_a_refresh_keeps_the_audience(signed_in_client, trusted_app):
    body = tokens_for(signed_in_client, trusted_app, resource=API).json()
    assert refresh(trusted_app, body["refresh_token"]).status_code == 200
    assert AccessToken.objects.get().resource == [API]


def test_a_refresh_may_narrow_the_audience_within_the_site(signed_in_client, trusted_app):
    """A token without audience may be narrowed too: the new one reaches less."""
    body = tokens_for(signed_in_client, trusted_app).json()
    narrowed = refresh(trusted_app, body["refresh_token"], resource=f"{SITE}/api/v4/users/me")
    assert narrowed.status_code == 200
    assert AccessToken.objects.get().resource == [f"{SITE}/api/v4/users/me"]


@pytest.mark.parametrize(
    ("granted", "asked", "reason"),
    [
        (f"{SITE}/api/v4/users/me", API, "widens the audience"),
        (API, "https://other.example.com/", "a foreign resource"),
        (None, "https://other.example.com/", "a foreign resource for an unrestricted token"),
    ],
)
def test_a_refresh_may_not_widen_or_leave_the_site(signed_in_client, trusted_app, granted, asked, reason):
    body = tokens_for(signed_in_client, trusted_app, resource=granted).json()
    response = refresh(trusted_app, body["refresh_token"], resource=asked)
    assert response.status_code == 400, reason
    assert response.json()["error"] == "invalid_target"
    assert refresh(trusted_app, body["refresh_token"]).status_code == 200  # the refresh token still works


def test_the_resources_setting_replaces_the_default(mm_oauth_settings, signed_in_client, trusted_app):
    mm_oauth_settings(RESOURCES=["https://files.example.com/v1/", "/api/v4/posts"])
    assert tokens_for(signed_in_client, trusted_app, resource="https://files.example.com/v1/").status_code == 200
    assert tokens_for(signed_in_client, trusted_app, resource=f"{SITE}/api/v4/posts").status_code == 200
    refused = signed_in_client.get(
        "/oauth/authorize",
        {
            "response_type": "code",
            "client_id": trusted_app.client_id,
            "redirect_uri": trusted_app.callback_urls[0],
            "resource": API,
        },
    )
    assert query_of(refused["Location"])["error"] == "invalid_target"


# --- Introspection (RFC 7662 aud) --------------------------------------------------------------


@pytest.mark.parametrize(("resource", "aud"), [(API, [API]), (None, None)], ids=["bound", "unrestricted"])
def test_introspection_returns_the_audience(signed_in_client, trusted_app, resource, aud):
    body = tokens_for(signed_in_client, trusted_app, resource=resource).json()
    credentials = {"client_id": trusted_app.client_id, "client_secret": trusted_app.plain_secret}
    for token in (body["access_token"], body["refresh_token"]):
        data = Client().post("/oauth/introspect", {"token": token, **credentials}).json()
        assert data["active"] is True
        assert data.get("aud") == aud


# --- The API's answers: RFC 6750 section 3 and RFC 9728 section 5.1 ----------------------------


def test_a_request_without_a_token_gets_the_metadata_url_and_no_error(db):
    response = Client().get("/api/v4/users/me")
    assert response.status_code == 401
    assert challenge(response) == {"realm": "api", "resource_metadata": API_METADATA}


@pytest.mark.parametrize(
    ("token", "description"),
    [
        ("unknown", "The access token is invalid."),
        ("expired", "The access token has expired."),
        ("foreign-audience", "The access token is not valid for this resource."),
        ("narrower-audience", "The access token is not valid for this resource."),
    ],
)
def test_a_refused_token_gets_invalid_token_with_the_reason(user, trusted_app, issue, token, description):
    raw = {
        "unknown": lambda: "no-such-token",
        "expired": lambda: issue(user, trusted_app, expires_in=-10),
        "foreign-audience": lambda: issue(user, trusted_app, resource=["https://other.example.com/api/v4/"]),
        "narrower-audience": lambda: issue(user, trusted_app, resource=[f"{SITE}/api/v4/posts"]),
    }[token]()
    response = Client().get("/api/v4/users/me", **bearer(raw))
    assert response.status_code == 401
    assert challenge(response) == {
        "realm": "api",
        "error": "invalid_token",
        "error_description": description,
        "resource_metadata": API_METADATA,
    }


@pytest.mark.parametrize(
    "audience",
    [[API], [f"{SITE}/api/v4"], [f"{SITE}/api/v4/users/me"], ["https://other.example.com/", API], []],
    ids=["the-api", "without-slash", "exactly-this-url", "one-of-several", "unrestricted"],
)
def test_a_token_whose_audience_includes_the_request_is_accepted(user, trusted_app, issue, audience):
    response = Client().get("/api/v4/users/me", **bearer(issue(user, trusted_app, resource=audience)))
    assert response.status_code == 200


def test_a_token_without_the_scope_gets_403_insufficient_scope_naming_it(user, trusted_app, issue):
    raw = issue(user, trusted_app, scope="read", resource=[API])
    response = Client().post("/api/v4/posts", {"message": "hello"}, content_type="application/json", **bearer(raw))
    assert response.status_code == 403
    assert challenge(response) == {
        "realm": "api",
        "error": "insufficient_scope",
        "error_description": "The access token lacks the 'write' scope.",
        "scope": "write",
        "resource_metadata": API_METADATA,
    }
    assert response.json()["message"] == "The access token lacks the 'write' scope."


def test_the_provider_off_answer_keeps_its_reason_and_points_at_the_metadata(user, trusted_app, issue):
    raw = issue(user, trusted_app, resource=[API])
    provider_settings.update_provider_settings(enable_provider=False)
    provider_settings.clear_cache()
    response = Client().get("/api/v4/users/me", **bearer(raw))
    assert response.status_code == 401
    assert response.json()["id"] == "api.oauth.provider_disabled"
    params = challenge(response)
    assert params["error"] == "invalid_token"
    assert params["error_description"] == response.json()["message"]
    assert params["resource_metadata"] == API_METADATA


def test_a_request_outside_every_resource_points_at_the_root_document(mm_oauth_settings):
    mm_oauth_settings(RESOURCES=["/api/v4/posts"])
    response = Client().get("/api/v4/users/me")
    assert challenge(response)["resource_metadata"] == f"{SITE}/.well-known/oauth-protected-resource"


# --- RFC 9728 documents ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("/.well-known/oauth-protected-resource", API),
        ("/.well-known/oauth-protected-resource/api/v4/", API),
        ("/.well-known/oauth-protected-resource/api/v4", f"{SITE}/api/v4"),
        ("/.well-known/oauth-protected-resource/api/v4/users/me", f"{SITE}/api/v4/users/me"),
    ],
)
def test_the_metadata_describes_the_resource_its_url_names(path, resource):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {
        "resource": resource,
        "authorization_servers": [SITE],
        "scopes_supported": ["read", "write"],
        "bearer_methods_supported": ["header"],
    }


@pytest.mark.parametrize("suffix", ["admin/", "api/v40/", "oauth/authorize"])
def test_no_metadata_for_a_path_outside_the_sites_resources(suffix):
    response = Client().get(f"/.well-known/oauth-protected-resource/{suffix}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_the_metadata_follows_the_host_and_the_issuer(settings):
    settings.ALLOWED_HOSTS = ["testserver", "api.example.net"]
    other = Client(HTTP_HOST="api.example.net").get("/.well-known/oauth-protected-resource").json()
    assert other["resource"] == "http://api.example.net/api/v4/"
    assert other["authorization_servers"] == ["http://api.example.net"]
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "https://id.example.com"}
    pinned = Client(HTTP_HOST="api.example.net").get("/.well-known/oauth-protected-resource").json()
    assert pinned["resource"] == "https://id.example.com/api/v4/"
    assert pinned["authorization_servers"] == ["https://id.example.com"]


def test_the_metadata_is_off_with_the_provider():
    provider_settings.update_provider_settings(enable_provider=False)
    provider_settings.clear_cache()
    assert Client().get("/.well-known/oauth-protected-resource").status_code == 501
    assert Client().get("/.well-known/oauth-protected-resource/api/v4/").status_code == 501


def test_the_401_leads_to_a_document_whose_resource_covers_the_request_url(db):
    url = f"{SITE}/api/v4/users/me"
    document = Client().get(challenge(Client().get(url))["resource_metadata"]).json()
    assert url.startswith(document["resource"])
    issuer = document["authorization_servers"][0]
    server = Client().get("/.well-known/oauth-authorization-server").json()
    assert server["issuer"] == issuer
    assert document["resource"] in server["protected_resources"]


def test_with_no_resources_every_resource_is_refused_and_tokens_without_one_still_work(
    mm_oauth_settings, signed_in_client, trusted_app
):
    mm_oauth_settings(RESOURCES=[])
    refused = signed_in_client.get(
        "/oauth/authorize",
        {
            "response_type": "code",
            "client_id": trusted_app.client_id,
            "redirect_uri": trusted_app.callback_urls[0],
            "resource": API,
        },
    )
    assert query_of(refused["Location"])["error"] == "invalid_target"
    assert tokens_for(signed_in_client, trusted_app).status_code == 200
