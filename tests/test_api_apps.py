"""``/api/v4/oauth/apps``: who may do what, every field rule, secrets, Mattermost clients, audit, scale."""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_refresh_token_model,
)

from mm_oauth.models import Application, AuditEvent
from mm_oauth.services import applications
from mm_oauth.services.provider_settings import update_provider_settings
from tests.test_app_services import issue_tokens

URL = "/api/v4/oauth/apps"
ADDRESS = "203.0.113.9"
# Exactly what Mattermost's web app sends to register an app.
MATTERMOST_BODY = {
    "name": "Zapier",
    "description": "Connects apps",
    "homepage": "https://zapier.example.com/",
    "icon_url": "https://zapier.example.com/icon.png",
    "callback_urls": ["https://zapier.example.com/cb"],
    "is_trusted": False,
}
APP_KEYS = {
    "id",
    "name",
    "description",
    "homepage",
    "icon_url",
    "callback_urls",
    "is_trusted",
    "creator_id",
    "create_at",
    "update_at",
    "client_type",
    "registration_source",
    "scopes",
    "is_dynamically_registered",
}


def api_client(user=None, *, csrf=True):
    """Return a browser-like session client for ``user``, with CSRF checks enforced as in production."""
    token = get_random_string(32)
    headers = {"REMOTE_ADDR": ADDRESS}
    if csrf:
        headers["HTTP_X_CSRFTOKEN"] = token
    client = Client(enforce_csrf_checks=True, **headers)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    if user is not None:
        client.force_login(user)
    return client


def app_url(app, suffix=""):
    client_id = app if isinstance(app, str) else app.client_id
    return f"{URL}/{client_id}{suffix}"


def call(client, action, app=None, body=None):
    """Perform one API action; ``app`` is the target of the per-app actions."""
    as_json = "application/json"
    if action == "list":
        return client.get(URL)
    if action == "create":
        return client.post(URL, body or MATTERMOST_BODY, content_type=as_json)
    if action == "get":
        return client.get(app_url(app))
    if action == "update":
        return client.put(app_url(app), body or {"name": "Renamed"}, content_type=as_json)
    if action == "delete":
        return client.delete(app_url(app))
    if action == "regen":
        return client.post(app_url(app, "/regen_secret"), content_type=as_json)
    if action == "info":
        return client.get(app_url(app, "/info"))
    raise AssertionError(action)


def stored(app):
    """Return what is stored of ``app`` (re-read from the database)."""
    row = Application.objects.get(pk=app.pk)
    return {**applications.describe(row), "client_secret": row.client_secret, "updated": row.updated}


# --- Who may do what: tests/test_policy.py holds the rule for every role; here, one row per HTTP outcome ---

ACTIONS = ("list", "create", "get", "update", "delete", "regen", "info")
SUCCESS = {"list": 200, "create": 201, "get": 200, "update": 200, "delete": 200, "regen": 200, "info": 200}
APP_ACTIONS = ("get", "update", "delete", "regen")  # the actions on one app that need its management


def assert_refused(response, status, app, before):
    """Check ``response`` is an API error with ``status`` and that nothing changed."""
    assert response.status_code == status, response.content
    assert response.json()["status_code"] == status
    assert Application.objects.count() == 1 and stored(app) == before


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on")
@pytest.mark.parametrize("action", ACTIONS)
def test_a_user_who_may_register_does_everything_with_their_own_app(action, make_role, make_app):
    update_provider_settings(restrict_to_admins=False)
    owner = make_role("plain")
    app = make_app(creator=owner)
    response = call(api_client(owner), action, app)
    assert response.status_code == SUCCESS[action], response.content
    if action == "create":
        assert Application.objects.get(client_id=response.json()["id"]).user == owner


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on")
@pytest.mark.parametrize("action", APP_ACTIONS)
def test_someone_elses_app_is_a_404_and_stays_unchanged(action, make_role, make_app):
    staff = make_role("staff")  # may register apps; manages only their own
    app = make_app(creator=make_role("plain"))
    before = stored(app)
    assert_refused(call(api_client(staff), action, app), 404, app, before)


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on")
@pytest.mark.parametrize("action", ACTIONS)
def test_a_system_wide_manager_manages_someone_elses_app(action, make_role, make_app):
    manager = make_role("manage_system_wide_oauth")
    app = make_app(creator=make_role("plain"))
    response = call(api_client(manager), action, app)
    assert response.status_code == SUCCESS[action], response.content
    if action == "create":
        assert Application.objects.get(client_id=response.json()["id"]).user == manager


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on")
@pytest.mark.parametrize("action", ["list", "create"])
def test_users_who_may_not_register_get_a_403(action, make_role, make_app):
    plain = make_role("plain")  # while registration is restricted to admins (the default)
    app = make_app(creator=plain)
    before = stored(app)
    assert_refused(call(api_client(plain), action, app), 403, app, before)


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on")
@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_requests_are_a_401(action, make_user, make_app):
    app = make_app(creator=make_user())
    before = stored(app)
    assert_refused(call(api_client(), action, app), 401, app, before)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ACTIONS)
