"""mm_oauth with custom user models: the core suites run again under ``tests.settings_custom_user``
(an extra field, integer keys) and ``tests.settings_uuid_user`` (UUID primary keys)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUITES = [
    "tests/test_protocol.py",
    "tests/test_consent.py",
    "tests/test_app_services.py",
    "tests/test_organizations.py",
    "tests/test_policy.py",
    "tests/test_user_object.py",
]
# User IDs travel through these too: with UUID keys they must still be parsed, never a 500.
UUID_SUITES = [*SUITES, "tests/test_org_api.py", "tests/test_authorized_api.py"]


def run_suites(settings_module, suites):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--ds", settings_module, *suites],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_core_suites_pass_with_a_uuid_keyed_user_model():
    result = run_suites("tests.settings_uuid_user", UUID_SUITES)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


@pytest.mark.slow
def test_core_suites_pass_with_a_custom_user_model():
    result = run_suites("tests.settings_custom_user", SUITES)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout

    # ...and they really ran with the custom model:
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.contrib.auth import get_user_model; "
            "from oauth2_provider.models import get_access_token_model as t; "
            "print(get_user_model()._meta.label, t()._meta.get_field('user').related_model._meta.label)",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings_custom_user"},
        capture_output=True,
        text=True,
    )
    assert probe.stdout.split() == ["custom_user.Member", "custom_user.Member"], probe.stderr
