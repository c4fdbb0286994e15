"""End to end over real HTTP: the sample client, the example site, and ``manage.py demo``.

The site runs in pytest-django's ``live_server``; the sample client runs as
``make demo`` runs it (``python -m example_project.sample_client``, a process of
its own) on a free port; a ``requests.Session`` plays the browser, clicking
through the sign-in, the site's login form and its consent page.
``manage.py demo`` does the set-up, as ``make demo`` does.
"""

import html
import io
import json
import os
import re
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model, get_refresh_token_model

from example_project.sample_client.config import ConfigError, load_config
from example_project.site.management.commands.demo import SAMPLE_APP_NAME
from example_project.site.models import Post
from mm_oauth.models import AuditEvent
from mm_oauth.services import provider_settings
from mm_oauth.services.authorizations import deauthorize
from tests.e2e.servers import ROOT, free_port, wait_until_up

PASSWORD_LINE = r"^\s*{username}\s.*password (\S+)\s+\(shown only now\)$"
COOKIE_NAME = "sample_client_session"
CSRF_FIELD = "csrfmiddlewaretoken"  # Django's


class FormParser(HTMLParser):
    """Collect each form's action, method and named input values (not its buttons), as a browser submits them.

    An input belongs to the form around it, or to the one its ``form`` attribute
    names; a checkbox counts only when ticked, and several of one name make a list.
    """

    def __init__(self):
        super().__init__()
        self.forms = []
        self.outside = []  # inputs before or between forms, with a form="id" attribute

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action") or "",
                    "method": attrs.get("method", "get"),
                    "fields": {},
                    "id": attrs.get("id"),
                }
            )
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            if attrs.get("form"):
                self.outside.append(attrs)
            elif self.forms:
                add_field(self.forms[-1]["fields"], attrs)

    def close(self):
        super().close()
        for attrs in self.outside:
            for form in self.forms:
                if form["id"] == attrs["form"]:
                    add_field(form["fields"], attrs)


def add_field(fields, attrs):
    value = attrs.get("value") or ""
    if attrs["name"] in fields and attrs.get("type") == "checkbox":
        previous = fields[attrs["name"]]
        fields[attrs["name"]] = [*previous, value] if isinstance(previous, list) else [previous, value]
    else:
        fields[attrs["name"]] = value


def form_posting_to(page, path):
    """Return the form of ``page`` (a response) whose action is ``path``: its absolute URL and fields."""
    parser = FormParser()
    parser.feed(page.text)
    parser.close()
    for form in parser.forms:
        action = urljoin(page.url, form["action"] or page.url)
        if urlsplit(action).path == path and form["method"].lower() == "post":
            return action, dict(form["fields"])
    raise AssertionError(f"No POST form to {path} on {page.url}: {page.text[:500]}")


def password_from(output, username):
    """Return the password ``manage.py demo`` printed for ``username``."""
    match = re.search(PASSWORD_LINE.format(username=username), output, re.MULTILINE)
    assert match, output
    return match.group(1)


def profile_fields(page):
    """Return the ``data-field`` values the client's page shows (its escaped HTML, unescaped)."""
    found = re.findall(r'<dd data-field="([a-z_]+)">(.*?)</dd>', page.text, re.DOTALL)
    return {key: html.unescape(value) for key, value in found}


def run_demo(*args, var_dir):
    """Run ``manage.py demo`` with VAR_DIR in ``var_dir``; return what it printed."""
    out = io.StringIO()
    with override_settings(VAR_DIR=var_dir):
        call_command("demo", *args, stdout=out)
    provider_settings.clear_cache()
    return out.getvalue()


# Fixtures