def test_provider_off_answers_501_to_people_and_401_to_anonymous(action, superuser, user, make_app):
    app = make_app(creator=superuser)
    for person in (superuser, user):
        response = call(api_client(person), action, app)
        assert response.status_code == 501
        assert response.json()["id"] == "api.oauth.provider_disabled"
        assert response.json()["message"] == "The system admin has turned off the OAuth 2.0 service provider."
    assert call(api_client(), action, app).status_code == 401
    assert Application.objects.filter(pk=app.pk, name=app.name).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ACTIONS)
def test_oauth_tokens_are_refused_with_the_reason(action, superuser, make_app, bearer_token, provider_on):
    app = make_app(creator=superuser, is_trusted=True)
    client = Client(**bearer_token(superuser, app))
    response = call(client, action, app)
    assert response.status_code == 403
    assert "not available to OAuth 2.0 applications" in response.json()["message"]
    assert Application.objects.filter(pk=app.pk, name=app.name).exists()


@pytest.mark.django_db
def test_tokens_get_401_with_the_reason_while_the_provider_is_off(superuser, make_app, bearer_token):
    app = make_app(creator=superuser)
    response = Client(**bearer_token(superuser, app)).get(URL)
    assert response.status_code == 401
    assert "turned off" in response.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["create", "update", "delete", "regen"])
def test_changes_without_the_csrf_token_are_refused(action, superuser, make_app, provider_on):
    app = make_app(creator=superuser)
    before = stored(app)
    response = call(api_client(superuser, csrf=False), action, app)
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert Application.objects.count() == 1 and stored(app) == before


@pytest.mark.django_db
def test_someone_elses_app_is_a_404_like_an_unknown_one(make_user, make_app, provider_on):
    update_provider_settings(restrict_to_admins=False)
    app = make_app(creator=make_user())
    client = api_client(make_user())
    for url in (app_url(app), app_url("no-such-client-id")):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {
            "id": "api.not_found",
            "status_code": 404,
            "message": "No such OAuth 2.0 application.",
        }


@pytest.mark.django_db
def test_refusal_to_register_carries_the_reason(user, provider_on):
    response = call(api_client(user), "create")
    assert response.status_code == 403
    assert response.json()["message"] == applications.NOT_ALLOWED_MESSAGE


@pytest.mark.django_db
def test_listing_shows_your_own_apps_or_all_to_system_wide_managers(make_user, make_role, make_app, provider_on):
    update_provider_settings(restrict_to_admins=False)
    alice, bob = make_user(), make_user()
    mine = {make_app(creator=alice).client_id, make_app(creator=alice).client_id}
    theirs = {make_app(creator=bob).client_id, make_app(creator=None).client_id}

    def listed(user):
        response = api_client(user).get(URL)
        assert response.status_code == 200
        return {item["id"] for item in response.json()}

    assert listed(alice) == mine
    assert listed(make_role("staff")) == set()
    assert listed(make_role("manage_system_wide_oauth")) == mine | theirs
    assert listed(make_role("superuser")) == mine | theirs


# --- Field rules ------------------------------------------------------------


def url_of_length(length, host="x.example.com"):
    """Return an https URL exactly ``length`` characters long."""
    prefix = f"https://{host}/"
    return prefix + "a" * (length - len(prefix))


