"""The official Model Context Protocol SDK's OAuth client, unmodified, against the live example site.

``mcp.client.auth.OAuthClientProvider`` is the ``auth`` of a plain ``httpx2``
client that knows one URL, the site's ``/api/v4/users/me``. From the first 401
it finds everything else, as an MCP client does against any MCP server:

1. ``WWW-Authenticate: Bearer resource_metadata="…"`` → the RFC 9728 document
   (the resource ``<site>/api/v4/`` and its authorization server);
2. the RFC 8414 document of that server (``code_challenge_methods_supported``,
   ``authorization_response_iss_parameter_supported``, the endpoints);
3. the consent page, in headless Chromium (the SDK's redirect handler), and the
   code at a loopback callback (its callback handler), checked against ``iss``;
4. the code exchange with PKCE and ``resource`` (RFC 8707): the token's audience
   is the site's API;
5. ``users/me`` with the token, and, once it expires, a refresh.

The site runs in gunicorn on a database of its own (SQLite; a throwaway PostgreSQL
database when the suite runs on PostgreSQL), with 5-second access tokens
so the refresh comes without touching the SDK's state. How the SDK gets its client
is a parameter (``CLIENTS``): a public client registered beforehand, handed over
through the SDK's ``TokenStorage.get_client_info``; or a client ID metadata document
(the SDK's ``client_metadata_url``) that the site fetches from a local HTTPS server
whose certificate it trusts (``MM_OAUTH_CIMD_CA_BUNDLE``).
"""

import asyncio
import json
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata

from bench.load.databases import throwaway
from tests.conftest import PASSWORD
from tests.e2e.playwright_fixtures import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, require_chromium
from tests.e2e.servers import free_port, gunicorn, manage, site_env
from tests.metadata_server import DocumentServer, write_certificate

pytestmark = pytest.mark.slow

TOKEN_SECONDS = 5
SETTINGS_MODULE = f"""
from example_project.settings import *  # noqa: F403

OAUTH2_PROVIDER = {{**OAUTH2_PROVIDER, "ACCESS_TOKEN_EXPIRE_SECONDS": {TOKEN_SECONDS}}}  # noqa: F405
"""
SETUP = """
import json
from django.contrib.auth import get_user_model
from mm_oauth.services.applications import register_application
from mm_oauth.services.provider_settings import update_provider_settings

update_provider_settings(enable_provider=True)
get_user_model().objects.create_user("alice", "alice@example.com", {password!r}, first_name="Alice")
app, _secret = register_application(
    name="MCP agent", description="An MCP client", homepage="https://agent.example.com/",
    callback_urls=[{callback!r}], client_type="public",
)
print(json.dumps({{"client_id": app.client_id}}))
"""
AUDIENCE = """
from oauth2_provider.models import get_access_token_model
tokens = get_access_token_model().objects.exclude(scope="oauth2_provider:registration")  # RFC 7592's own token
print(__import__("json").dumps([token.resource for token in tokens]))
"""


@dataclass
class Site:
    url: str
    env: dict
    callback: str
    callbacks: "queue.Queue[str]"
    public_client_id: str
    documents: DocumentServer

    @property
    def api(self):
        return f"{self.url}/api/v4/"

    def audiences(self):
        """Return the audience (``resource``) of every live access token, read from the site's database."""
        return shell_json(self.env, AUDIENCE)


def shell_json(env, code):
    """Run ``code`` in the site's ``manage.py shell``; return the JSON it printed last."""
    return json.loads(manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1])