class SampleClientProcess:
    """``python -m example_project.sample_client --config … --port …``, as the Procfile runs it."""

    def __init__(self, config_path, port):
        self.config_path, self.port, self.process = config_path, port, None

    def start(self, **env):
        """Start it (``SAMPLE_CLIENT_<KEY>`` variables in ``env`` override the file); wait until it answers."""
        self.stop()
        command = [sys.executable, "-m", "example_project.sample_client", "--quiet"]
        command += ["--config", str(self.config_path), "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        wait_until_up(f"http://127.0.0.1:{self.port}/", self.process)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def demo(live_server, tmp_path):
    """Set up with ``manage.py demo`` for these ports; start the client from the JSON file it wrote."""
    client_port = free_port()
    output = run_demo("--site-port", str(live_server.thread.port), "--client-port", str(client_port), var_dir=tmp_path)
    config_path = tmp_path / "sample_client.json"
    client = SampleClientProcess(config_path, client_port)
    client.start()
    yield {
        "client_url": f"http://127.0.0.1:{client_port}",
        "config": load_config(config_path, environ={}),
        "client": client,
        "alice_password": password_from(output, "alice"),
    }
    client.stop()


@pytest.fixture
def provider_requests(live_server):
    """Record every request the site receives: method, path, Authorization header and form fields."""
    seen = []
    httpd = live_server.thread.httpd
    site = httpd.get_app()

    def recording(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        form = {key: values[0] for key, values in parse_qs(body.decode("latin-1")).items()}
        seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("HTTP_AUTHORIZATION"), form))
        return site(environ, start_response)

    httpd.set_app(recording)
    yield seen
    httpd.set_app(site)


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def start_sign_in(browser, demo):
    """Open the client's home page and click "Sign in with Example site"; return the site's login page."""
    home = browser.get(demo["client_url"] + "/", timeout=10)
    assert home.status_code == 200
    assert "Sign in with Example site" in home.text
    login_page = browser.get(urljoin(home.url, "/signin"), timeout=10)
    assert login_page.status_code == 200, login_page.text[:500]
    assert urlsplit(login_page.url).path == "/login/"
    assert urlsplit(parse_qs(urlsplit(login_page.url).query)["next"][0]).path == "/oauth/authorize"
    return login_page


def sign_in_to_site(browser, login_page, password):
    """Post the site's login form (with its CSRF token); return the consent page it leads back to."""
    action, fields = form_posting_to(login_page, "/login/")
    assert fields["csrfmiddlewaretoken"] and browser.cookies.get("csrftoken")
    fields.update(username="alice", password=password)
    consent = browser.post(action, data=fields, timeout=10)
    assert consent.status_code == 200, consent.text[:500]
    assert urlsplit(consent.url).path == "/oauth/authorize"
    assert SAMPLE_APP_NAME in consent.text
    return consent


def decide(browser, consent, *, allow):
    """Click Allow or Deny on the consent page; return the page the client shows afterwards."""
    action, fields = form_posting_to(consent, "/oauth/authorize")
    fields["allow"] = "Authorize" if allow else ""
    return browser.post(action, data=fields, timeout=10)


def sign_in_through_consent(browser, demo, *, allow=True):
    login_page = start_sign_in(browser, demo)
    consent = sign_in_to_site(browser, login_page, demo["alice_password"])
    return decide(browser, consent, allow=allow)


# The sample client against the live site


def test_sign_in_redirect_carries_state_and_pkce(browser, demo):
    response = browser.get(demo["client_url"] + "/signin", allow_redirects=False, timeout=10)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    # The endpoint comes from the site's RFC 8414 metadata.
    assert f"{location.scheme}://{location.netloc}{location.path}" == demo["config"].provider_url + "/oauth/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == demo["config"].client_id
    assert query["redirect_uri"] == demo["config"].redirect_uri
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 30  # Authlib's: 30 random letters and digits, 178 bits
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_allow_shows_the_users_profile(browser, demo):
    page = sign_in_through_consent(browser, demo, allow=True)

    assert page.status_code == 200, page.text[:500]
    assert page.url == demo["client_url"] + "/"
    alice = get_user_model().objects.get(username="alice")
    assert profile_fields(page) == {
        "id": str(alice.pk),
        "username": "alice",
        "email": "alice@example.com",
        "first_name": "Alice",
        "last_name": "Liddell",
        "nickname": "",
        "position": "",
        "roles": "system_user",
        "locale": settings.LANGUAGE_CODE,
    }
    assert "data-claim=" not in page.text  # plain OAuth 2.0: no ID token
    token = get_access_token_model().objects.get(user=alice)
    assert token.application.client_id == demo["config"].client_id