BAD_VALUES = [
    ("name", ""),
    ("name", "   "),
    ("name", "x" * 65),
    ("name", "Line one\nLine two"),
    ("name", "Tab\tseparated"),
    ("name", "Bell\x07"),
    ("name", "Evil\u202eelgooG"),  # a right-to-left override
    ("name", "Isolated\u2066text\u2069"),
    ("name", "\u200b\u200d\ufeff"),  # only zero-width characters
    ("name", None),
    ("name", 42),
    ("description", ""),
    ("description", "x" * 513),
    ("description", "Bell\x07"),
    ("description", "Vertical\x0btab"),
    ("description", "Override\u202etxet"),
    ("homepage", ""),
    ("homepage", "zapier.example.com/"),
    ("homepage", "javascript:alert(1)"),
    ("homepage", "data:text/html,<script>alert(1)</script>"),
    ("homepage", "ftp://zapier.example.com/"),
    ("homepage", " https://zapier.example.com/"),
    ("homepage", "https://zapier.example.com/ "),
    ("homepage", url_of_length(257)),
    ("icon_url", "javascript:alert(1)"),
    ("icon_url", "data:image/png;base64,iVBORw0KGgo="),
    ("icon_url", "zapier.example.com/icon.png"),
    ("icon_url", " https://zapier.example.com/icon.png"),
    ("icon_url", url_of_length(513)),
    ("callback_urls", []),
    ("callback_urls", [""]),
    ("callback_urls", ["https://x.example.com/cb", ""]),
    ("callback_urls", ["javascript:alert(1)"]),
    ("callback_urls", ["data:text/html,hi"]),
    ("callback_urls", ["zapier.example.com/cb"]),
    ("callback_urls", ["//zapier.example.com/cb"]),
    ("callback_urls", ["https://zapier.example.com/cb#fragment"]),
    ("callback_urls", ["https://zapier.example.com/cb#"]),
    ("callback_urls", [" https://x.example.com/cb"]),
    ("callback_urls", ["https://x.example.com/cb\n"]),
    ("callback_urls", ["https://a.example.com/cb https://b.example.com/cb"]),
    ("callback_urls", ["http://zapier.example.com/cb"]),  # plain http off the loopback interface
    ("callback_urls", ["http://localhost.example.com/cb"]),
    ("callback_urls", ["http://128.0.0.1/cb"]),
    ("callback_urls", ["https://user:secret@zapier.example.com/cb"]),
    ("callback_urls", ["http://user@127.0.0.1:8765/cb"]),
    ("callback_urls", ["https://x.example.com/cb", "https://x.example.com/cb"]),
    ("callback_urls", [url_of_length(512), url_of_length(512, "y.example.com")]),  # 1025 in total
    ("callback_urls", [url_of_length(1025)]),
    ("callback_urls", ["https://\U0001f600.example/cb"]),  # an emoji is no hostname
    ("callback_urls", "https://x.example.com/cb"),  # a string, not a list
    ("callback_urls", [42]),
    ("callback_urls", None),
    ("is_trusted", "yes"),
    ("is_trusted", 1),
    ("is_trusted", None),
    ("client_type", "bogus"),
    ("scopes", ["read", "admin"]),  # not a registered scope
    ("scopes", ["read write"]),  # one name with a space, not two
    ("scopes", ["read", ""]),
    ("scopes", "read"),  # a string, not a list
    ("scopes", [42]),
    ("scopes", None),
    ("surprise", True),  # an unknown field
]

GOOD_VALUES = [
    ("name", "x" * 64),
    ("name", "Zürich Ümläut ✓ 日本語"),
    ("description", "x" * 512),
    ("homepage", url_of_length(256)),
    ("homepage", "https://bücher.example/"),
    ("icon_url", url_of_length(512)),
    ("icon_url", ""),
    ("callback_urls", [url_of_length(1024)]),
    ("callback_urls", [url_of_length(511), url_of_length(512, "y.example.com")]),  # 1024 in total
    ("callback_urls", ["https://bücher.example/cb"]),  # an IDN, kept as sent
    ("callback_urls", ["https://xn--bcher-kva.example/cb"]),  # the same host in Punycode: another URL
    ("callback_urls", ["https://x.example.com/cb?source=mm&x=ü"]),
    ("callback_urls", ["http://localhost:8065/cb", "http://127.0.0.1:8065/cb", "https://[::1]/cb"]),
    ("callback_urls", ["http://127.0.0.1:8765/cb", "http://127.1.2.3/cb", "http://[::1]:8765/cb"]),
    ("name", "Zapier\u200d🚀"),  # a zero-width joiner beside visible text
    ("description", "Line one\nLine two\r\nand\ta tab"),
    ("scopes", ["read"]),
    ("scopes", ["write", "read"]),
    ("scopes", []),
]


