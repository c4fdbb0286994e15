"""Credentials put in a URL never reach gunicorn's access log (mm_oauth.log_filters)."""

import subprocess
import sys

import pytest
import requests

from tests.e2e.servers import ROOT, free_port, manage, site_env, wait_until_up

pytestmark = pytest.mark.slow


def test_secrets_in_a_query_string_are_refused_and_redacted_in_the_access_log(tmp_path):
    env = site_env(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="s" * 50, DJANGO_ALLOWED_HOSTS="127.0.0.1")
    manage(env, "migrate", "--noinput")
    manage(
        env,
        "shell",
        "-c",
        "from mm_oauth.services.provider_settings import update_provider_settings as u; u(enable_provider=True)",
    )
    access_log = tmp_path / "access.log"
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "example_project.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--access-logfile",
            str(access_log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/", process)
        secret = "SEKRIT-client-secret-value"
        response = requests.post(
            f"{base}/oauth/access_token?client_secret={secret}&refresh_token=RT-VALUE-123&grant_type=refresh_token",
            data={"client_id": "nobody"},
            timeout=10,
        )
        assert 400 <= response.status_code < 500
    finally:
        process.terminate()
        process.wait(timeout=10)
    logged = access_log.read_text()
    assert "/oauth/access_token?" in logged  # the line is there...
    assert secret not in logged and "RT-VALUE-123" not in logged  # ...without the credentials
    assert "client_secret=[redacted]" in logged