def test_token_request_and_profile_call_look_like_mattermosts_sample(browser, demo, provider_requests):
    page = sign_in_through_consent(browser, demo, allow=True)

    assert profile_fields(page)["username"] == "alice"
    from_client = [seen for seen in provider_requests if seen[1] in ("/oauth/access_token", "/api/v4/users/me")]
    # Then users/me again on each view of the client's pages (the sign-in is checked every time).
    (method, path, authorization, body), (me_method, me_path, me_authorization, _) = from_client[:2]
    assert (method, path, authorization) == ("POST", "/oauth/access_token", None)  # no HTTP Basic: all in the form
    assert set(body) == {"grant_type", "code", "redirect_uri", "client_id", "client_secret", "code_verifier"}
    assert body["grant_type"] == "authorization_code"
    assert (body["client_id"], body["client_secret"]) == (demo["config"].client_id, demo["config"].client_secret)
    assert (me_method, me_path) == ("GET", "/api/v4/users/me")
    assert me_authorization.startswith("Bearer ")


def test_deny_shows_access_denied(browser, demo):
    page = sign_in_through_consent(browser, demo, allow=False)

    assert page.status_code == 200
    assert urlsplit(page.url).path == "/callback"
    assert profile_fields(page)["error"] == "access_denied"
    assert profile_fields(page)["error_description"] == "The user denied the request."
    text = " ".join(html.unescape(page.text).split())
    assert "You chose not to allow Sample third-party client to use your Example site account." in text
    assert 'href="/signin"' in page.text  # Try again
    assert "matched" in page.text
    assert not get_access_token_model().objects.exists()
    # The callback URL carries the code (here the error): never in a Referer, never cached.
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]


def test_sign_out_forgets_the_session(browser, demo):
    home = sign_in_through_consent(browser, demo, allow=True)
    action, fields = form_posting_to(home, "/signout")

    page = browser.post(action, data=fields, timeout=10)

    assert page.url == demo["client_url"] + "/"
    assert "Sign in with Example site" in page.text
    assert "alice@example.com" not in page.text
    assert COOKIE_NAME not in browser.cookies


def test_sign_out_needs_the_pages_csrf_token(browser, demo):
    sign_in_through_consent(browser, demo, allow=True)

    page = browser.post(demo["client_url"] + "/signout", data={CSRF_FIELD: "forged"}, timeout=10)

    assert page.status_code == 403
    assert profile_fields(browser.get(demo["client_url"] + "/", timeout=10))["username"] == "alice"


def test_a_forged_state_is_refused(browser, demo):
    start_sign_in(browser, demo)

    page = browser.get(demo["client_url"] + "/callback?code=stolen&state=forged", timeout=10)

    assert page.status_code == 400
    assert "state parameter did not match" in page.text
    assert not get_access_token_model().objects.exists()


def test_the_answer_names_the_provider_and_another_issuer_is_refused(browser, demo):
    login_page = start_sign_in(browser, demo)
    consent = sign_in_to_site(browser, login_page, demo["alice_password"])
    action, fields = form_posting_to(consent, "/oauth/authorize")
    answer = browser.post(action, data={**fields, "allow": "Authorize"}, allow_redirects=False, timeout=10)
    callback = urlsplit(answer.headers["Location"])
    query = {key: values[0] for key, values in parse_qs(callback.query).items()}
    assert query["iss"] == demo["config"].provider_url and query["code"]

    # A mix-up: the same answer, claiming to come from another server.
    forged = callback._replace(query=callback.query.replace("iss=", "iss=https%3A%2F%2Fevil.example.com&x=", 1))
    page = browser.get(urlunsplit(forged), timeout=10)

    assert page.status_code == 400
    assert "says it comes from https://evil.example.com, not from Example site" in page.text
    assert not get_access_token_model().objects.exists()  # the code was never exchanged


def test_profile_values_are_escaped(browser, demo):
    get_user_model().objects.filter(username="alice").update(last_name="<script>alert(1)</script>")

    page = sign_in_through_consent(browser, demo, allow=True)

    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


# Posting a message to the site's board (POST /api/v4/posts with the access token)


def post_fields(page):
    """Return the "post a message" form's fields (hidden CSRF token included) on ``page``."""
    _action, fields = form_posting_to(page, "/post")
    assert fields[CSRF_FIELD]
    return fields


def post_from_client(browser, demo, home, **values):
    """Fill in and submit the client's "post a message" form; return the page it shows next."""
    fields = {**post_fields(home), "message": "", **values}
    return browser.post(demo["client_url"] + "/post", data=fields, timeout=10)


def shown(page, kind):
    """Return the ``data-post-field`` or ``data-error-field`` values on the client's page."""
    found = re.findall(rf'<dd data-{kind}="([a-z_.]+)">(.*?)</dd>', page.text, re.DOTALL)
    return {key: html.unescape(value) for key, value in found}