def ids(cases):
    return [f"{field}={value!r}"[:60] for field, value in cases]


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", BAD_VALUES, ids=ids(BAD_VALUES))
def test_a_bad_value_on_create_is_a_400_naming_the_field_and_saves_nothing(field, value, superuser, provider_on):
    response = call(api_client(superuser), "create", body={**MATTERMOST_BODY, field: value})
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["id"] == "api.invalid_request" and data["status_code"] == 400
    assert list(data["errors"]) == [field]
    assert all(isinstance(message, str) and message for message in data["errors"][field])
    assert field in data["message"]
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="oauth_app.").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", BAD_VALUES, ids=ids(BAD_VALUES))
def test_a_bad_value_on_update_is_a_400_naming_the_field_and_changes_nothing(
    field, value, superuser, make_app, provider_on
):
    app = make_app(creator=superuser)
    before = stored(app)
    response = call(api_client(superuser), "update", app, {"name": "Renamed", field: value})
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]
    assert stored(app) == before
    assert not AuditEvent.objects.filter(action="oauth_app.updated").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", GOOD_VALUES, ids=ids(GOOD_VALUES))
def test_a_good_value_is_stored_as_sent(field, value, superuser, make_app, provider_on):
    client = api_client(superuser)
    created = call(client, "create", body={**MATTERMOST_BODY, field: value})
    assert created.status_code == 201, created.content
    assert created.json()[field] == value
    app = Application.objects.get(client_id=created.json()["id"])
    assert applications.describe(app)[field] == value

    other = make_app(creator=superuser)
    updated = call(client, "update", other, {field: value})
    assert updated.status_code == 200, updated.content
    assert applications.describe(Application.objects.get(pk=other.pk))[field] == value


@pytest.mark.django_db
def test_errors_for_several_fields_come_together(superuser, provider_on):
    body = {**MATTERMOST_BODY, "name": "", "homepage": "javascript:alert(1)", "callback_urls": ["x"]}
    response = call(api_client(superuser), "create", body=body)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "name": ["This field cannot be blank."],
        "homepage": ["Homepage must be a valid URL and start with http:// or https://."],
        "callback_urls": ["Callback URL must be a valid URL and start with http:// or https://."],
    }


@pytest.mark.django_db
def test_unknown_fields_are_named_along_with_bad_ones(superuser, provider_on):
    body = {**MATTERMOST_BODY, "name": 42, "secret_sauce": True, "redirect_uris": "https://x.example.com/cb"}
    response = call(api_client(superuser), "create", body=body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "secret_sauce", "redirect_uris"}
    assert "Unknown field" in response.json()["errors"]["secret_sauce"][0]
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_an_emoji_hostname_gets_the_callback_rule_in_plain_words(superuser, provider_on):
    body = {**MATTERMOST_BODY, "callback_urls": ["https://\U0001f600.example/cb"]}
    response = call(api_client(superuser), "create", body=body)
    assert response.json()["errors"] == {
        "callback_urls": ["Callback URL must be a valid URL and start with http:// or https://."]
    }


@pytest.mark.django_db
def test_a_name_with_a_line_break_gets_the_rule_in_plain_words(superuser, provider_on):
    body = {**MATTERMOST_BODY, "name": "Line one\nLine two"}
    response = call(api_client(superuser), "create", body=body)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "name": ["Display Name must not contain line breaks or other control characters."]
    }


@pytest.mark.django_db
def test_a_plain_http_callback_is_refused_by_url(superuser, provider_on):
    body = {**MATTERMOST_BODY, "callback_urls": ["https://zapier.example.com/cb", "http://app.example.com/cb"]}
    response = call(api_client(superuser), "create", body=body)
    assert response.status_code == 400
    [message] = response.json()["errors"]["callback_urls"]
    assert message.startswith("Callback URL http://app.example.com/cb must start with https://")
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_plain_http_callbacks_are_accepted_for_any_host_when_the_site_allows_them(
    superuser, provider_on, mm_oauth_settings
):
    mm_oauth_settings(ALLOW_HTTP_CALLBACKS=True)
    body = {**MATTERMOST_BODY, "callback_urls": ["http://app.example.com/cb"]}
    response = call(api_client(superuser), "create", body=body)
    assert response.status_code == 201, response.content
    assert response.json()["callback_urls"] == ["http://app.example.com/cb"]
    userinfo = {**MATTERMOST_BODY, "callback_urls": ["http://u:p@app.example.com/cb"]}
    assert call(api_client(superuser), "create", body=userinfo).status_code == 400  # never, whatever the setting


