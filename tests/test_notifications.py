"""Email notices go out after the commit, and a mail server that is down never breaks the flow behind them.

Every flow that mails a notice (pressing Allow, an organization member's
request, an owner's approval or denial) is driven against a mail server that
refuses connections, a real SMTP server that stops and comes back, and the
example site under gunicorn with production settings.
"""

import email
import html
import logging
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import transaction
from oauth2_provider.models import get_application_model

from example_project.settings import mail_backend
from mm_oauth import notifications
from mm_oauth.models import AppAccess, Authorization
from mm_oauth.services import organizations as orgs
from tests.conftest import PASSWORD
from tests.e2e.browser import csrf_from
from tests.e2e.servers import free_port, gunicorn, manage, site_env
from tests.oauth_helpers import authorize

try:
    from django.tasks.backends.base import BaseTaskBackend
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks.backends.base import BaseTaskBackend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]
LOGGER = "mm_oauth.notifications"


@pytest.fixture(autouse=True)
def notices_on(mm_oauth_settings):
    mm_oauth_settings(NOTIFY_NEW_AUTHORIZATION=True)


def send_through_smtp(settings, port):
    """Send all mail through an SMTP server on 127.0.0.1:``port``."""
    smtp = mail_backend("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port)
    for name, value in smtp.items():
        setattr(settings, name, value)


@pytest.fixture
def smtp_down(settings):
    """An SMTP backend pointed at a port where nothing listens."""
    send_through_smtp(settings, free_port())


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run the on-commit work of the block when it ends, as at the end of a real request."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def failures(caplog):
    """Return the messages logged at ERROR by mm_oauth.notifications."""
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno >= logging.ERROR]


# --- a mail server that refuses connections ---------------------------------------


def test_allow_with_the_mail_server_down_redirects_with_a_code_and_logs_the_notice(
    smtp_down, committing, caplog, user, app, client_for
):
    with committing():
        query = authorize(client_for(user), app)  # asserts the 302 back to the app
    assert query["code"] and query["state"] == "xyz"
    assert Authorization.objects.filter(user=user, application=app).count() == 1
    assert failures(caplog) == ["Could not send the new_authorization notice to alice@example.com"]


def test_a_members_request_with_the_mail_server_down_succeeds_and_logs_the_notice(
    smtp_down, committing, caplog, org, member, app, client_for
):
    with committing():
        response = client_for(member).post(f"/organizations/acme/third-party-access/{app.client_id}/request/")
    assert response.status_code == 302
    assert orgs.access_state(org, app) == AppAccess.State.REQUESTED
    assert failures(caplog) == ["Could not send the app_access_requested notice to olivia@example.com"]


@pytest.mark.parametrize("decision, state", [("approve", "approved"), ("deny", "denied")])
def test_an_owners_decision_with_the_mail_server_down_succeeds_and_logs_the_notice(
    decision, state, smtp_down, committing, caplog, org, owner, member, app, client_for
):
    orgs.request_access(actor=member, org=org, app=app)  # its notice is never sent: no commit in this test
    with committing():
        response = client_for(owner).post(
            f"/organizations/acme/settings/third-party-access/{app.client_id}/{decision}/"
        )
    assert response.status_code == 302
    assert orgs.access_state(org, app) == state
    assert failures(caplog) == ["Could not send the app_access_decided notice to bob@example.com"]


# --- a real SMTP server that stops and comes back ---------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def smtp_server(inbox, port):
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def test_notices_reach_a_real_smtp_server_and_a_stopped_one_only_costs_the_notice(
    settings, committing, caplog, user, make_app, signed_in_client
):
    port, inbox = free_port(), Inbox()
    send_through_smtp(settings, port)
    first, second, third = (make_app(name=name) for name in ("First", "Second", "Third"))

    server = smtp_server(inbox, port)
    try:
        with committing():
            authorize(signed_in_client, first)
    finally:
        server.stop()
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["alice@example.com"]
    assert email.message_from_bytes(envelope.content)["Subject"] == "First can now access your account"

    with committing():
        assert authorize(signed_in_client, second)["code"]  # the server is down: the flow completes all the same
    assert failures(caplog) == ["Could not send the new_authorization notice to alice@example.com"]
    assert Authorization.objects.filter(user=user, application=second).exists()

    server = smtp_server(inbox, port)
    try:
        with committing():
            authorize(signed_in_client, third)
    finally:
        server.stop()
    assert len(inbox.envelopes) == 2
    assert email.message_from_bytes(inbox.envelopes[1].content)["Subject"] == "Third can now access your account"


