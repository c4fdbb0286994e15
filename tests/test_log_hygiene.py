"""No credential reaches a log, even with DEBUG on and every logger at DEBUG level."""

import logging

import pytest
from django.test import Client

from tests.oauth_helpers import authorize, pkce_pair

pytestmark = pytest.mark.usefixtures("provider_on")


@pytest.fixture
def everything_logged(settings, caplog):
    settings.DEBUG = True  # SQL is logged with its parameters (django.db.backends) and templates debug-log
    for name in ("", "django", "oauth2_provider", "oauthlib", "mm_oauth"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def logged_text(caplog):
    return "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)


def test_a_whole_flow_logs_no_code_token_or_secret(everything_logged, client, user, make_app):
    app = make_app(name="Logged")
    client.force_login(user)
    verifier, challenge = pkce_pair()
    code = authorize(client, app, challenge=challenge)["code"]
    token_client = Client()
    credentials = {"client_id": app.client_id, "client_secret": app.plain_secret}
    tokens = token_client.post(
        "/oauth/access_token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.callback_urls[0],
            "code_verifier": verifier,
            **credentials,
        },
    ).json()
    refreshed = token_client.post(
        "/oauth/access_token", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **credentials}
    ).json()
    assert Client().get("/api/v4/users/me", HTTP_AUTHORIZATION=f"Bearer {refreshed['access_token']}").status_code == 200
    token_client.post("/oauth/revoke", {"token": refreshed["refresh_token"], **credentials})

    text = logged_text(everything_logged)
    assert "SELECT" in text  # the SQL debug log was on
    secrets = {
        "code": code,
        "code_verifier": verifier,
        "client_secret": app.plain_secret,
        "access_token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "new access_token": refreshed["access_token"],
        "new refresh_token": refreshed["refresh_token"],
    }
    leaked = [name for name, value in secrets.items() if value in text]
    assert leaked == []