class CallbackHandler(BaseHTTPRequestHandler):
    """The client's loopback redirect URI (RFC 8252 section 7.3): note the query, say the window may close."""

    def do_GET(self):
        if urlsplit(self.path).path == "/callback":  # not the browser's /favicon.ico
            self.server.callbacks.put(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"Signed in; you may close this window.")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """The site's database: a new one on the suite's PostgreSQL server when it runs there, else a SQLite file."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('mcp_db') / 'site.sqlite3'}"
        return
    with throwaway(server, "mm_mcp") as url:
        yield url


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """A local HTTPS server for client ID metadata documents (its certificate: ``documents.cert``)."""
    cert, key = write_certificate(tmp_path_factory.mktemp("mcp_documents"))
    with DocumentServer(cert, key) as server:
        server.cert = cert
        yield server


@pytest.fixture(scope="module")
def site(tmp_path_factory, database_url, documents):
    """The example site in gunicorn (DEBUG off), with alice and a public client whose callback is a loopback server."""
    require_chromium()
    tmp_path = tmp_path_factory.mktemp("mcp_site")
    (tmp_path / "mcp_settings.py").write_text(SETTINGS_MODULE)
    env = site_env(
        tmp_path,
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="m" * 50,
        DJANGO_SETTINGS_MODULE="mcp_settings",
        SMTP_PORT=str(free_port()),  # nobody listens: the new-authorization notice fails, as on a site without mail
        MM_OAUTH_CIMD_CA_BUNDLE=str(documents.cert),  # the document server's certificate, as a private CA's
        MM_OAUTH_CIMD_ALLOW_LOOPBACK="1",  # it runs on this machine
    )
    env["PYTHONPATH"] = f"{env['PYTHONPATH']}:{tmp_path}"
    callbacks = queue.Queue()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), CallbackHandler)
    server.callbacks = callbacks
    threading.Thread(target=server.serve_forever, daemon=True).start()
    callback = f"http://127.0.0.1:{server.server_port}/callback"
    manage(env, "migrate", "--noinput")
    created = shell_json(env, SETUP.format(password=PASSWORD, callback=callback))
    try:
        with gunicorn(env, free_port()) as url:
            yield Site(url, env, callback, callbacks, created["client_id"], documents)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class MemoryStorage:
    """The SDK's ``TokenStorage``: what a real client keeps on disk, kept in memory."""

    client_info: OAuthClientInformationFull | None = None
    tokens: list = field(default_factory=list)

    async def get_tokens(self):
        return self.tokens[-1] if self.tokens else None

    async def set_tokens(self, tokens):
        self.tokens.append(tokens)

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


@dataclass
class Client:
    """How the SDK comes by its client: its storage and any further ``OAuthClientProvider`` arguments."""

    storage: MemoryStorage
    provider_kwargs: dict = field(default_factory=dict)
    registers: bool = False  # the SDK registers itself (RFC 7591) after reading the metadata


def pre_registered(site):
    """A public client (PKCE, no secret) the site's admin registered; the SDK finds it in its storage."""
    info = OAuthClientInformationFull(
        client_id=site.public_client_id,
        token_endpoint_auth_method="none",
        redirect_uris=[site.callback],
        grant_types=["authorization_code", "refresh_token"],
    )
    return Client(MemoryStorage(client_info=info))


SWITCH_ON = """
import json
from mm_oauth.services.provider_settings import update_provider_settings
update_provider_settings(**json.loads({settings!r}))
print("{{}}")
"""


def switch_on(site, **settings):
    """Change provider settings on the running site; return once its RFC 8414 document shows the change."""
    shell_json(site.env, SWITCH_ON.format(settings=json.dumps(settings)))
    deadline = time.monotonic() + 10  # each server process re-reads the settings within SETTINGS_CACHE_SECONDS
    while time.monotonic() < deadline:
        metadata = httpx2.get(f"{site.url}/.well-known/oauth-authorization-server").json()
        if all(metadata.get(key) for key in advertised(settings)):
            return
        time.sleep(0.2)
    raise AssertionError(f"the site does not advertise {settings} after 10 s")


def advertised(settings):
    keys = {
        "enable_client_id_metadata_documents": "client_id_metadata_document_supported",
        "enable_dynamic_client_registration": "registration_endpoint",
    }
    return [keys[name] for name in settings if name in keys]


def metadata_document(site):
    """A client known by its metadata document's URL, which the site fetches (client ID metadata document)."""
    url = site.documents.serve_document(
        "/mcp-agent.json",
        client_name="MCP agent",
        client_uri="https://agent.example.com/",
        redirect_uris=[site.callback],
        grant_types=["authorization_code", "refresh_token"],
    )
    switch_on(site, enable_client_id_metadata_documents=True, client_metadata_document_hosts="localhost")
    return Client(MemoryStorage(), {"client_metadata_url": url})


def dynamically_registered(site):
    """No client yet: the SDK registers one at the advertised registration_endpoint (RFC 7591), loopback callback."""
    switch_on(site, enable_dynamic_client_registration=True)
    return Client(MemoryStorage(), registers=True)


