"""The Django admin: no client secret or token shown; changes go through the services (audit, signals, policy)."""

import html
from unittest.mock import ANY

import pytest
from django.contrib import admin
from oauth2_provider.models import get_access_token_model, get_application_model, get_refresh_token_model

from mm_oauth import signals
from mm_oauth.admin import ApplicationAdmin
from mm_oauth.models import AuditEvent, Membership, Organization
from tests.oauth_helpers import obtain_tokens
from tests.test_app_services import issue_tokens
from tests.test_org_pages import admin_form_data

pytestmark = pytest.mark.django_db


def test_the_swapped_model_uses_mm_oauths_admin():
    assert isinstance(admin.site._registry[get_application_model()], ApplicationAdmin)


def test_application_pages_show_no_secret(client, superuser, make_app):
    app = make_app()
    app.refresh_from_db()
    client.force_login(superuser)
    for url in (
        "/admin/mm_oauth/application/",
        f"/admin/mm_oauth/application/{app.pk}/change/",
        f"/admin/mm_oauth/application/?q={app.client_id}",
    ):
        page = client.get(url).content.decode()
        assert app.client_id in page
        assert app.plain_secret not in page
        assert app.client_secret not in page  # not even the hash


def test_applications_are_not_added_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/mm_oauth/application/add/").status_code == 403


def test_only_superusers_may_change_is_trusted(client, make_user, make_app):
    from django.contrib.auth.models import Permission

    staff = make_user("staff", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_application", "view_application"]))
    app = make_app()
    client.force_login(staff)
    page = client.get(f"/admin/mm_oauth/application/{app.pk}/change/").content.decode()
    assert 'name="is_trusted"' not in page


def test_token_pages_mask_tokens(client, superuser, user, provider_on, make_app):
    app = make_app(is_trusted=True)
    client.force_login(user)
    body = obtain_tokens(client, app)
    token = get_access_token_model().objects.get()
    refresh = get_refresh_token_model().objects.get()
    client.force_login(superuser)
    for url in (
        "/admin/oauth2_provider/accesstoken/",
        f"/admin/oauth2_provider/accesstoken/{token.pk}/change/",
        "/admin/oauth2_provider/refreshtoken/",
        f"/admin/oauth2_provider/refreshtoken/{refresh.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        # Only the one-way SHA-256 checksum is stored; the tokens themselves are nowhere.
        assert body["access_token"] not in page
        assert body["refresh_token"] not in page


# ---------------------------------------------------------------------------
# Changes in the admin go through the application services: policy, audit event, signal.
# ---------------------------------------------------------------------------


def change_url(app):
    return f"/admin/mm_oauth/application/{app.pk}/change/"


@pytest.fixture
def received():
    """Collect what ``app_updated`` and ``app_deleted`` send while the test runs."""
    calls = []

    def updated(**kwargs):
        calls.append(("app_updated", kwargs["app"].client_id, kwargs.get("changes"), kwargs["actor"]))

    def deleted(**kwargs):
        calls.append(("app_deleted", kwargs["app"].client_id, None, kwargs["actor"]))

    signals.app_updated.connect(updated)
    signals.app_deleted.connect(deleted)
    yield calls
    signals.app_updated.disconnect(updated)
    signals.app_deleted.disconnect(deleted)


def test_an_admin_edit_is_audited_and_signalled(client, superuser, make_app, received):
    app = make_app(name="Before", callback_urls=["https://a.example.com/1"])
    client.force_login(superuser)
    data = admin_form_data(client.get(change_url(app)))
    assert data["redirect_uris"] == "https://a.example.com/1"
    data.update(name="After", redirect_uris="https://a.example.com/1\r\nhttps://a.example.com/2\r\n")

    response = client.post(change_url(app), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    app.refresh_from_db()
    assert app.name == "After" and app.callback_urls == ["https://a.example.com/1", "https://a.example.com/2"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.APP_UPDATED)
    assert event.actor == superuser and event.target_id == app.client_id
    assert event.changes == {
        "name": ["Before", "After"],
        "callback_urls": [["https://a.example.com/1"], ["https://a.example.com/1", "https://a.example.com/2"]],
    }
    assert received == [("app_updated", app.client_id, event.changes, superuser)]


def test_an_admin_save_without_changes_records_nothing(client, superuser, make_app, received):
    app = make_app(callback_urls=["https://a.example.com/1", "https://a.example.com/2"])
    client.force_login(superuser)
    data = admin_form_data(client.get(change_url(app)))
    assert client.post(change_url(app), data).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.APP_UPDATED).exists()
    assert received == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "Line one\nLine two", "Display Name must not contain line breaks or other control characters."),
        ("name", "Evil\u202eelgooG", "Display Name must not contain bidirectional text controls"),
        ("redirect_uris", "http://app.example.com/cb", "Callback URL http://app.example.com/cb must start with"),
        ("redirect_uris", "https://a.example.com/x https://b.example.com/y", "Callback URL must be a valid URL"),
        ("redirect_uris", "https://a.example.com/cb#frag", "must not contain a fragment"),
        ("homepage", "javascript:alert(1)", "Homepage must be a valid URL"),
        ("allowed_scopes", ["read", "admin"], "admin is not one of the available choices"),
    ],
)
def test_a_bad_value_in_the_admin_shows_in_the_form_and_changes_nothing(
    field, value, message, client, superuser, make_app, received
):
    app = make_app()
    before = get_application_model().objects.filter(pk=app.pk).values().get()
    client.force_login(superuser)
    data = {**admin_form_data(client.get(change_url(app))), field: value}

    response = client.post(change_url(app), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors[field]
    assert any(message in text for text in errors), errors
    assert html.escape(errors[0]) in response.content.decode()
    assert get_application_model().objects.filter(pk=app.pk).values().get() == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.APP_UPDATED).exists() and received == []