@pytest.mark.django_db
def test_a_null_icon_url_clears_it(superuser, make_app, provider_on):
    app = make_app(creator=superuser, icon_url="https://app.example.com/icon.png")
    response = call(api_client(superuser), "update", app, {"icon_url": None})
    assert response.status_code == 200 and response.json()["icon_url"] == ""
    assert Application.objects.get(pk=app.pk).icon_url == ""


@pytest.mark.django_db
@pytest.mark.parametrize("body", [[MATTERMOST_BODY], "an app", 42])
def test_a_body_that_is_not_an_object_is_a_400(body, superuser, provider_on):
    response = api_client(superuser).post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_form_post_is_refused(superuser, provider_on):
    response = api_client(superuser).post(URL, {"name": "x"})
    assert response.status_code == 415
    assert response.json()["id"] == "api.unsupported_media_type"


# --- Paging and query counts ------------------------------------------------


@pytest.mark.django_db
def test_paging_counts_pages_from_zero(superuser, make_app, provider_on):
    ids = [make_app(creator=superuser).client_id for _ in range(5)]
    client = api_client(superuser)
    assert [a["id"] for a in client.get(URL, {"per_page": 2}).json()] == ids[:2]
    assert [a["id"] for a in client.get(URL, {"page": 1, "per_page": 2}).json()] == ids[2:4]
    assert [a["id"] for a in client.get(URL, {"page": 2, "per_page": 2}).json()] == ids[4:]
    assert client.get(URL, {"page": 3, "per_page": 2}).json() == []
    assert [a["id"] for a in client.get(URL).json()] == ids  # per_page defaults to 60
    assert [a["id"] for a in client.get(URL, {"page": "", "per_page": ""}).json()] == ids  # empty: the default


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, name",
    [
        ({"page": -1}, "page"),
        ({"page": "first"}, "page"),
        ({"page": 1.5}, "page"),
        ({"page": 10**12}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 201}, "per_page"),
        ({"per_page": "all"}, "per_page"),
    ],
)
def test_out_of_range_paging_is_a_400_naming_the_parameter(params, name, superuser, provider_on):
    response = api_client(superuser).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]
    assert name in response.json()["message"]


@pytest.mark.django_db
def test_per_page_accepts_up_to_200(superuser, provider_on):
    assert api_client(superuser).get(URL, {"per_page": 200}).status_code == 200


def make_many(creator, count):
    """Register ``count`` apps in one query (the listing, not registration, is under test)."""
    Application.objects.bulk_create(
        Application(
            user=creator,
            name=f"Bulk {i}",
            description="d",
            homepage="https://bulk.example.com/",
            redirect_uris="https://bulk.example.com/cb",
            client_secret=f"secret-{i}",
        )
        for i in range(count)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["superuser", "owner"])
def test_listing_runs_the_same_queries_for_1_and_500_apps(role, make_user, provider_on):
    update_provider_settings(restrict_to_admins=False)
    actor = make_user(is_superuser=True) if role == "superuser" else make_user()
    counts = {}
    for total in (1, 500):
        Application.objects.all().delete()
        make_many(actor, total)
        client = api_client(actor)
        client.get(URL)  # warm the provider-settings cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"per_page": 200, "page": 0 if total == 1 else 2})
        assert response.status_code == 200
        assert len(response.json()) == (1 if total == 1 else 100)
        counts[total] = len(queries)
    assert counts[1] == counts[500], counts
    # Session, user, (for non-superusers) user and group permissions, then one page of apps.
    assert counts[1] == (3 if role == "superuser" else 5), counts


# --- Secrets ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_secret_is_only_in_the_create_and_regenerate_responses(superuser, provider_on):
    client = api_client(superuser)
    created = call(client, "create")
    assert created.status_code == 201
    secret = created.json()["client_secret"]
    assert len(secret) >= 64
    app = Application.objects.get(client_id=created.json()["id"])
    assert app.client_secret != secret  # stored hashed

    for response in (
        call(client, "list"),
        call(client, "get", app),
        call(client, "update", app, {"description": "Changed"}),
        call(client, "info", app),
    ):
        assert response.status_code == 200
        assert "client_secret" not in response.content.decode()
        assert secret not in response.content.decode() and app.client_secret not in response.content.decode()

    regenerated = call(client, "regen", app)
    assert regenerated.status_code == 200
    assert set(regenerated.json()) == APP_KEYS | {"client_secret"}
    assert regenerated.json()["client_secret"] not in ("", secret)