def test_posting_shows_the_post_as_the_site_returned_it(browser, demo):
    provider_settings.update_provider_settings(allow_username_override=True)
    home = sign_in_through_consent(browser, demo, allow=True)
    assert "Post a message to Example site's board" in html.unescape(home.text)

    page = post_from_client(browser, demo, home, message="Deploy done", display_name="  Release   Bot ")

    assert page.status_code == 200 and page.url == demo["client_url"] + "/"
    assert "Posted to Example site's board." in html.unescape(page.text)
    assert shown(page, "post-field") == {
        "message": "Deploy done",
        "display_name": "Release Bot",
        "from_app": SAMPLE_APP_NAME,
    }
    post = Post.objects.get()
    assert (post.author.username, post.message, post.override_username) == ("alice", "Deploy done", "Release Bot")
    assert post.from_app.client_id == demo["config"].client_id
    # The outcome is shown once; the display name stays filled in for the next post.
    again = browser.get(demo["client_url"] + "/", timeout=10)
    assert "Posted to" not in again.text
    assert post_fields(page)["display_name"] == "  Release   Bot "


def test_a_display_name_the_site_ignores_is_explained(browser, demo):
    home = sign_in_through_consent(browser, demo, allow=True)  # overrides are off by default

    page = post_from_client(browser, demo, home, message="hi", display_name="Release Bot")

    assert shown(page, "post-field")["display_name"] == "alice"
    assert "its admin has not allowed apps to override display names" in page.text


def test_the_apis_error_is_shown(browser, demo):
    provider_settings.update_provider_settings(allow_icon_override=True)
    home = sign_in_through_consent(browser, demo, allow=True)

    page = post_from_client(browser, demo, home, message="kept", icon_url="javascript:alert(1)")

    assert "Example site refused the post (HTTP 400)." in page.text
    errors = shown(page, "error-field")
    assert errors["id"] == "api.invalid_request"
    assert errors["message"].startswith("Invalid props.override_icon_url")
    assert "errors.props.override_icon_url" in errors
    assert ">kept</textarea>" in page.text  # what was typed is kept
    assert not Post.objects.exists()


def test_post_results_are_escaped(browser, demo):
    provider_settings.update_provider_settings(allow_username_override=True)
    home = sign_in_through_consent(browser, demo, allow=True)

    page = post_from_client(browser, demo, home, message="<script>alert(1)</script>", display_name="<b>x</b>")

    assert "<script>alert(1)</script>" not in page.text and "<b>x</b>" not in page.text
    assert shown(page, "post-field")["message"] == "<script>alert(1)</script>"
    assert "&lt;b&gt;x&lt;/b&gt;" in page.text


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_posting_needs_the_pages_csrf_token(browser, demo, token):
    home = sign_in_through_consent(browser, demo, allow=True)
    fields = {**post_fields(home), "message": "forged"}
    if token is None:
        del fields[CSRF_FIELD]
    else:
        fields[CSRF_FIELD] = token

    page = browser.post(demo["client_url"] + "/post", data=fields, timeout=10)

    assert page.status_code == 403
    assert "CSRF token did not match" in page.text
    assert not Post.objects.exists()


def test_each_signed_in_session_has_its_own_csrf_token(browser, demo):
    first = post_fields(sign_in_through_consent(browser, demo, allow=True))[CSRF_FIELD]
    with requests.Session() as other_browser:
        login_page = start_sign_in(other_browser, demo)
        action, fields = form_posting_to(login_page, "/login/")
        fields.update(username="alice", password=demo["alice_password"])
        home = other_browser.post(action, data=fields, timeout=10)  # consent remembered: straight back
        second = post_fields(home)[CSRF_FIELD]
    assert first != second


def test_an_expired_access_token_is_refreshed_and_the_post_goes_through(browser, demo):
    home = sign_in_through_consent(browser, demo, allow=True)
    AccessToken = get_access_token_model()
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    old_token_ids = set(AccessToken.objects.values_list("pk", flat=True))

    page = post_from_client(browser, demo, home, message="after expiry")

    assert shown(page, "post-field")["message"] == "after expiry"
    assert set(AccessToken.objects.values_list("pk", flat=True)) - old_token_ids  # a new token was issued