def test_the_client_type_and_creator_are_fixed_in_the_admin(client, superuser, make_user, make_app):
    app = make_app(creator=superuser)
    client.force_login(superuser)
    data = admin_form_data(client.get(change_url(app)))
    assert "client_type" not in data and "user" not in data
    data.update(client_type="public", user=str(make_user().pk))
    assert client.post(change_url(app), data).status_code == 302
    app.refresh_from_db()
    assert app.client_type == "confidential" and app.user == superuser


def test_deleting_in_the_admin_revokes_tokens_and_is_audited(client, superuser, user, make_app, received):
    app, other = make_app(), make_app()
    issue_tokens(app, user, 2)
    issue_tokens(other, user, 1)
    client.force_login(superuser)

    response = client.post(f"/admin/mm_oauth/application/{app.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not get_application_model().objects.filter(pk=app.pk).exists()
    assert get_access_token_model().objects.count() == get_refresh_token_model().objects.count() == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.APP_DELETED)
    assert event.actor == superuser and event.target_id == app.client_id and event.changes["revoked"]
    assert received == [("app_deleted", app.client_id, None, superuser)]


def test_the_bulk_delete_action_deletes_each_app_through_the_service(client, superuser, user, make_app, received):
    apps = [make_app(), make_app()]
    kept = make_app()
    for app in [*apps, kept]:
        issue_tokens(app, user, 1)
    client.force_login(superuser)
    data = {"action": "delete_selected", "_selected_action": [str(app.pk) for app in apps]}

    confirm = client.post("/admin/mm_oauth/application/", data)
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    response = client.post("/admin/mm_oauth/application/", {**data, "post": "yes"})

    assert response.status_code == 302
    assert list(get_application_model().objects.all()) == [kept]
    assert get_access_token_model().objects.get().application == kept
    deleted = AuditEvent.objects.filter(action=AuditEvent.Action.APP_DELETED)
    assert sorted(deleted.values_list("target_id", flat=True)) == sorted(app.client_id for app in apps)
    assert sorted(call[1] for call in received) == sorted(app.client_id for app in apps)


@pytest.fixture
def staff(make_user):
    """A staff user (an admin in mm_oauth's policy) who may change and delete applications in the admin."""
    from django.contrib.auth.models import Permission

    user = make_user("staff", is_staff=True)
    codenames = ["change_application", "view_application", "delete_application"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames, content_type__app_label="mm_oauth"))
    return user


@pytest.mark.parametrize("trusted", [False, True])
def test_a_staff_user_cannot_change_is_trusted(trusted, client, staff, make_app):
    app = make_app(creator=staff, is_trusted=trusted)
    client.force_login(staff)
    page = client.get(change_url(app))
    assert 'name="is_trusted"' not in page.content.decode()
    data = {**admin_form_data(page), "name": "Renamed", "is_trusted": "" if trusted else "on"}

    assert client.post(change_url(app), data).status_code == 302

    app.refresh_from_db()
    assert app.name == "Renamed" and app.is_trusted is trusted
    assert AuditEvent.objects.get(action=AuditEvent.Action.APP_UPDATED).changes == {"name": [ANY, "Renamed"]}


def test_a_staff_user_cannot_change_or_delete_an_app_the_policy_keeps_from_them(client, staff, make_app):
    app = make_app()  # registered by the system, not by them
    client.force_login(staff)
    page = client.get(change_url(app))
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()  # read-only
    assert client.post(change_url(app), {"name": "Renamed"}).status_code == 403
    assert client.post(f"/admin/mm_oauth/application/{app.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [str(app.pk)], "post": "yes"}
    client.post("/admin/mm_oauth/application/", bulk)
    assert get_application_model().objects.filter(pk=app.pk, name=app.name).exists()
    assert not AuditEvent.objects.filter(action__startswith="oauth_app.", actor=staff).exists()


# ---------------------------------------------------------------------------
# Organizations: a new one needs an owner.
# ---------------------------------------------------------------------------

ORG_ADD_URL = "/admin/mm_oauth/organization/add/"


def org_add_data(client, rows):
    """Return the organization add form's data with ``rows`` of (user, role) in the membership inline."""
    data = admin_form_data(client.get(ORG_ADD_URL))
    data.update(name="Initech", slug="initech", restrict_third_party_apps="on")
    data["memberships-TOTAL_FORMS"] = str(len(rows))
    for index, (person, role) in enumerate(rows):
        data[f"memberships-{index}-user"] = str(person.pk)
        data[f"memberships-{index}-role"] = role
    return data


@pytest.mark.parametrize("roles", [[], ["member"], ["member", "member"]], ids=["nobody", "a-member", "two-members"])
def test_an_organization_added_without_an_owner_is_refused(roles, client, superuser, make_user):
    client.force_login(superuser)
    data = org_add_data(client, [(make_user(), role) for role in roles])

    response = client.post(ORG_ADD_URL, data)

    assert response.status_code == 200
    assert "An organization needs at least one owner." in response.content.decode()
    assert not Organization.objects.exists() and not Membership.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="org.").exists()


def test_an_organization_added_with_an_owner_is_saved_and_audited(client, superuser, make_user):
    owner, member = make_user("olivia"), make_user("bob")
    client.force_login(superuser)

    response = client.post(ORG_ADD_URL, org_add_data(client, [(owner, "owner"), (member, "member")]))

    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organization.objects.get(slug="initech")
    assert sorted(org.memberships.values_list("user__username", "role")) == [("bob", "member"), ("olivia", "owner")]
    actions = AuditEvent.objects.filter(actor=superuser, target_id="initech").values_list("action", flat=True)
    assert sorted(actions) == ["org.created", "org.member_added", "org.member_added"]