def token_request(client_id, secret):
    # invalid_grant: the client authenticated (the refresh token is bogus); invalid_client: it did not.
    response = Client().post(
        "/oauth/access_token",
        {"grant_type": "refresh_token", "refresh_token": "bogus", "client_id": client_id, "client_secret": secret},
    )
    return response.json()["error"]


@pytest.mark.django_db
def test_the_regenerated_secret_works_at_the_token_endpoint_and_the_old_one_does_not(superuser, provider_on):
    client = api_client(superuser)
    created = call(client, "create").json()
    assert token_request(created["id"], created["client_secret"]) == "invalid_grant"

    new = call(client, "regen", created["id"]).json()["client_secret"]

    assert token_request(created["id"], new) == "invalid_grant"
    assert token_request(created["id"], created["client_secret"]) == "invalid_client"


@pytest.mark.django_db
def test_public_clients_get_no_secret_and_cannot_regenerate_one(superuser, provider_on):
    client = api_client(superuser)
    created = call(client, "create", body={**MATTERMOST_BODY, "client_type": "public"})
    assert created.status_code == 201
    assert created.json()["client_secret"] == "" and created.json()["client_type"] == "public"
    response = call(client, "regen", created.json()["id"])
    assert response.status_code == 400
    assert "client_type" in response.json()["errors"]


# --- Clients written for Mattermost ----------------------------------------


