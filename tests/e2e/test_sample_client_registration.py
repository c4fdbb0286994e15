"""The sample client's "register dynamically" mode: ``manage.py demo --register-dynamically``, then sign in.

The site runs in pytest-django's ``live_server``; ``manage.py demo`` switches
dynamic client registration on and writes a configuration without credentials;
the sample client (its own process) registers itself at startup (RFC 7591) and
a ``requests.Session`` clicks through the site's login and consent pages.
"""

import json

import pytest
import requests
from django.contrib.auth import get_user_model
from oauth2_provider.models import get_access_token_model, get_application_model

from example_project.sample_client.config import load_config
from example_project.sample_client.registration import CLIENT_NAME
from mm_oauth.models import AuditEvent
from mm_oauth.services import provider_settings
from tests.e2e.servers import free_port
from tests.e2e.test_sample_client import (
    SampleClientProcess,
    decide,
    form_posting_to,
    password_from,
    profile_fields,
    run_demo,
    start_sign_in,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def self_registering_demo(live_server, tmp_path):
    client_port = free_port()
    output = run_demo(
        "--site-port",
        str(live_server.thread.port),
        "--client-port",
        str(client_port),
        "--register-dynamically",
        var_dir=tmp_path,
    )
    config_path = tmp_path / "sample_client.json"
    client = SampleClientProcess(config_path, client_port)
    client.start()
    yield {
        "client_url": f"http://127.0.0.1:{client_port}",
        "config_path": config_path,
        "alice_password": password_from(output, "alice"),
        "output": output,
    }
    client.stop()


def test_demo_turns_registration_on_and_stores_no_credentials(self_registering_demo):
    assert "dynamic client registration (RFC 7591) is on" in self_registering_demo["output"]
    assert provider_settings.get_provider_settings().enable_dynamic_client_registration
    stored = json.loads(self_registering_demo["config_path"].read_text())
    assert stored["register_dynamically"] is True and "client_secret" not in stored
    assert load_config(self_registering_demo["config_path"], environ={}).register_dynamically


def test_the_sample_client_registers_itself_and_signs_alice_in(self_registering_demo):
    app = get_application_model().objects.get(name=CLIENT_NAME)
    assert app.registration_source == "dcr" and app.user is None and not app.is_trusted
    assert AuditEvent.objects.filter(action=AuditEvent.Action.APP_REGISTERED, target_id=app.client_id).exists()

    with requests.Session() as browser:
        login_page = start_sign_in(browser, self_registering_demo)
        action, fields = form_posting_to(login_page, "/login/")
        fields.update(username="alice", password=self_registering_demo["alice_password"])
        consent = browser.post(action, data=fields, timeout=10)
        assert CLIENT_NAME in consent.text  # never trusted: the consent page shows
        page = decide(browser, consent, allow=True)
    assert profile_fields(page)["username"] == "alice"
    alice = get_user_model().objects.get(username="alice")
    assert get_access_token_model().objects.get(user=alice).application == app