def test_concurrent_posts_with_an_expired_token_refresh_it_once(browser, demo):
    home = sign_in_through_consent(browser, demo, allow=True)
    fields = post_fields(home)
    get_access_token_model().objects.update(expires=timezone.now() - timedelta(seconds=1))
    cookies = browser.cookies.get_dict()

    def post(number):
        data = {**fields, "message": f"message {number}"}
        return requests.post(demo["client_url"] + "/post", data=data, cookies=cookies, timeout=10)

    with ThreadPoolExecutor(max_workers=4) as pool:
        pages = list(pool.map(post, range(4)))

    # Replaying a rotated refresh token would have revoked them all (reuse detection): one refresh only.
    assert all("revoked" not in page.text for page in pages), [page.text[-800:] for page in pages]
    assert get_refresh_token_model().objects.filter(revoked__isnull=True).count() == 1
    # Every message posted, each once.
    messages = sorted(Post.objects.values_list("message", flat=True))
    assert messages == [f"message {number}" for number in range(4)]
    assert profile_fields(browser.get(demo["client_url"] + "/", timeout=10))["username"] == "alice"


def test_a_revoked_authorization_signs_the_user_out_of_the_client(browser, demo):
    home = sign_in_through_consent(browser, demo, allow=True)
    alice = get_user_model().objects.get(username="alice")
    deauthorize(alice, get_application_model().objects.get(client_id=demo["config"].client_id))

    page = post_from_client(browser, demo, home, message="too late")

    assert page.url == demo["client_url"] + "/"
    assert "Your authorization was revoked on Example site; sign in again." in page.text
    assert "Sign in with Example site" in page.text and "alice@example.com" not in page.text
    assert not Post.objects.exists()
    # The tokens are forgotten: the notice was shown once, and the old form posts nothing.
    assert "revoked" not in browser.get(demo["client_url"] + "/", timeout=10).text
    stale = post_from_client(browser, demo, home, message="still too late")
    assert "Sign in with Example site" in stale.text
    assert not Post.objects.exists()


def test_the_next_view_after_deauthorizing_shows_the_user_signed_out(browser, demo):
    sign_in_through_consent(browser, demo, allow=True)
    assert profile_fields(browser.get(demo["client_url"] + "/", timeout=10))["username"] == "alice"
    alice = get_user_model().objects.get(username="alice")
    deauthorize(alice, get_application_model().objects.get(client_id=demo["config"].client_id))

    page = browser.get(demo["client_url"] + "/", timeout=10)  # no post, no wait: the very next view

    assert "Your authorization was revoked on Example site; sign in again." in page.text
    assert "Sign in with Example site" in page.text and "alice@example.com" not in page.text
    assert "revoked" not in browser.get(demo["client_url"] + "/", timeout=10).text  # said once


def test_a_profile_change_on_the_site_shows_on_the_next_view(browser, demo):
    sign_in_through_consent(browser, demo, allow=True)
    get_user_model().objects.filter(username="alice").update(first_name="Alicia")

    page = browser.get(demo["client_url"] + "/", timeout=10)

    assert profile_fields(page)["first_name"] == "Alicia"


def test_a_switched_off_provider_is_not_mistaken_for_a_revocation(browser, demo):
    home = sign_in_through_consent(browser, demo, allow=True)
    provider_settings.update_provider_settings(enable_provider=False)

    page = post_from_client(browser, demo, home, message="while off")

    assert "Example site refused the post (HTTP 401)." in page.text
    assert "turned off the OAuth 2.0 service provider" in shown(page, "error-field")["message"]
    provider_settings.update_provider_settings(enable_provider=True)
    page = post_from_client(browser, demo, page, message="back on")
    assert shown(page, "post-field")["message"] == "back on"  # still signed in, same tokens


# Configuration


def test_environment_overrides_the_config_file(tmp_path):
    path = tmp_path / "client.json"
    path.write_text(json.dumps({"provider_url": "https://id.example.com/", "client_id": "from-file"}))

    config = load_config(
        path,
        environ={
            "SAMPLE_CLIENT_CLIENT_ID": "from-env",
            "SAMPLE_CLIENT_CLIENT_SECRET": "s3cret",
            "SAMPLE_CLIENT_REDIRECT_URI": "https://app.example.com/cb",
        },
    )

    assert config.provider_url == "https://id.example.com"
    assert (config.client_id, config.client_secret) == ("from-env", "s3cret")
    assert config.metadata_url == "https://id.example.com/.well-known/oauth-authorization-server"
    assert config.callback_path == "/cb"