@pytest.mark.django_db
def test_a_mattermost_client_registers_an_app_unchanged(superuser, provider_on):
    response = api_client(superuser).post(URL, MATTERMOST_BODY, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert set(data) == APP_KEYS | {"client_secret"}
    app = Application.objects.get(client_id=data["id"])
    assert token_request(data["id"], data["client_secret"]) == "invalid_grant"
    assert data["creator_id"] == str(superuser.pk)
    assert data["callback_urls"] == MATTERMOST_BODY["callback_urls"] == app.callback_urls
    # created and updated are stamped by separate clock reads in one save: each may differ by a millisecond.
    assert data["create_at"] == int(app.created.timestamp() * 1000)
    assert data["update_at"] == int(app.updated.timestamp() * 1000)
    assert data["client_type"] == "confidential"


@pytest.mark.django_db
def test_mattermosts_go_client_may_send_its_whole_struct(superuser, provider_on):
    # model.OAuthApp marshals every field, the server's own included.
    body = {
        **MATTERMOST_BODY,
        "id": "",
        "creator_id": "",
        "create_at": 0,
        "update_at": 0,
        "client_secret": "chosen-by-the-client",
        "mattermost_app_id": "",
    }
    response = api_client(superuser).post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"] and data["creator_id"] == str(superuser.pk) and data["create_at"] > 0
    assert data["client_secret"] != "chosen-by-the-client"  # secrets are the server's to generate


@pytest.mark.django_db
def test_an_app_read_back_and_sent_whole_updates_it(superuser, make_app, provider_on):
    app = make_app(creator=superuser)
    client = api_client(superuser)
    original = client.get(app_url(app)).json()
    body = {**original, "name": "Renamed", "client_secret": "x", "creator_id": "42", "create_at": 1, "update_at": 2}
    response = client.put(app_url(app), body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
    assert response.json()["creator_id"] == original["creator_id"] == str(superuser.pk)
    assert response.json()["create_at"] == original["create_at"]
    row = Application.objects.get(pk=app.pk)
    assert row.name == "Renamed" and row.user == superuser
    assert token_request(app.client_id, app.plain_secret) == "invalid_grant"  # the secret is untouched


@pytest.mark.django_db
def test_put_changes_only_the_fields_sent(superuser, make_app, provider_on):
    app = make_app(creator=superuser, icon_url="https://app.example.com/icon.png")
    before = stored(app)
    response = api_client(superuser).put(app_url(app), {"description": "New words"}, content_type="application/json")
    assert response.status_code == 200
    after = stored(app)
    assert after.pop("description") == "New words"
    assert {k: v for k, v in before.items() if k not in ("description", "updated")} == {
        k: v for k, v in after.items() if k != "updated"
    }
    assert response.json()["update_at"] == int(after["updated"].timestamp() * 1000)


@pytest.mark.django_db
def test_put_with_another_apps_id_is_refused(superuser, make_app, provider_on):
    app, other = make_app(creator=superuser), make_app(creator=superuser)
    before = stored(app)
    response = api_client(superuser).put(
        app_url(app), {"id": other.client_id, "name": "Hijack"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["id"]
    assert stored(app) == before and stored(other)["name"] == other.name


@pytest.mark.django_db
def test_is_trusted_from_others_than_superusers_is_ignored(make_user, superuser, provider_on):
    staff = make_user(is_staff=True)
    created = call(api_client(staff), "create", body={**MATTERMOST_BODY, "is_trusted": True})
    assert created.status_code == 201 and created.json()["is_trusted"] is False

    app = Application.objects.get(client_id=created.json()["id"])
    applications.update_application(app, actor=superuser, is_trusted=True)
    updated = call(api_client(staff), "update", app, {"is_trusted": False, "name": "Still trusted"})
    assert updated.status_code == 200
    assert updated.json()["is_trusted"] is True and Application.objects.get(pk=app.pk).is_trusted is True

    by_superuser = call(api_client(superuser), "update", app, {"is_trusted": False})
    assert by_superuser.json()["is_trusted"] is False


@pytest.mark.django_db
def test_the_client_type_is_fixed_at_registration(superuser, make_app, provider_on):
    app = make_app(creator=superuser)
    client = api_client(superuser)
    assert call(client, "update", app, {"client_type": "confidential"}).status_code == 200
    response = call(client, "update", app, {"client_type": "public"})
    assert response.status_code == 400 and "client_type" in response.json()["errors"]
    assert Application.objects.get(pk=app.pk).client_type == "confidential"


@pytest.mark.django_db
def test_info_gives_public_fields_only_to_anyone_signed_in(user, make_user, make_app, provider_on):
    app = make_app(creator=make_user(), icon_url="https://app.example.com/icon.png")
    response = call(api_client(user), "info", app)
    assert response.status_code == 200
    assert response.json() == {
        "id": app.client_id,
        "name": app.name,
        "description": app.description,
        "homepage": app.homepage,
        "icon_url": "https://app.example.com/icon.png",
        "callback_urls": app.callback_urls,
        "is_trusted": False,
    }


# --- Deletion and the audit trail -------------------------------------------


@pytest.mark.django_db
def test_delete_revokes_every_token_code_and_grant_of_the_app(superuser, user, make_user, make_app, provider_on):
    app, other = make_app(creator=superuser), make_app(creator=superuser)
    issue_tokens(app, user, 3)
    issue_tokens(app, make_user(), 2)
    issue_tokens(other, user, 1)

    response = call(api_client(superuser), "delete", app)

    assert response.status_code == 200 and response.json() == {"status": "OK"}
    assert not Application.objects.filter(pk=app.pk).exists()
    for model in (get_access_token_model(), get_refresh_token_model(), get_grant_model()):
        assert not model.objects.filter(application_id=app.pk).exists()
        assert model.objects.filter(application=other).count() == 1
    assert call(api_client(superuser), "get", app).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, event",
    [
        ("create", "oauth_app.created"),
        ("update", "oauth_app.updated"),
        ("regen", "oauth_app.secret_regenerated"),
        ("delete", "oauth_app.deleted"),
    ],
)
def test_every_change_is_audited_with_the_callers_address(action, event, superuser, make_app, provider_on):
    app = make_app(creator=superuser)
    AuditEvent.objects.all().delete()
    response = call(api_client(superuser), action, app)
    assert response.status_code in (200, 201)
    recorded = AuditEvent.objects.get()
    assert recorded.action == event
    assert recorded.actor == superuser and recorded.ip_address == ADDRESS
    target = response.json()["id"] if action == "create" else app.client_id
    assert recorded.target_id == target
    if "client_secret" in response.json():
        assert response.json()["client_secret"] not in str(recorded.changes)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["list", "get", "info"])
def test_reads_leave_no_audit_event(action, superuser, make_app, provider_on):
    app = make_app(creator=superuser)
    AuditEvent.objects.all().delete()
    assert call(api_client(superuser), action, app).status_code == 200
    assert not AuditEvent.objects.exists()
