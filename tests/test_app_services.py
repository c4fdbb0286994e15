"""The application operations: policy, audit trail, signals, secret rotation, bulk revocation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_refresh_token_model,
    set_token_value,
)

from mm_oauth import signals
from mm_oauth.models import Application, AuditEvent
from mm_oauth.services import applications as apps
from mm_oauth.services.provider_settings import update_provider_settings

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
Grant = get_grant_model()

FIELDS = {
    "name": "Zapier",
    "description": "Connects apps",
    "homepage": "https://zapier.example.com/",
    "callback_urls": ["https://zapier.example.com/cb"],
}


@pytest.fixture
def catch():
    """Collect the signals mm_oauth sends during a test."""
    seen = []
    receivers = {}
    for name in ("app_created", "app_updated", "app_deleted", "app_secret_regenerated"):

        def receiver(sender, _name=name, **kwargs):
            seen.append((_name, kwargs))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver)
    yield seen
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


def request_from(ip="203.0.113.7"):
    from django.test import RequestFactory

    return RequestFactory().post("/", REMOTE_ADDR=ip, HTTP_USER_AGENT="pytest-agent")


@pytest.mark.django_db
class TestRegister:
    def test_superuser_registers_a_trusted_app_and_it_is_audited(self, superuser, catch):
        app, secret = apps.register_application(actor=superuser, request=request_from(), is_trusted=True, **FIELDS)
        assert app.user == superuser and app.is_trusted
        event = AuditEvent.objects.get()
        assert event.action == "oauth_app.created"
        assert event.actor == superuser and event.actor_label == "root"
        assert event.target_id == app.client_id and event.ip_address == "203.0.113.7"
        assert event.user_agent == "pytest-agent"
        assert secret not in str(event.changes) and app.client_secret not in str(event.changes)
        assert [name for name, _ in catch] == ["app_created"]

    def test_is_trusted_from_a_non_superuser_is_ignored(self, make_user):
        staff = make_user("staff", is_staff=True)
        app, _ = apps.register_application(actor=staff, is_trusted=True, **FIELDS)
        assert app.is_trusted is False

    def test_plain_users_may_not_register_while_restricted(self, user):
        with pytest.raises(PermissionDenied):
            apps.register_application(actor=user, **FIELDS)
        assert not Application.objects.exists() and not AuditEvent.objects.exists()

    def test_plain_users_may_register_when_unrestricted(self, user):
        update_provider_settings(restrict_to_admins=False)
        app, _ = apps.register_application(actor=user, **FIELDS)
        assert app.user == user

    def test_manage_oauth_permission_lets_a_user_register_while_restricted(self, user):
        from django.contrib.auth.models import Permission

        user.user_permissions.add(Permission.objects.get(codename="manage_oauth"))
        user = type(user).objects.get(pk=user.pk)  # drop the permission cache
        app, _ = apps.register_application(actor=user, **FIELDS)
        assert app.user == user


@pytest.mark.django_db
class TestUpdate:
    def test_changes_are_saved_audited_and_signalled(self, superuser, catch):
        app, _ = apps.register_application(actor=superuser, **FIELDS)
        changed = apps.update_application(
            app, actor=superuser, name="Zapier 2", callback_urls=["https://z.example.com/x"]
        )
        assert changed == {
            "name": ["Zapier", "Zapier 2"],
            "callback_urls": [["https://zapier.example.com/cb"], ["https://z.example.com/x"]],
        }
        app.refresh_from_db()
        assert app.name == "Zapier 2" and app.redirect_uris == "https://z.example.com/x"
        assert AuditEvent.objects.filter(action="oauth_app.updated").get().changes == changed
        assert catch[-1][0] == "app_updated" and catch[-1][1]["changes"] == changed

    def test_bad_input_changes_nothing(self, superuser):
        app, _ = apps.register_application(actor=superuser, **FIELDS)
        with pytest.raises(ValidationError) as excinfo:
            apps.update_application(app, actor=superuser, name="", homepage="nope")
        assert set(excinfo.value.message_dict) == {"name", "homepage"}
        assert app.name == "Zapier"  # the instance is restored too
        app.refresh_from_db()
        assert app.name == "Zapier" and app.homepage == FIELDS["homepage"]
        assert not AuditEvent.objects.filter(action="oauth_app.updated").exists()

    def test_is_trusted_is_kept_for_non_superusers(self, superuser, make_user):
        staff = make_user("staff", is_staff=True)
        app, _ = apps.register_application(actor=superuser, is_trusted=True, creator=staff, **FIELDS)
        apps.update_application(app, actor=staff, is_trusted=False, name="Renamed")
        app.refresh_from_db()
        assert app.is_trusted is True and app.name == "Renamed"

    def test_client_type_is_fixed(self, superuser):
        app, _ = apps.register_application(actor=superuser, **FIELDS)
        with pytest.raises(ValidationError) as excinfo:
            apps.update_application(app, actor=superuser, client_type="public")
        assert "client_type" in excinfo.value.message_dict

    def test_someone_elses_app_is_a_404(self, superuser, make_user):
        update_provider_settings(restrict_to_admins=False)
        owner, other = make_user("owner"), make_user("other")
        app, _ = apps.register_application(actor=owner, **FIELDS)
        with pytest.raises(Http404):
            apps.get_app_for(other, app.client_id)
        with pytest.raises(Http404):
            apps.update_application(app, actor=other, name="Mine now")
        assert apps.get_app_for(owner, app.client_id) == app
        assert apps.get_app_for(superuser, app.client_id) == app


def issue_tokens(app, user, count):
    """Create ``count`` access tokens, each with a refresh token, plus a pending code, in bulk."""
    expires = timezone.now() + timedelta(hours=1)
    access = []
    for i in range(count):
        token = AccessToken(user=user, application=app, expires=expires, scope="read")
        set_token_value(token, f"{app.pk}-{user.pk}-access-{i}")
        token.token_checksum = __import__("hashlib").sha256(token._raw_token.encode()).hexdigest()
        access.append(token)
    AccessToken.objects.bulk_create(access)
    access = list(AccessToken.objects.filter(application=app, user=user).order_by("pk"))
    refresh = []
    for i, token in enumerate(access):
        item = RefreshToken(user=user, application=app, access_token=token)
        set_token_value(item, f"{app.pk}-{user.pk}-refresh-{i}")
        item.token_checksum = __import__("hashlib").sha256(item._raw_token.encode()).hexdigest()
        refresh.append(item)
    RefreshToken.objects.bulk_create(refresh)
    Grant.objects.create(
        user=user, application=app, code=f"code-{app.pk}-{user.pk}", expires=expires, redirect_uri=app.callback_urls[0]
    )


@pytest.mark.django_db
class TestDelete:
    def test_deleting_removes_every_token_code_and_audits(self, superuser, user, make_user, catch):
        app, _ = apps.register_application(actor=superuser, **FIELDS)
        other_app, _ = apps.register_application(actor=superuser, **FIELDS)
        issue_tokens(app, user, 3)
        issue_tokens(app, make_user("bob"), 2)
        issue_tokens(other_app, user, 1)
        revoked = apps.delete_application(app, actor=superuser, request=request_from())
        assert revoked["access_tokens"] == 5 and revoked["refresh_tokens"] == 5 and revoked["grants"] == 2
        assert not Application.objects.filter(pk=app.pk).exists()
        assert AccessToken.objects.count() == 1 and RefreshToken.objects.count() == 1 and Grant.objects.count() == 1
        event = AuditEvent.objects.get(action="oauth_app.deleted")
        assert event.target_id == app.client_id and event.changes["revoked"]["access_tokens"] == 5
        assert catch[-1][0] == "app_deleted"

    def test_deleting_takes_the_same_few_queries_whatever_the_token_count(self, superuser, user):
        counts = {}
        for tokens in (10, 10_000):
            app, _ = apps.register_application(actor=superuser, **FIELDS)
            issue_tokens(app, user, tokens)
            app = Application.objects.get(pk=app.pk)
            with CaptureQueriesContext(connection) as queries:
                apps.delete_application(app, actor=superuser)
            counts[tokens] = len(queries)
            assert not AccessToken.objects.filter(application_id=app.pk).exists()
        assert counts[10] == counts[10_000] <= 20, counts

    def test_a_failure_midway_rolls_everything_back(self, superuser, user, monkeypatch):
        app, _ = apps.register_application(actor=superuser, **FIELDS)
        issue_tokens(app, user, 2)

        def boom(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(Application, "delete", boom)
        with pytest.raises(RuntimeError):
            apps.delete_application(app, actor=superuser)
        assert AccessToken.objects.count() == 2 and Application.objects.filter(pk=app.pk).exists()
        assert not AuditEvent.objects.filter(action="oauth_app.deleted").exists()


def token_request(app, secret):
    return Client(enforce_csrf_checks=True).post(
        "/oauth/access_token",
        {"grant_type": "refresh_token", "refresh_token": "nope", "client_id": app.client_id, "client_secret": secret},
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on")
class TestRegenerate:
    def test_old_secret_fails_at_once_and_new_one_works(self, superuser, catch):
        app, old = apps.register_application(actor=superuser, **FIELDS)
        new = apps.regenerate_secret(app, actor=superuser)
        assert new != old and len(new) >= 64
        # invalid_grant: the client authenticated (the refresh token is bogus); invalid_client: it did not.
        assert token_request(app, new).json()["error"] == "invalid_grant"
        assert token_request(app, old).json()["error"] == "invalid_client"
        event = AuditEvent.objects.get(action="oauth_app.secret_regenerated")
        assert new not in str(event.changes) and old not in str(event.changes)
        assert catch[-1][0] == "app_secret_regenerated"

    def test_issued_tokens_stay_valid(self, superuser, user):
        app, _ = apps.register_application(actor=superuser, **FIELDS)
        issue_tokens(app, user, 1)
        apps.regenerate_secret(app, actor=superuser)
        response = Client().get("/api/v4/users/me", HTTP_AUTHORIZATION=f"Bearer {app.pk}-{user.pk}-access-0")
        assert response.status_code == 200

    def test_grace_period_keeps_the_previous_secret_working_until_it_ends(self, superuser):
        app, old = apps.register_application(actor=superuser, **FIELDS)
        with override_settings(MM_OAUTH={"SECRET_ROTATION_GRACE_SECONDS": 300}):
            new = apps.regenerate_secret(app, actor=superuser)
        assert token_request(app, old).json()["error"] == "invalid_grant"
        assert token_request(app, new).json()["error"] == "invalid_grant"
        Application.objects.filter(pk=app.pk).update(previous_secret_expires_at=timezone.now() - timedelta(seconds=1))
        assert token_request(app, old).json()["error"] == "invalid_client"
        assert token_request(app, new).json()["error"] == "invalid_grant"

    def test_grace_period_also_works_with_http_basic(self, superuser):
        import base64

        app, old = apps.register_application(actor=superuser, **FIELDS)
        apps.regenerate_secret(app, actor=superuser, grace_seconds=60)
        basic = base64.b64encode(f"{app.client_id}:{old}".encode()).decode()
        response = Client().post(
            "/oauth/access_token",
            {"grant_type": "refresh_token", "refresh_token": "nope"},
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )
        assert response.json()["error"] == "invalid_grant"

    def test_public_clients_have_no_secret_to_regenerate(self, superuser):
        app, _ = apps.register_application(actor=superuser, client_type="public", **FIELDS)
        with pytest.raises(ValidationError):
            apps.regenerate_secret(app, actor=superuser)


@pytest.mark.django_db
def test_settings_changes_are_audited(superuser):
    update_provider_settings(actor=superuser, request=request_from("198.51.100.1"), enable_provider=True)
    event = AuditEvent.objects.get(action="oauth_settings.changed")
    assert event.changes == {"enable_provider": [False, True]}
    assert event.ip_address == "198.51.100.1" and event.actor == superuser


@pytest.mark.django_db
def test_audit_trail_is_read_only_in_the_admin(client, superuser):
    update_provider_settings(actor=superuser, enable_provider=True)
    event = AuditEvent.objects.get()
    client.force_login(superuser)
    assert client.get("/admin/mm_oauth/auditevent/").status_code == 200
    assert client.get(f"/admin/mm_oauth/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/mm_oauth/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/mm_oauth/auditevent/add/").status_code == 403