def test_missing_or_bad_values_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="client_secret"):
        load_config(environ={"SAMPLE_CLIENT_PROVIDER_URL": "https://id.example.com", "SAMPLE_CLIENT_CLIENT_ID": "x"})
    values = {"provider_url": "ftp://id", "client_id": "x", "client_secret": "y", "redirect_uri": "https://a/cb"}
    with pytest.raises(ConfigError, match="provider_url"):
        load_config(environ={f"SAMPLE_CLIENT_{key.upper()}": value for key, value in values.items()})
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config(tmp_path / "broken.json", environ={})


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("https://id.example.com", True),
        ("http://id.example.com", False),
    ],
)
def test_plain_http_is_allowed_only_on_this_machine(url, allowed):
    values = {"provider_url": url, "client_id": "x", "client_secret": "y", "redirect_uri": "http://127.0.0.1/cb"}
    environ = {f"SAMPLE_CLIENT_{key.upper()}": value for key, value in values.items()}

    if allowed:
        assert load_config(environ=environ).provider_url == url
    else:
        with pytest.raises(ConfigError, match="https"):
            load_config(environ=environ)


def test_the_command_reports_a_bad_config_and_exits_2(tmp_path):
    command = [sys.executable, "-m", "example_project.sample_client", "--config", str(tmp_path / "missing.json")]

    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    assert result.stderr.startswith("sample client: Cannot read ")


# manage.py demo


@pytest.mark.django_db
def test_demo_sets_up_everything_once(tmp_path):
    first = run_demo(var_dir=tmp_path)
    second = run_demo(var_dir=tmp_path)

    User = get_user_model()
    admin, alice = User.objects.get(username="admin"), User.objects.get(username="alice")
    assert admin.is_superuser and admin.is_staff
    assert (alice.first_name, alice.last_name, alice.email) == ("Alice", "Liddell", "alice@example.com")
    assert not alice.is_staff
    assert admin.check_password(password_from(first, "admin"))
    assert alice.check_password(password_from(first, "alice"))
    assert "shown only now" not in second
    assert "password unchanged" in second
    assert provider_settings.provider_enabled()

    app = get_application_model().objects.get(name=SAMPLE_APP_NAME)
    assert not app.is_trusted and app.client_type == "confidential"
    assert app.callback_urls == ["http://127.0.0.1:8001/callback"]
    path = tmp_path / "sample_client.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["provider_url"] == "http://127.0.0.1:8000"
    assert data["redirect_uri"] == "http://127.0.0.1:8001/callback"
    assert data["client_id"] == app.client_id
    assert check_password(data["client_secret"], app.client_secret)


@pytest.mark.django_db
def test_demo_regenerates_a_lost_secret(tmp_path):
    run_demo(var_dir=tmp_path)
    path = tmp_path / "sample_client.json"
    old_secret = json.loads(path.read_text())["client_secret"]
    path.unlink()

    output = run_demo(var_dir=tmp_path)

    app = get_application_model().objects.get(name=SAMPLE_APP_NAME)
    new_secret = json.loads(path.read_text())["client_secret"]
    assert "new secret generated" in output
    assert new_secret != old_secret
    assert check_password(new_secret, app.client_secret)
    assert not check_password(old_secret, app.client_secret)
    # Through the service: audited like a secret regenerated on the site.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.APP_SECRET_REGENERATED, target_id=app.client_id).exists()


@pytest.mark.django_db
def test_demo_on_other_ports_updates_the_registration(tmp_path):
    run_demo(var_dir=tmp_path)

    run_demo("--site-port", "9000", "--client-port", "9001", var_dir=tmp_path)

    app = get_application_model().objects.get(name=SAMPLE_APP_NAME)
    assert (app.homepage, app.callback_urls) == ("http://127.0.0.1:9001/", ["http://127.0.0.1:9001/callback"])
    assert json.loads((tmp_path / "sample_client.json").read_text())["provider_url"] == "http://127.0.0.1:9000"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.APP_UPDATED).exists()


@pytest.mark.django_db
def test_demo_reset_passwords(tmp_path):
    first = run_demo(var_dir=tmp_path)

    output = run_demo("--reset-passwords", var_dir=tmp_path)

    alice = get_user_model().objects.get(username="alice")
    assert password_from(output, "alice") != password_from(first, "alice")
    assert alice.check_password(password_from(output, "alice"))


