"""``POST /oauth/deauthorize`` and ``GET /api/v4/users/{id|me}/oauth/apps/authorized``."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model

from mm_oauth.models import AuditEvent, Authorization
from mm_oauth.services.authorizations import record_authorization
from mm_oauth.services.provider_settings import provider_enabled
from tests.test_app_services import issue_tokens

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]
AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/admin/login/")  # a page with a form: sets the csrftoken cookie
    return client


def deauthorize(client, client_id, csrf=True):
    headers = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value} if csrf else {}
    return client.post(
        "/oauth/deauthorize", json.dumps({"client_id": client_id}), content_type="application/json", **headers
    )


@pytest.fixture
def authorized(user, make_user, make_app):
    """Alice and Bob both authorized the app and hold tokens; Alice also uses another app."""
    app, other_app, bob = make_app(), make_app(), make_user("bob")
    for who, target in ((user, app), (bob, app), (user, other_app)):
        record_authorization(who, target, ["read", "write"])
        issue_tokens(target, who, 3)
    return app, other_app, bob


def test_deauthorize_revokes_only_that_users_tokens_codes_and_consent(user, authorized):
    app, other_app, bob = authorized
    response = deauthorize(csrf_client(user), app.client_id)
    assert response.status_code == 200, response.content
    assert response.json()["revoked"]["access_tokens"] == 3
    assert not AccessToken.objects.filter(user=user, application=app).exists()
    assert not RefreshToken.objects.filter(user=user, application=app).exists()
    assert not get_grant_model().objects.filter(user=user, application=app).exists()
    assert not Authorization.objects.filter(user=user, application=app).exists()
    # Bob's authorization and Alice's other app are untouched.
    assert AccessToken.objects.filter(user=bob, application=app).count() == 3
    assert AccessToken.objects.filter(user=user, application=other_app).count() == 3
    assert AuditEvent.objects.filter(action="oauth_authorization.revoked", actor=user).count() == 1


def test_a_deauthorized_token_stops_working_at_once(user, authorized):
    app = authorized[0]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {app.pk}-{user.pk}-access-0"}
    assert Client().get("/api/v4/users/me", **bearer).status_code == 200
    deauthorize(csrf_client(user), app.client_id)
    assert Client().get("/api/v4/users/me", **bearer).status_code == 401


def test_deauthorize_needs_the_csrf_token(user, authorized):
    response = deauthorize(csrf_client(user), authorized[0].client_id, csrf=False)
    assert response.status_code == 403
    assert Authorization.objects.filter(user=user).count() == 2


def test_deauthorize_is_refused_to_oauth_tokens(user, authorized):
    app = authorized[0]
    response = Client().post(
        "/oauth/deauthorize",
        json.dumps({"client_id": app.client_id}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {app.pk}-{user.pk}-access-0",
    )
    assert response.status_code == 403
    assert Authorization.objects.filter(user=user, application=app).exists()


@pytest.mark.parametrize("body, status, field", [({}, 400, "client_id"), ({"client_id": "nope"}, 404, None)])
def test_deauthorize_bad_input(user, authorized, body, status, field):
    client = csrf_client(user)
    response = client.post(
        "/oauth/deauthorize",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == status
    if field:
        assert field in response.json()["errors"]
    assert Authorization.objects.count() == 3


def test_deauthorizing_an_app_never_authorized_is_a_404(make_user, authorized):
    response = deauthorize(csrf_client(make_user("carol")), authorized[0].client_id)
    assert response.status_code == 404


def test_deauthorize_takes_the_same_queries_whatever_the_token_count(user, make_app):
    counts = {}
    for tokens in (5, 3000):
        app = make_app()
        record_authorization(user, app, ["read"])
        issue_tokens(app, user, tokens)
        client = csrf_client(user)
        provider_enabled()  # warm the provider settings cache, as on a live server
        with CaptureQueriesContext(connection) as queries:
            assert deauthorize(client, app.client_id).status_code == 200
        counts[tokens] = len(queries)
    assert counts[5] == counts[3000], counts


def authorized_url(user_id):
    return f"/api/v4/users/{user_id}/oauth/apps/authorized"


def test_list_my_authorized_apps_with_public_fields_only(client, user, authorized):
    app, other_app, _bob = authorized
    client.force_login(user)
    for who in ("me", str(user.pk)):
        data = client.get(authorized_url(who)).json()
        assert {item["id"] for item in data} == {app.client_id, other_app.client_id}
    item = next(item for item in data if item["id"] == app.client_id)
    assert set(item) == {
        "id",
        "name",
        "description",
        "homepage",
        "icon_url",
        "is_trusted",
        "scopes",
        "scope_descriptions",
        "authorized_at",
        "last_used_at",
    }
    assert item["scopes"] == ["read", "write"] and item["authorized_at"] > 0
    assert item["scope_descriptions"] == [
        "Read your profile and the data you can see",
        "Create and change data on your behalf",
    ]
    assert "client_secret" not in str(data)


def test_other_peoples_lists_are_404_unless_you_manage_all_apps(client, user, make_user, authorized):
    bob = authorized[2]
    client.force_login(user)
    assert client.get(authorized_url(bob.pk)).status_code == 404
    client.force_login(make_user("staffer", is_staff=True))
    assert client.get(authorized_url(bob.pk)).status_code == 404
    client.force_login(make_user("root2", is_superuser=True, is_staff=True))
    data = client.get(authorized_url(bob.pk)).json()
    assert [item["id"] for item in data] == [authorized[0].client_id]
    assert client.get(authorized_url("999999")).status_code == 404
    assert client.get(authorized_url("not-a-number")).status_code == 404
    assert client.get(authorized_url("99999999999999999999999")).status_code == 404  # not an OverflowError


def test_authorized_list_is_refused_to_tokens_and_anonymous(user, authorized):
    app = authorized[0]
    bearer = Client().get(authorized_url("me"), HTTP_AUTHORIZATION=f"Bearer {app.pk}-{user.pk}-access-0")
    assert bearer.status_code == 403
    assert Client().get(authorized_url("me")).status_code in (401, 403)
