"""Mattermost's user object: ``GET /api/v4/users/me`` and ``/api/v4/users/{user_id}`` (mm_oauth.services.user_object).

``tests/fixtures/mattermost_user_me.json`` is a user object as a Mattermost
server returns it from ``users/me`` (the JSON names of ``model.User`` in
``server/public/model/user.go``, after ``Sanitize``): mm_oauth's keys must be
among its keys, with the same JSON types. Also run under the custom and UUID
user models (tests/test_custom_user_model.py).
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from mm_oauth.services.user_object import USER_KEYS, default_user_fields, user_object

pytestmark = pytest.mark.django_db
MATTERMOST_USER = json.loads((Path(__file__).parent / "fixtures" / "mattermost_user_me.json").read_text())
ISSUE_KEYS = {
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "username",
    "auth_service",
    "email",
    "email_verified",
    "nickname",
    "first_name",
    "last_name",
    "position",
    "roles",
    "locale",
    "timezone",
}


def json_type(value):
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}[type(value)]


def profile_fields(user):
    """A host's hook: its profile knows the position and verifies addresses; a key Mattermost lacks is dropped."""
    fields = default_user_fields(user)
    fields.update(position="Head of Wonder", email_verified=True, shoe_size=42)
    return fields


def only_a_nickname(user):
    """A hook that gives one key: the others come from the default."""
    return {"nickname": "Ally"}


@pytest.fixture
def me(provider_on, bearer_token, user, trusted_app):
    """Return a function fetching users/me with a token of ``scope``."""

    def fetch(scope="read write"):
        response = Client().get("/api/v4/users/me", **bearer_token(user, trusted_app, scope=scope))
        assert response.status_code == 200, response.content
        return response.json()

    return fetch


def test_users_me_has_mattermosts_keys_and_json_types(me):
    body = me()
    assert set(body) == ISSUE_KEYS == set(USER_KEYS)
    assert set(body) <= set(MATTERMOST_USER)
    for key, value in body.items():
        assert json_type(value) == json_type(MATTERMOST_USER[key]), key
    assert set(body["timezone"]) == set(MATTERMOST_USER["timezone"])
    assert all(isinstance(value, str) for value in body["timezone"].values())


def test_users_me_describes_the_user(me, user, settings):
    body = me()
    joined = int(user.date_joined.timestamp() * 1000)
    assert body["id"] == str(user.pk) and body["username"] == "alice"
    assert (body["first_name"], body["last_name"], body["email"]) == ("Alice", "Liddell", "alice@example.com")
    assert body["create_at"] == body["update_at"] == joined and body["delete_at"] == 0
    assert body["roles"] == "system_user" and body["auth_service"] == "" and body["email_verified"] is False
    assert body["locale"] == settings.LANGUAGE_CODE
    assert body["timezone"] == {
        "useAutomaticTimezone": "false",
        "manualTimezone": settings.TIME_ZONE,
        "automaticTimezone": "",
    }


def test_times_are_milliseconds_since_the_epoch(me, user):
    get_user_model().objects.filter(pk=user.pk).update(date_joined=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert me()["create_at"] == 1704164645000


def test_locale_follows_language_code(me, settings):
    settings.LANGUAGE_CODE = "de"
    assert me()["locale"] == "de"


def test_a_superuser_is_a_system_admin(provider_on, client_for, superuser):
    body = client_for(superuser).get("/api/v4/users/me").json()
    assert body["roles"] == "system_admin system_user"


def test_a_signed_in_person_sees_their_email(provider_on, signed_in_client):
    assert signed_in_client.get("/api/v4/users/me").json()["email"] == "alice@example.com"


def test_an_app_sees_the_email_only_with_a_scope_that_allows_it(user):
    assert user_object(user, scopes=["read"])["email"] == "alice@example.com"
    assert user_object(user, scopes=["openid", "email"])["email"] == "alice@example.com"
    hidden = user_object(user, scopes=["write", "profile"])
    assert hidden["email"] == "" and hidden["email_verified"] is False and hidden["username"] == "alice"


def test_the_hook_fills_what_the_model_lacks(me, mm_oauth_settings):
    mm_oauth_settings(USER_FIELDS="tests.test_user_object.profile_fields")
    body = me()
    assert body["position"] == "Head of Wonder" and body["email_verified"] is True
    assert "shoe_size" not in body and set(body) == ISSUE_KEYS


def test_keys_the_hook_leaves_out_come_from_the_default(me, mm_oauth_settings):
    mm_oauth_settings(USER_FIELDS="tests.test_user_object.only_a_nickname")
    body = me()
    assert body["nickname"] == "Ally" and body["username"] == "alice" and set(body) == ISSUE_KEYS


def test_a_model_field_of_the_same_name_is_used(me, user):
    has_nickname = any(field.name == "nickname" for field in get_user_model()._meta.get_fields())
    if has_nickname:  # tests.custom_user.Member
        user.nickname = "Ally"
        user.save()
    assert me()["nickname"] == ("Ally" if has_nickname else "")


def test_users_me_with_a_token_stays_one_query(me, user, trusted_app, bearer_token, django_assert_num_queries):
    headers = bearer_token(user, trusted_app)
    Client().get("/api/v4/users/me", **headers)  # warm the provider settings
    with django_assert_num_queries(1):
        assert Client().get("/api/v4/users/me", **headers).status_code == 200


# --- Another user: GET /api/v4/users/{user_id} -----------------------------------------


def test_another_user_is_shown_without_email(provider_on, bearer_token, user, make_user, trusted_app):
    bob = make_user("bob", first_name="Bob")
    response = Client().get(f"/api/v4/users/{bob.pk}", **bearer_token(user, trusted_app, scope="read"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == ISSUE_KEYS
    assert body["username"] == "bob" and body["first_name"] == "Bob" and body["id"] == str(bob.pk)
    assert body["email"] == "" and body["email_verified"] is False and body["auth_service"] == ""


def test_another_user_hides_the_email_even_when_the_hook_says_verified(
    provider_on, client_for, user, make_user, mm_oauth_settings
):
    mm_oauth_settings(USER_FIELDS="tests.test_user_object.profile_fields")
    bob = make_user("bob")
    body = client_for(user).get(f"/api/v4/users/{bob.pk}").json()
    assert body["email"] == "" and body["email_verified"] is False and body["position"] == "Head of Wonder"


def test_the_user_themself_by_id_sees_their_email(provider_on, signed_in_client, user):
    assert signed_in_client.get(f"/api/v4/users/{user.pk}").json()["email"] == "alice@example.com"


def test_reading_another_user_needs_the_read_scope(provider_on, bearer_token, user, make_user, trusted_app):
    bob = make_user("bob")
    response = Client().get(f"/api/v4/users/{bob.pk}", **bearer_token(user, trusted_app, scope="write"))
    assert response.status_code == 403


@pytest.mark.parametrize("user_id", ["999999", "not-an-id", "99999999999999999999999", "00000000-0000-0000-0000-0"])
def test_an_unknown_or_malformed_user_id_is_404(provider_on, signed_in_client, user_id):
    response = signed_in_client.get(f"/api/v4/users/{user_id}")
    assert response.status_code == 404
    assert response.json()["message"] == "No such user."


def test_users_need_authentication(provider_on, user):
    assert Client().get(f"/api/v4/users/{user.pk}").status_code in (401, 403)