# OpenID Connect: manage.py demo --oidc


@pytest.fixture
def oidc_demo(live_server, tmp_path, settings):
    """``manage.py demo --oidc``, and the site configured as example_project.settings configures it at start-up."""
    from example_project.settings import oidc_from_environment
    from mm_oauth.defaults import oauth2_provider_settings
    from tests.conftest import forget_oauthlib_cores

    client_port = free_port()
    ports = ("--site-port", str(live_server.thread.port), "--client-port", str(client_port))
    output = run_demo(*ports, "--oidc", var_dir=tmp_path)
    forget_oauthlib_cores()
    settings.OAUTH2_PROVIDER = oauth2_provider_settings(**oidc_from_environment({}, tmp_path))
    client = SampleClientProcess(tmp_path / "sample_client.json", client_port)
    client.start()
    yield {
        "client_url": f"http://127.0.0.1:{client_port}",
        "config": load_config(tmp_path / "sample_client.json", environ={}),
        "alice_password": password_from(output, "alice"),
        "output": output,
        "var_dir": tmp_path,
        "ports": ports,
    }
    client.stop()
    forget_oauthlib_cores()


def claims_shown(page):
    found = re.findall(r'<dd data-claim="([a-z_]+)">(.*?)</dd>', page.text, re.DOTALL)
    return {key: html.unescape(value) for key, value in found}


def test_demo_oidc_generates_a_private_key_and_records_it_for_the_settings(oidc_demo):
    var_dir = oidc_demo["var_dir"]
    key = var_dir / "oidc.pem"
    assert "BEGIN PRIVATE KEY" in key.read_text()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    recorded = (var_dir / "demo.env").read_text()
    assert f"OIDC_RSA_PRIVATE_KEY_FILE={key.resolve()}" in recorded
    assert "OpenID Connect: on" in oidc_demo["output"]
    assert oidc_demo["config"].scope == "openid profile email read write"

    # Run again: the same key (ID tokens it signed stay valid); without --oidc, the record goes, the key stays.
    before = key.read_text()
    run_demo(*oidc_demo["ports"], "--oidc", var_dir=var_dir)
    assert key.read_text() == before
    run_demo(*oidc_demo["ports"], var_dir=var_dir)
    assert not (var_dir / "demo.env").exists() and key.exists()
    assert "scope" not in json.loads((var_dir / "sample_client.json").read_text())


def test_the_sample_client_signs_in_with_openid_connect_and_verifies_the_id_token(browser, oidc_demo):
    page = sign_in_through_consent(browser, oidc_demo, allow=True)
    assert page.status_code == 200, page.text[:500]
    assert "Signed in with OpenID Connect" in page.text
    alice = get_user_model().objects.get(username="alice")
    claims = claims_shown(page)
    issuer = oidc_demo["config"].provider_url
    assert claims["iss"] == issuer and claims["sub"] == str(alice.pk)
    assert claims["aud"] == oidc_demo["config"].client_id
    assert claims["email"] == "alice@example.com" and claims["preferred_username"] == "alice"
    assert claims["email_verified"] == "False" and int(claims["auth_time"]) > 0
    assert profile_fields(page)["username"] == "alice"  # users/me still answers the same token
    token = get_access_token_model().objects.get(user=alice)
    assert set(token.scope.split()) == {"openid", "profile", "email", "read", "write"}


def test_the_sample_client_refuses_an_id_token_signed_with_another_key(browser, oidc_demo, settings, rsa_private_key):
    from tests.conftest import forget_oauthlib_cores

    # The site signs with a key its JWKS does not publish (as a forger would): the client must refuse.
    forget_oauthlib_cores()
    published = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": rsa_private_key}
    from oauth2_provider.views import oidc as dot_oidc

    original = dot_oidc.JwksInfoView.get

    def jwks_of_the_published_key(self, request, *args, **kwargs):
        settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": published}
        try:
            return original(self, request, *args, **kwargs)
        finally:
            settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": rsa_private_key}

    dot_oidc.JwksInfoView.get = jwks_of_the_published_key
    try:
        page = sign_in_through_consent(browser, oidc_demo, allow=True)
    finally:
        dot_oidc.JwksInfoView.get = original
    assert page.status_code == 502 and "did not sign you in" in page.text
    assert "Signed in with OpenID Connect" not in page.text