# One row per way an MCP client gets its client_id. A row is a function of the running site returning the
# SDK's storage and provider arguments; it may switch a site setting on first (switch_on).
CLIENTS = [
    pytest.param(pre_registered, id="pre-registered"),
    pytest.param(metadata_document, id="client-metadata-document"),
    pytest.param(dynamically_registered, id="dynamic-registration"),
]


class Person:
    """Alice at headless Chromium: signs in to the site when asked and allows on the consent page."""

    def __init__(self, page, site):
        self.page = page
        self.site = site
        self.consent_pages = 0

    async def open(self, url):
        """The SDK's redirect handler: the browser goes to the authorization URL and the person answers."""
        from playwright.async_api import expect

        page = self.page
        await page.goto(url)
        if urlsplit(page.url).path == "/login/":
            await page.get_by_label("Username").fill("alice")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
        await expect(
            page.get_by_role("heading", name="MCP agent would like to connect to your account")
        ).to_be_visible()
        self.consent_pages += 1
        await page.get_by_role("button", name="Allow").click()
        await page.wait_for_url(f"{self.site.callback}?*")

    async def code(self):
        """The SDK's callback handler: the parameters the loopback redirect URI received."""
        path = await asyncio.to_thread(self.site.callbacks.get, True, 30)
        query = {key: values[0] for key, values in parse_qs(urlsplit(path).query).items()}
        assert "code" in query, f"the site answered {query}"
        return AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))


async def run_client(site, client, page):
    """Drive the SDK: read ``users/me``, then again once the access token has expired; return what was sent."""
    person = Person(page, site)
    provider = OAuthClientProvider(
        server_url=f"{site.url}/api/v4/users/me",
        client_metadata=OAuthClientMetadata(
            client_name="MCP agent",
            redirect_uris=[site.callback],
            grant_types=["authorization_code", "refresh_token"],
            token_endpoint_auth_method="none",
        ),
        storage=client.storage,
        redirect_handler=person.open,
        callback_handler=person.code,
        **client.provider_kwargs,
    )
    sent = []

    async def note(response):
        sent.append((response.request.method, str(response.request.url), response.status_code))

    async with httpx2.AsyncClient(auth=provider, event_hooks={"response": [note]}, timeout=30) as http:
        first = await http.get(f"{site.url}/api/v4/users/me")
        await asyncio.sleep(TOKEN_SECONDS + 1)  # the access token expires: the SDK refreshes before asking
        second = await http.get(f"{site.url}/api/v4/users/me")
    return first, second, sent, person


async def journey(site, client):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            return await asyncio.wait_for(run_client(site, client, page), timeout=120)
        finally:
            await browser.close()


def paths(sent, site):
    return [(method, url.removeprefix(site.url).split("?")[0], status) for method, url, status in sent]


@pytest.mark.parametrize("make_client", CLIENTS)
def test_an_unmodified_mcp_client_finds_signs_in_reads_and_refreshes(site, make_client):
    client = make_client(site)
    started = time.monotonic()
    first, second, sent, person = asyncio.run(journey(site, client))

    assert first.status_code == 200, first.text
    assert first.json()["username"] == "alice"
    assert second.status_code == 200, second.text
    assert second.json()["username"] == "alice"
    assert person.consent_pages == 1

    # Everything it learnt came from the 401 and the documents it pointed to.
    registration = [("POST", "/api/v4/oauth/apps/register", 201)] if client.registers else []
    assert paths(sent, site) == [
        ("GET", "/api/v4/users/me", 401),
        ("GET", "/.well-known/oauth-protected-resource/api/v4/", 200),
        ("GET", "/.well-known/oauth-authorization-server", 200),
        *registration,
        ("POST", "/oauth/access_token", 200),  # the code, with PKCE and resource
        ("GET", "/api/v4/users/me", 200),
        ("POST", "/oauth/access_token", 200),  # the refresh
        ("GET", "/api/v4/users/me", 200),
    ]
    first_tokens, refreshed = client.storage.tokens
    assert refreshed.access_token != first_tokens.access_token
    assert refreshed.refresh_token != first_tokens.refresh_token  # rotated
    audiences = site.audiences()  # one live token per client that ran so far
    assert audiences and all(audience == [site.api] for audience in audiences)  # RFC 8707: bound to the site's API
    assert time.monotonic() - started < 120
