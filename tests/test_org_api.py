"""``/api/v4/organizations``: who may do what on every endpoint, bad input, the states, nothing changed on errors."""

import json

import pytest
from django.core import mail
from django.test import Client, TestCase

from mm_oauth.api.schema import SchemaGenerator
from mm_oauth.models import AppAccess, AuditEvent, Organization
from mm_oauth.services import organizations as orgs
from mm_oauth.services.provider_settings import update_provider_settings
from tests.test_api_apps import api_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]

BASE = "/api/v4/organizations"
JSON = "application/json"
ACCESS_KEYS = {"app", "state", "requested_by", "requested_at", "decided_by", "decided_at", "owned"}
APP_KEYS = {"id", "name", "description", "homepage", "icon_url"}
ORG_KEYS = {"id", "name", "slug", "role", "restrict_third_party_apps", "create_at"}


def call(client, action, *, app=None, body=None, slug="acme", **headers):
    """Perform one endpoint's action; ``app`` is the target of the per-app actions.

    The request's on-commit work (the notices) runs at its end, as it would outside the test's transaction.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        return request(client, action, app=app, body=body, slug=slug, **headers)


def request(client, action, *, app, body, slug, **headers):
    client_id = app if isinstance(app, str) else getattr(app, "client_id", "none")
    org_url = f"{BASE}/{slug}"
    app_url = f"{org_url}/oauth/apps/{client_id}"
    if action == "list":
        return client.get(BASE, **headers)
    if action == "create":
        return client.post(BASE, body or {"name": "Beta", "slug": "beta"}, content_type=JSON, **headers)
    if action == "add_member":
        return client.post(f"{org_url}/members", body, content_type=JSON, **headers)
    if action == "list_members":
        return client.get(f"{org_url}/members", **headers)
    if action == "remove_member":
        return client.delete(f"{org_url}/members/{body['user_id']}", **headers)
    if action == "get_policy":
        return client.get(f"{org_url}/oauth/policy", **headers)
    if action == "put_policy":
        body = body if body is not None else {"restrict_third_party_apps": False}
        return client.put(f"{org_url}/oauth/policy", body, content_type=JSON, **headers)
    if action == "list_apps":
        return client.get(f"{org_url}/oauth/apps", **headers)
    if action in ("request", "approve", "deny"):
        return client.post(f"{app_url}/{action}", content_type=JSON, **headers)
    raise AssertionError(action)


# --- Who may do what -------------------------------------------------------

ACTIONS = (
    "list",
    "create",
    "add_member",
    "list_members",
    "remove_member",
    "get_policy",
    "put_policy",
    "list_apps",
    "request",
    "approve",
    "deny",
)
OWNER = {
    "list": 200,
    "create": 201,
    "add_member": 201,
    "list_members": 200,
    "remove_member": 200,
    "get_policy": 200,
    "put_policy": 200,
    "list_apps": 200,
    "request": 200,
    "approve": 200,
    "deny": 200,
}
MEMBER = {**OWNER, "add_member": 403, "remove_member": 403, "put_policy": 403, "approve": 403, "deny": 403}
OUTSIDER = {"list": 200, "create": 201, **dict.fromkeys(ACTIONS[2:], 404)}
MATRIX = {
    "owner": OWNER,
    "member": MEMBER,
    "outsider": OUTSIDER,
    "anonymous": dict.fromkeys(ACTIONS, 401),
    # Even an owner's own token: an app may never approve itself or change a policy.
    "owner's token": dict.fromkeys(ACTIONS, 403),
}


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix(action, role, org, owner, member, outsider, make_user, app, snapshot, bearer_token):
    newcomer = make_user("nina")
    headers = {}
    if role == "owner's token":
        client = api_client()
        headers = bearer_token(owner, app)
    else:
        client = api_client({"owner": owner, "member": member, "outsider": outsider}.get(role))
    body = {"user_id": str(newcomer.pk), "role": "member"} if action == "add_member" else None
    if action == "remove_member":  # the newcomer joined; who may remove them?
        orgs.add_member(actor=owner, org=org, user_id=newcomer.pk, role="member")
        body = {"user_id": newcomer.pk}
    before = snapshot()
    response = call(client, action, app=app, body=body, **headers)

    assert response.status_code == MATRIX[role][action], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"id", "message", "status_code"}
        assert snapshot() == before, "an error changed something"
    if response.status_code == 403 and role == "member":
        assert response.json()["message"] == "Only the organization's owners may do this."
    if response.status_code == 403 and role == "owner's token":
        assert "not available to OAuth 2.0 applications" in response.json()["message"]
    if response.status_code == 404:
        assert response.json() == {"id": "api.not_found", "message": "No such organization.", "status_code": 404}


@pytest.mark.parametrize(
    "action", ["create", "add_member", "remove_member", "put_policy", "request", "approve", "deny"]
)
def test_changes_need_the_csrf_token(action, org, owner, make_user, app, snapshot):
    newcomer = make_user("nina")
    body = {"user_id": newcomer.pk, "role": "member"}
    if action == "remove_member":
        orgs.add_member(actor=owner, org=org, user_id=newcomer.pk, role="member")
    before = snapshot()
    response = call(api_client(owner, csrf=False), action, app=app, body=body)
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert snapshot() == before


def test_an_unknown_organization_is_a_404_like_one_you_are_not_in(owner):
    assert call(api_client(owner), "get_policy", slug="nope").status_code == 404


@pytest.mark.parametrize("action, role", [("request", "member"), ("approve", "owner"), ("deny", "owner")])
def test_an_unknown_client_id_is_a_404(action, role, owner, member, snapshot):
    before = snapshot()
    response = call(api_client({"owner": owner, "member": member}[role]), action, app="no-such-app")
    assert response.status_code == 404
    assert response.json()["message"] == "No such OAuth 2.0 application."
    assert snapshot() == before


def test_a_member_deciding_about_an_unknown_app_learns_only_that_it_is_an_owners_thing(member):
    assert call(api_client(member), "approve", app="no-such-app").status_code == 403


def test_they_work_while_the_provider_is_switched_off(org, owner, app):
    # An owner must always be able to withdraw an organization's access.
    update_provider_settings(enable_provider=False)
    assert call(api_client(owner), "deny", app=app).status_code == 200
    assert call(api_client(owner), "list_apps").status_code == 200


# --- Organizations and members -----------------------------------------------


def test_create_makes_you_the_owner_of_a_restricted_organization(owner):
    response = call(api_client(owner), "create", body={"name": "Beta Corp", "slug": "beta"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == ORG_KEYS
    assert body["name"] == "Beta Corp" and body["slug"] == "beta" and body["role"] == "owner"
    assert body["restrict_third_party_apps"] is True
    assert body["id"] == str(Organization.objects.get(slug="beta").pk)
    assert isinstance(body["create_at"], int) and body["create_at"] > 1_600_000_000_000
    assert orgs.membership_of(owner, Organization.objects.get(slug="beta")).is_owner


def test_list_shows_only_your_organizations_with_your_role(org, owner, member, outsider):
    orgs.create_organization(actor=outsider, name="Elsewhere", slug="elsewhere")
    orgs.create_organization(actor=member, name="Bobs", slug="bobs")
    body = call(api_client(member), "list").json()
    assert [(item["slug"], item["role"]) for item in body] == [("acme", "member"), ("bobs", "owner")]
    assert all(set(item) == ORG_KEYS for item in body)
    assert [item["slug"] for item in call(api_client(member), "list").json()] == ["acme", "bobs"]
    paged = api_client(member).get(BASE, {"page": 1, "per_page": 1}).json()
    assert [item["slug"] for item in paged] == ["bobs"]


def test_add_a_member_then_change_their_role(org, owner, make_user):
    newcomer = make_user("nina")
    client = api_client(owner)
    added = call(client, "add_member", body={"user_id": str(newcomer.pk), "role": "member"})
    assert added.status_code == 201
    assert added.json()["user_id"] == str(newcomer.pk) and added.json()["role"] == "member"
    assert added.json()["organization_id"] == str(org.pk)
    assert set(added.json()) == {"organization_id", "user_id", "role", "create_at"}
    promoted = call(client, "add_member", body={"user_id": newcomer.pk, "role": "owner"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "owner"
    assert orgs.membership_of(newcomer, org).is_owner
    assert call(api_client(newcomer), "put_policy").status_code == 200  # now an owner


@pytest.mark.parametrize("user_id", ["99999999999999999999999", -(2**70), "not-a-number", "", None, True, [1], "1.0"])
def test_a_user_id_that_cannot_be_a_user_is_a_400_naming_the_field(org, owner, user_id, snapshot):
    before = snapshot()
    response = call(api_client(owner), "add_member", body={"user_id": user_id, "role": "member"})
    assert response.status_code == 400
    assert "user_id" in str(response.json())
    assert snapshot() == before


@pytest.mark.parametrize("user_id", ["99999999999999999999999", "not-a-number"])
def test_removing_a_user_id_that_cannot_be_a_user_is_a_404(org, owner, user_id):
    response = call(api_client(owner), "remove_member", body={"user_id": user_id})
    assert response.status_code == 404


def test_members_are_listed_owners_first_and_a_member_may_leave(org, owner, member, make_user):
    listed = call(api_client(member), "list_members").json()
    assert [(item["user_id"], item["role"]) for item in listed] == [
        (str(owner.pk), "owner"),
        (str(member.pk), "member"),
    ]
    assert set(listed[0]) == {"organization_id", "user_id", "role", "create_at"}

    left = call(api_client(member), "remove_member", body={"user_id": member.pk})
    assert left.status_code == 200 and left.json() == {"status": "OK"}
    assert call(api_client(member), "list_members").status_code == 404  # no longer a member: nothing to see
    event = AuditEvent.objects.get(action="org.member_removed")
    assert event.actor == member and event.changes == {"user": member.username, "role": "member"}


def test_the_last_owner_cannot_leave_and_nothing_changes(org, owner, snapshot):
    before = snapshot()
    response = call(api_client(owner), "remove_member", body={"user_id": owner.pk})
    assert response.status_code == 400
    error = response.json()
    assert error["id"] == "api.invalid_request"
    assert error["errors"] == {"user_id": ["An organization needs at least one owner."]}
    assert snapshot() == before


@pytest.mark.parametrize("target", ["outsider", "999999", "not-an-id"])
def test_removing_someone_who_is_not_a_member_is_a_404(target, org, owner, outsider, snapshot):
    before = snapshot()
    user_id = outsider.pk if target == "outsider" else target
    response = call(api_client(owner), "remove_member", body={"user_id": user_id})
    assert response.status_code == 404
    assert response.json()["message"] == "No such member."
    assert snapshot() == before


# --- Bad input: the one error shape, naming the field; nothing changed ----------

BAD_INPUT = [
    ("create", {"name": "", "slug": "ok"}, "name"),
    ("create", {"name": "Ok"}, "slug"),
    ("create", {"name": "Ok", "slug": "not a slug!"}, "slug"),
    ("create", {"name": "Ok", "slug": "acme"}, "slug"),  # taken
    ("create", {"name": 123, "slug": "ok"}, "name"),
    ("create", {"name": "x" * 101, "slug": "ok"}, "name"),
    ("create", {"name": "Ok", "slug": "ok", "owner": "me"}, "owner"),
    ("create", ["Ok", "ok"], "non_field_errors"),
    ("add_member", {"user_id": "999999", "role": "member"}, "user_id"),
    ("add_member", {"user_id": "abc", "role": "member"}, "user_id"),
    ("add_member", {"user_id": True, "role": "member"}, "user_id"),
    ("add_member", {"role": "member"}, "user_id"),
    ("add_member", {"user_id": "1", "role": "admin"}, "role"),
    ("put_policy", {"restrict_third_party_apps": "no"}, "restrict_third_party_apps"),
    ("put_policy", {"restrict_third_party_apps": 0}, "restrict_third_party_apps"),
    ("put_policy", {}, "restrict_third_party_apps"),
    ("put_policy", {"restrict_third_party_apps": False, "extra": 1}, "extra"),
]


@pytest.mark.parametrize(
    "action, body, field", BAD_INPUT, ids=[f"{action}-{field}-{i}" for i, (action, _, field) in enumerate(BAD_INPUT)]
)
def test_bad_input_names_the_field_and_changes_nothing(action, body, field, org, owner, snapshot):
    before = snapshot()
    response = call(api_client(owner), action, body=body)
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["id"] == "api.invalid_request" and error["status_code"] == 400
    assert field in error["errors"] and error["errors"][field]
    assert field in error["message"]
    assert snapshot() == before


def test_a_body_that_is_not_json_is_refused(owner):
    response = api_client(owner).post(BASE, "{not json", content_type=JSON)
    assert response.status_code == 400 and response.json()["id"] == "api.invalid_json"
    assert not Organization.objects.exists()


def test_an_app_the_organization_owns_cannot_be_denied(org, owner, app, snapshot):
    app.organization = org
    app.save()
    before = snapshot()
    response = call(api_client(owner), "deny", app=app)
    assert response.status_code == 400
    assert "client_id" in response.json()["errors"]
    assert snapshot() == before


# --- The states through the API -------------------------------------------------


def test_request_approve_deny_with_who_and_when(org, owner, member, app):
    asked = call(api_client(member), "request", app=app)
    assert asked.status_code == 200
    body = asked.json()
    assert set(body) == ACCESS_KEYS and set(body["app"]) == APP_KEYS
    assert body["app"] == {
        "id": app.client_id,
        "name": "Zapier",
        "description": "Connects apps",
        "homepage": "https://app.example.com/",
        "icon_url": "https://z.example.com/i.png",
    }
    assert body["state"] == "requested" and body["requested_by"] == str(member.pk)
    assert isinstance(body["requested_at"], int) and body["requested_at"] > 0
    assert body["decided_by"] == "" and body["decided_at"] == 0
    assert mail.outbox[-1].to == ["olivia@example.com"]  # the owner is told

    approved = call(api_client(owner), "approve", app=app).json()
    assert approved["state"] == "approved" and approved["decided_by"] == str(owner.pk)
    assert approved["decided_at"] >= body["requested_at"]
    assert mail.outbox[-1].to == ["bob@example.com"]  # the requester is told

    listed = call(api_client(member), "list_apps").json()
    assert [(item["app"]["id"], item["state"]) for item in listed] == [(app.client_id, "approved")]

    denied = call(api_client(owner), "deny", app=app).json()
    assert denied["state"] == "denied" and denied["requested_by"] == str(member.pk)
    assert orgs.access_state(org, app) == AppAccess.State.DENIED


def test_pending_requests_are_listed_first(org, owner, member, make_app):
    first, second, third = make_app(name="A"), make_app(name="B"), make_app(name="C")
    call(api_client(owner), "approve", app=first)
    call(api_client(owner), "deny", app=third)
    call(api_client(member), "request", app=second)
    listed = call(api_client(owner), "list_apps").json()
    assert [(item["app"]["name"], item["state"]) for item in listed] == [
        ("B", "requested"),
        ("A", "approved"),
        ("C", "denied"),
    ]


def test_apps_the_organization_owns_are_listed_as_owned_and_approved(org, owner, member, make_app):
    owned, asked = make_app(name="Owned"), make_app(name="Asked")
    owned.organization = org
    owned.save()
    call(api_client(member), "request", app=asked)
    listed = call(api_client(owner), "list_apps").json()
    assert [(item["app"]["name"], item["state"], item["owned"]) for item in listed] == [
        ("Asked", "requested", False),
        ("Owned", "approved", True),
    ]
    assert listed[1]["decided_by"] == "" and listed[1]["requested_at"] == 0


def test_requesting_again_changes_nothing_and_emails_once(org, member, app):
    call(api_client(member), "request", app=app)
    again = call(api_client(member), "request", app=app)
    assert again.json()["state"] == "requested"
    assert len(mail.outbox) == 1


def test_the_policy_reads_and_changes_and_is_audited(org, owner, member):
    assert call(api_client(member), "get_policy").json() == {"restrict_third_party_apps": True}
    changed = call(api_client(owner), "put_policy", body={"restrict_third_party_apps": False})
    assert changed.json() == {"restrict_third_party_apps": False}
    assert call(api_client(member), "get_policy").json() == {"restrict_third_party_apps": False}
    event = AuditEvent.objects.get(action="org.oauth_app_restrictions_disabled")
    assert event.actor == owner and event.target_id == "acme"


# --- The schema ---------------------------------------------------------------------


def test_the_schema_describes_every_endpoint_and_its_shapes(org, owner, member, app):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    expected = {
        "/api/v4/organizations": {"get", "post"},
        "/api/v4/organizations/{slug}/members": {"get", "post"},
        "/api/v4/organizations/{slug}/members/{user_id}": {"delete"},
        "/api/v4/organizations/{slug}/oauth/policy": {"get", "put"},
        "/api/v4/organizations/{slug}/oauth/apps": {"get"},
        "/api/v4/organizations/{slug}/oauth/apps/{client_id}/request": {"post"},
        "/api/v4/organizations/{slug}/oauth/apps/{client_id}/approve": {"post"},
        "/api/v4/organizations/{slug}/oauth/apps/{client_id}/deny": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) - {"parameters"} == methods, path
        for operation in paths[path].values():
            assert operation["security"] == [{"cookieAuth": []}], path  # tokens are refused
    # The example site's projects endpoints are the host's, not mm_oauth's.
    assert not any("projects" in path for path in paths)

    components = schema["components"]["schemas"]

    def keys(name):
        return set(components[name]["properties"])

    assert set(call(api_client(member), "list").json()[0]) == keys("Organization")
    assert set(call(api_client(member), "request", app=app).json()) == keys("AppAccess")
    assert set(call(api_client(member), "list_apps").json()[0]["app"]) == keys("AppPublic")
    assert set(call(api_client(member), "get_policy").json()) == keys("Policy")
    assert keys("OrganizationCreate") == {"name", "slug"}
    assert keys("MemberInput") == {"user_id", "role"}


def test_responses_are_json_with_mattermost_style_ids(org, owner, member, app):
    response = call(api_client(member), "request", app=app)
    assert response["Content-Type"] == JSON
    assert json.loads(response.content)["requested_by"] == str(member.pk)


def test_an_anonymous_client_is_told_to_sign_in():
    response = Client().get(BASE)
    assert response.status_code == 401 and response.json()["id"] == "api.unauthenticated"
