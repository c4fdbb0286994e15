"""The requests of each scenario, for each project, built from that project's fixtures.

Each project serves the same protocol at its own paths: mm_oauth at
Mattermost's, stock DOT at DOT's (``/o/…``). A *run* is one wrk run of one
request against one server; a *row* of the table puts a stock run beside an
mm_oauth run (several rows may share a run).
"""

import base64
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

MM_PATHS = {
    "token": "/oauth/access_token",
    "introspect": "/oauth/introspect",
    "authorize": "/oauth/authorize",
    "me": "/api/v4/users/me",
    "apps": "/api/v4/oauth/apps",
}
DOT_PATHS = {
    "token": "/o/token/",
    "introspect": "/o/introspect/",
    "authorize": "/o/authorize/",
    "me": "/api/v4/users/me",
}
CALLBACK = "https://bench.example.com/callback"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TOKEN = "@TOKEN@"  # request.lua puts the next unused code or refresh token here


@dataclass(frozen=True)
class Request:
    """One request as wrk sends it; with ``tokens_file``, ``@TOKEN@`` in the body takes a new value each time."""

    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: str = ""
    tokens_file: str = ""


@dataclass(frozen=True)
class Run:
    """One wrk run: ``key`` names it, ``project`` is "dot" or "mm", ``build(fixtures)`` returns its Request."""

    key: str
    project: str
    label: str
    build: object


@dataclass(frozen=True)
class Row:
    """A line of the table: a stock run (None: stock DOT has no such endpoint) beside an mm_oauth run."""

    label: str
    dot_run: str | None
    mm_run: str


def _client(fixtures, name):
    client = fixtures["clients"][name]
    return client["client_id"], client["client_secret"]


def code_exchange(paths, client):
    """RFC 6749 section 4.1.3, the client authenticated by form fields, as Mattermost's clients do."""

    def build(fixtures):
        client_id, secret = _client(fixtures, client)
        form = urlencode({"redirect_uri": CALLBACK, "client_id": client_id, "client_secret": secret})
        body = f"grant_type=authorization_code&code={TOKEN}&{form}"
        return Request("POST", paths["token"], FORM, body, fixtures["files"][f"codes/{client}"])

    return build


def refresh(paths, client):
    """RFC 6749 section 6: each refresh token is sent once (both projects rotate them)."""

    def build(fixtures):
        client_id, secret = _client(fixtures, client)
        body = f"grant_type=refresh_token&refresh_token={TOKEN}&" + urlencode(
            {"client_id": client_id, "client_secret": secret}
        )
        return Request("POST", paths["token"], FORM, body, fixtures["files"][f"refresh/{client}"])

    return build


def bearer_get(paths):
    def build(fixtures):
        return Request("GET", paths["me"], {"Authorization": f"Bearer {fixtures['bearer']}"})

    return build


def introspection(paths, client):
    """RFC 7662: the client authenticates with HTTP Basic (RFC 6749 section 2.3.1) and asks about its token."""

    def build(fixtures):
        client_id, secret = _client(fixtures, client)
        basic = base64.b64encode(f"{quote(client_id)}:{quote(secret)}".encode()).decode()
        headers = {**FORM, "Authorization": f"Basic {basic}"}
        return Request("POST", paths["introspect"], headers, urlencode({"token": fixtures["bearer"]}))

    return build


def consent_page(paths):
    """The signed-in user's consent page for an app they never authorized (so it renders, no redirect)."""

    def build(fixtures):
        query = urlencode(
            {
                "response_type": "code",
                "client_id": fixtures["consent_client_id"],
                "redirect_uri": CALLBACK,
                "scope": "read write",
                "state": "bench",
            }
        )
        return Request("GET", f"{paths['authorize']}?{query}", {"Cookie": fixtures["session"]})

    return build


def apps_list(paths):
    def build(fixtures):
        return Request("GET", paths["apps"], {"Cookie": fixtures["admin_session"]})

    return build


# In the order they run: per scenario, one project after the other, and the first
# one alternates, so drift (a growing token table, other load on the machine)
# favours neither.
RUNS = (
    Run("dot/code", "dot", "code exchange, DOT unhashed", code_exchange(DOT_PATHS, "unhashed")),
    Run("mm/code", "mm", "code exchange, mm_oauth", code_exchange(MM_PATHS, "mm_oauth")),
    Run("dot/code-pbkdf2", "dot", "code exchange, DOT default", code_exchange(DOT_PATHS, "default")),
    Run("mm/refresh", "mm", "refresh, mm_oauth", refresh(MM_PATHS, "mm_oauth")),
    Run("dot/refresh", "dot", "refresh, DOT unhashed", refresh(DOT_PATHS, "unhashed")),
    Run("dot/bearer", "dot", "bearer GET, DOT", bearer_get(DOT_PATHS)),
    Run("mm/bearer", "mm", "bearer GET, mm_oauth", bearer_get(MM_PATHS)),
    Run("mm/introspect", "mm", "introspection, mm_oauth", introspection(MM_PATHS, "mm_oauth")),
    Run("dot/introspect", "dot", "introspection, DOT unhashed", introspection(DOT_PATHS, "unhashed")),
    Run("dot/consent", "dot", "consent page, DOT", consent_page(DOT_PATHS)),
    Run("mm/consent", "mm", "consent page, mm_oauth", consent_page(MM_PATHS)),
    Run("mm/apps", "mm", "apps list, mm_oauth", apps_list(MM_PATHS)),
)

ROWS = (
    Row("code exchange (vs DOT unhashed)", "dot/code", "mm/code"),
    Row("code exchange (vs DOT default)", "dot/code-pbkdf2", "mm/code"),
    Row("refresh (vs DOT unhashed)", "dot/refresh", "mm/refresh"),
    Row("bearer GET users/me", "dot/bearer", "mm/bearer"),
    Row("introspection (vs DOT unhashed)", "dot/introspect", "mm/introspect"),
    Row("consent page GET", "dot/consent", "mm/consent"),
    Row("GET /api/v4/oauth/apps", None, "mm/apps"),
)

# Untimed first: every worker loads its templates, opens its connection, builds its oauthlib server.
WARMUP_RUNS = ("dot/bearer", "mm/bearer", "dot/introspect", "mm/introspect", "dot/consent", "mm/consent")
