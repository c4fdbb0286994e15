"""Each system check fires on the misconfiguration it exists for, with its stable id."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings

from mm_oauth import checks as mm_checks
from mm_oauth.defaults import CLIENT_SECRET_HASHER_PATH, oauth2_provider_settings
from mm_oauth.scopes import RegistryScopes

ROOT = Path(__file__).resolve().parent.parent


class ReadOnlyScopes(RegistryScopes):
    """A scopes backend that knows only ``read`` (no ``openid``)."""

    def get_all_scopes(self):
        return {"read": "Read"}


def ids(messages):
    return [message.id for message in messages]


def test_the_example_configuration_passes_every_check():
    assert [m for m in checks.run_checks() if m.id.startswith("mm_oauth.")] == []


def test_e001_application_model_not_swapped():
    with override_settings(OAUTH2_PROVIDER_APPLICATION_MODEL="oauth2_provider.Application"):
        messages = mm_checks.check_application_model()
    assert ids(messages) == ["mm_oauth.E001"]
    assert "mm_oauth.Application" in messages[0].hint


def test_e001_setting_missing():
    with override_settings():
        del settings.OAUTH2_PROVIDER_APPLICATION_MODEL
        assert ids(mm_checks.check_application_model()) == ["mm_oauth.E001"]


def test_w001_slow_default_hasher():
    with override_settings(OAUTH2_PROVIDER=oauth2_provider_settings(CLIENT_SECRET_HASHER="default")):
        messages = mm_checks.check_client_secret_hasher()
    assert ids(messages) == ["mm_oauth.W001"]


def test_e002_hasher_not_in_password_hashers():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        messages = mm_checks.check_client_secret_hasher()
    assert ids(messages) == ["mm_oauth.E002"]
    assert CLIENT_SECRET_HASHER_PATH in messages[0].hint


def test_e003_hasher_listed_first():
    with override_settings(
        PASSWORD_HASHERS=[CLIENT_SECRET_HASHER_PATH, "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    ):
        assert ids(mm_checks.check_client_secret_hasher()) == ["mm_oauth.E003"]


@pytest.mark.parametrize("missing", ["crispy_forms", "rest_framework"])
def test_e004_required_app_missing(missing):
    apps = [app for app in settings.INSTALLED_APPS if app != missing and app != "crispy_bootstrap5"]
    with override_settings(INSTALLED_APPS=apps):
        messages = mm_checks.check_required_apps()
    assert ids(messages) == ["mm_oauth.E004"]
    assert missing in messages[0].msg


def test_e005_crispy_template_pack_unset():
    with override_settings():
        del settings.CRISPY_TEMPLATE_PACK
        assert ids(mm_checks.check_required_apps()) == ["mm_oauth.E005"]


def test_e007_openid_connect_without_a_usable_key_or_scope(rsa_private_key):
    from mm_oauth.defaults import oidc_settings

    assert mm_checks.check_openid_connect() == []  # off
    with override_settings(OAUTH2_PROVIDER=oauth2_provider_settings(**oidc_settings(rsa_private_key))):
        assert mm_checks.check_openid_connect() == []
    cases = {
        "OIDC_RSA_PRIVATE_KEY is empty": {"OIDC_ENABLED": True},
        "not a PEM-encoded RSA private key": oidc_settings("-----BEGIN PRIVATE KEY-----\nnope\n"),
        "no 'openid' scope": {
            **oidc_settings(rsa_private_key),
            "SCOPES_BACKEND_CLASS": "tests.test_checks.ReadOnlyScopes",
        },
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE[1] is not a PEM-encoded": oidc_settings(
            rsa_private_key, inactive_keys=[rsa_private_key, "not a key"]
        ),
    }
    for message, entries in cases.items():
        with override_settings(OAUTH2_PROVIDER=oauth2_provider_settings(**entries)):
            found = mm_checks.check_openid_connect()
        assert ids(found) == ["mm_oauth.E007"], message
        assert message in found[0].msg and found[0].hint


def test_e008_dot_scopes_must_agree_with_the_registry():
    assert mm_checks.check_scopes() == []
    cases = {
        "is not mm_oauth.scopes.RegistryScopes": {"SCOPES_BACKEND_CLASS": "oauth2_provider.scopes.SettingsScopes"},
        "disagrees with the scope registry": {"SCOPES": {"read": "Read", "admin": "Everything"}},
        "DEFAULT_SCOPES names scopes the registry lacks": {"DEFAULT_SCOPES": ["admin"]},
    }
    for message, entries in cases.items():
        with override_settings(OAUTH2_PROVIDER=oauth2_provider_settings(**entries)):
            found = mm_checks.check_scopes()
        assert ids(found) == ["mm_oauth.E008"], message
        assert message in found[0].msg and "MM_OAUTH['SCOPES']" in found[0].hint
    # DOT's settings may repeat the registry; they then agree.
    with override_settings(OAUTH2_PROVIDER=oauth2_provider_settings(SCOPES={"read": "R", "write": "W"})):
        assert mm_checks.check_scopes() == []
    with override_settings(MM_OAUTH={"SCOPES": {"bad scope": {"description": "x"}}}):
        found = mm_checks.check_scopes()
    assert ids(found) == ["mm_oauth.E008"] and "'bad scope' is not a scope name" in found[0].msg


@pytest.mark.slow
def test_e006_token_tables_created_before_the_swap(tmp_path):
    """DOT migrated with its own Application first: ``check --database`` reports it."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MM_OAUTH_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    run = lambda settings_module, *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": settings_module},
        capture_output=True,
        text=True,
    )
    before = run("tests.settings_unswapped", "migrate", "--noinput")
    assert before.returncode == 0, before.stderr
    after = run("example_project.settings", "check", "--database", "default")
    assert after.returncode != 0
    assert "mm_oauth.E006" in after.stderr
    healthy = tmp_path / "healthy.sqlite3"
    env["DATABASE_URL"] = f"sqlite:///{healthy}"
    assert run("example_project.settings", "migrate", "--noinput").returncode == 0
    ok = run("example_project.settings", "check", "--database", "default")
    assert ok.returncode == 0, ok.stderr
