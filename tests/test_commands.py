"""The management commands: create an app, regenerate its secret, list apps; bad input saves nothing."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mm_oauth.models import Application, AuditEvent
from tests.test_app_services import token_request


def run(*args, **options):
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


CREATE = [
    "mm_oauth_create_app",
    "--name=Zapier",
    "--description=Connects apps",
    "--homepage=https://zapier.example.com/",
    "--callback-url=https://zapier.example.com/cb",
]


@pytest.mark.django_db
class TestCreateApp:
    def test_prints_the_client_id_and_the_secret_once(self):
        output = json.loads(run(*CREATE, "--json"))
        app = Application.objects.get(client_id=output["client_id"])
        assert len(output["client_secret"]) >= 64 and app.client_secret != output["client_secret"]
        assert AuditEvent.objects.get(action="oauth_app.created").target_id == app.client_id

    def test_invalid_fields_are_listed_and_nothing_is_saved(self):
        with pytest.raises(CommandError) as excinfo:
            run(*CREATE[:3], "--homepage=javascript:alert(1)", "--callback-url=https://x.example.com/cb#top")
        message = str(excinfo.value)
        assert "homepage: Homepage must be a valid URL" in message
        assert "must not contain a fragment" in message
        assert not Application.objects.exists() and not AuditEvent.objects.exists()

    def test_scopes_limit_what_the_app_may_ask_for(self):
        output = json.loads(run(*CREATE, "--scope=read", "--scope=read", "--json"))
        assert Application.objects.get(client_id=output["client_id"]).scopes == ["read"]

    def test_without_scopes_the_app_may_ask_for_every_scope(self):
        output = json.loads(run(*CREATE, "--json"))
        assert Application.objects.get(client_id=output["client_id"]).scopes == []

    def test_an_unknown_scope_is_named_and_nothing_is_saved(self):
        with pytest.raises(CommandError) as excinfo:
            run(*CREATE, "--scope=read", "--scope=admin")
        assert "allowed_scopes" in str(excinfo.value) and "admin" in str(excinfo.value)
        assert not Application.objects.exists() and not AuditEvent.objects.exists()

    def test_an_unknown_creator_is_named(self):
        with pytest.raises(CommandError, match="nobody"):
            run(*CREATE, "--creator=nobody")
        assert not Application.objects.exists()


@pytest.mark.django_db
class TestRegenerateSecret:
    def test_prints_a_new_secret_that_replaces_the_old_one(self, make_app, provider_on):
        app = make_app()
        output = run("mm_oauth_regenerate_secret", app.client_id)
        secret = next(line.split(":", 1)[1].strip() for line in output.splitlines() if "New client secret" in line)
        assert "not shown again" in output
        assert token_request(app, secret).json()["error"] == "invalid_grant"
        assert token_request(app, app.plain_secret).json()["error"] == "invalid_client"
        event = AuditEvent.objects.get(action="oauth_app.secret_regenerated")
        assert event.actor is None and secret not in str(event.changes)

    def test_grace_seconds_keep_the_old_secret_working_for_a_while(self, make_app, provider_on):
        app = make_app()
        output = json.loads(run("mm_oauth_regenerate_secret", app.client_id, "--grace-seconds=300", "--json"))
        assert output["client_id"] == app.client_id
        assert token_request(app, app.plain_secret).json()["error"] == "invalid_grant"
        assert token_request(app, output["client_secret"]).json()["error"] == "invalid_grant"

    def test_an_unknown_client_id_is_named(self):
        with pytest.raises(CommandError, match="'no-such-app'"):
            run("mm_oauth_regenerate_secret", "no-such-app")
        assert not AuditEvent.objects.exists()

    def test_a_negative_grace_period_changes_nothing(self, make_app):
        app = make_app()
        before = Application.objects.get(pk=app.pk).client_secret
        with pytest.raises(CommandError, match="--grace-seconds: The grace period cannot be negative"):
            run("mm_oauth_regenerate_secret", app.client_id, "--grace-seconds=-5")
        assert Application.objects.get(pk=app.pk).client_secret == before
        assert not AuditEvent.objects.filter(action="oauth_app.secret_regenerated").exists()

    def test_a_public_client_has_no_secret_to_regenerate(self, make_app):
        app = make_app(client_type="public")
        with pytest.raises(CommandError, match="client_type: Public clients have no secret"):
            run("mm_oauth_regenerate_secret", app.client_id)

    def test_a_non_number_grace_period_is_refused(self, make_app):
        app = make_app()
        with pytest.raises(CommandError, match="grace-seconds"):
            run("mm_oauth_regenerate_secret", app.client_id, "--grace-seconds=soon")


@pytest.mark.django_db
class TestListApps:
    def test_an_empty_list_says_so(self):
        assert run("mm_oauth_list_apps").strip() == "No OAuth 2.0 applications are registered."
        assert json.loads(run("mm_oauth_list_apps", "--json")) == []

    def test_a_table_of_every_app_without_secrets(self, make_app, user):
        first = make_app(name="Zapier", callback_urls=["https://z.example.com/a", "https://z.example.com/b"])
        second = make_app(name="Ümlaut", creator=user, client_type="public", is_trusted=True)
        output = run("mm_oauth_list_apps")
        header, *rows = output.splitlines()
        assert header.split() == ["client_id", "name", "trusted", "type", "creator", "callback", "URLs"]
        assert rows[0].split() == [
            first.client_id,
            "Zapier",
            "no",
            "confidential",
            "-",
            "https://z.example.com/a",
            "https://z.example.com/b",
        ]
        assert rows[1].split() == [second.client_id, "Ümlaut", "yes", "public", "alice", *second.callback_urls]
        assert first.plain_secret not in output and Application.objects.get(pk=first.pk).client_secret not in output

    def test_json_lists_every_field_but_the_secret(self, make_app, user):
        app = make_app(creator=user, icon_url="https://app.example.com/icon.png")
        [record] = json.loads(run("mm_oauth_list_apps", "--json"))
        assert record["client_id"] == app.client_id and record["creator"] == "alice"
        assert record["callback_urls"] == app.callback_urls and record["icon_url"] == "https://app.example.com/icon.png"
        assert "client_secret" not in record


def test_clear_expired_forgets_old_redeemed_codes_and_keeps_recent_ones(make_app):
    from datetime import timedelta

    from django.utils import timezone

    from mm_oauth.models import RedeemedCode

    app = make_app()
    old = RedeemedCode.objects.create(
        code_checksum="a" * 64, application=app, redeemed_at=timezone.now() - timedelta(days=2)
    )
    recent = RedeemedCode.objects.create(code_checksum="b" * 64, application=app)
    out = StringIO()
    call_command("mm_oauth_clear_expired", stdout=out)
    assert "redeemed-code records: 1 deleted" in out.getvalue()
    assert not RedeemedCode.objects.filter(pk=old.pk).exists()
    assert RedeemedCode.objects.filter(pk=recent.pk).exists()