# --- what is sent, and when -------------------------------------------------------


def test_a_line_break_in_the_app_name_stays_out_of_the_subject(committing, caplog, user, app, client_for):
    get_application_model().objects.filter(pk=app.pk).update(name="Line one\nLine two")
    app.refresh_from_db()
    with committing():
        authorize(client_for(user), app)
    [message] = mail.outbox
    assert message.subject == "Line one Line two can now access your account"
    assert failures(caplog) == []


def test_control_characters_collapse_to_single_spaces():
    assert notifications.one_line("A\r\nB \t C\x00D\u2028E\n") == "A B C D E"


def test_nothing_is_sent_before_the_commit_nor_after_a_rollback(committing, user, app):
    context = {"user": user, "app": app, "scopes": [], "site_url": ""}
    with committing():
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.notify("new_authorization", context, ["alice@example.com"])
            raise RuntimeError("the flow failed")
        notifications.notify("new_authorization", context, ["alice@example.com"])
        assert mail.outbox == []  # not before the commit
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]


class UnreachableQueue(BaseTaskBackend):
    """A task backend that cannot take a task (a queue table missing, a broker down)."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("the queue is unreachable")


def test_a_queue_that_cannot_take_the_notice_is_logged_not_raised(settings, committing, caplog, user, app, client_for):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.UnreachableQueue"}}
    with committing():
        assert authorize(client_for(user), app)["code"]
    assert failures(caplog) == ["Could not queue the new_authorization notice to alice@example.com"]
    assert mail.outbox == []


# --- the example site in production settings, over HTTP ---------------------------

CALLBACK = "http://127.0.0.1:9/callback"  # never contacted: the redirect is where the flow ends

SETUP = f"""
from django.contrib.auth import get_user_model
from mm_oauth.services.applications import register_application
from mm_oauth.services.provider_settings import update_provider_settings
get_user_model().objects.create_user("alice", "alice@example.com", {PASSWORD!r})
update_provider_settings(enable_provider=True)
app, _secret = register_application(
    name="Zapier", description="Connects apps", homepage="https://z.example.com/", callback_urls=[{CALLBACK!r}]
)
print(app.client_id)
"""


@pytest.mark.slow
def test_allow_over_http_with_production_settings_and_no_mail_server(tmp_path):
    log = tmp_path / "gunicorn.log"
    env = site_env(
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="notifications-test-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(free_port()),  # nothing listens there
        OAUTHLIB_INSECURE_TRANSPORT="1",  # plain http on the loopback
        # The workers' stderr (where the failed notice is logged) goes to a file the test reads.
        GUNICORN_CMD_ARGS=f"--capture-output --error-logfile {log}",
    )
    env.pop("MM_OAUTH_TASKS", None)  # the default: tasks run at once, in the request
    manage(env, "migrate", "--noinput")
    client_id = manage(env, "shell", "-c", SETUP).stdout.split()[-1]
    with gunicorn(env, free_port()) as base:
        session = requests.Session()
        login = session.get(f"{base}/login/", timeout=10)
        assert login.status_code == 200
        signed = session.post(
            f"{base}/login/",
            data={"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": csrf_from(login.text)},
            headers={"Referer": f"{base}/login/"},
            allow_redirects=False,
            timeout=10,
        )
        assert signed.status_code == 302

        params = {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK, "state": "s1"}
        authorize_url = f"{base}/oauth/authorize?{urlencode(params)}"
        page = session.get(authorize_url, allow_redirects=False, timeout=10)
        assert page.status_code == 200  # the consent page
        hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
        form = {name: html.unescape(value) for name, value in hidden}
        # The optional scopes the page ticks by default.
        form["granted"] = re.findall(
            r'<input [^>]*type="checkbox"[^>]* name="granted" value="([^"]*)"[^>]* checked', page.text
        )
        allowed = session.post(
            f"{base}/oauth/authorize",
            data={**form, "allow": "Authorize"},
            headers={"Referer": authorize_url},
            allow_redirects=False,
            timeout=30,
        )
        assert allowed.status_code == 302, allowed.text[:500]
        location = allowed.headers["Location"]
        assert location.startswith(CALLBACK + "?")
        query = parse_qs(urlsplit(location).query)
        assert query["code"] and query["state"] == ["s1"]

        again = session.get(authorize_url, allow_redirects=False, timeout=10)
        assert again.status_code == 302  # the consent was saved: no second consent page
        assert again.headers["Location"].startswith(CALLBACK + "?")
    assert "Could not send the new_authorization notice to alice@example.com" in log.read_text()
