"""The sample client's WSGI application and its threaded standard-library server.

Pages:

- ``GET /``: "Sign in with …" or, once signed in, the user's profile;
- ``GET /signin``: starts the authorization code flow (PKCE S256, random state);
- ``GET <callback path>``: checks ``state``, shows a provider error, or exchanges
  the code (client ID and secret in the form body, as Mattermost's sample does),
  calls ``GET /api/v4/users/me`` with ``Authorization: Bearer …`` and signs in;
- ``POST /signout``: forgets this browser's session.
"""

import secrets
import socketserver
import sys
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

from . import pages
from .config import allow_insecure_transport_for
from .sessions import COOKIE_NAME, SessionStore, expired_cookie, session_cookie

HTTP_TIMEOUT = 10
MAX_PENDING_SIGN_INS = 5
SECURITY_HEADERS = [
    ("Cache-Control", "no-store"),
    # The callback URL carries the authorization code: never leak it in a Referer.
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]


class SignInFailed(Exception):
    """The token exchange or the profile request failed; the message is safe to show."""


@dataclass
class Request:
    """The little of a WSGI request this app needs."""

    method: str
    path: str
    query: dict
    session_key: str

    @classmethod
    def from_environ(cls, environ):
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        return cls(
            method=environ["REQUEST_METHOD"].upper(),
            path=environ.get("PATH_INFO") or "/",
            query=query,
            session_key=read_session_key(environ.get("HTTP_COOKIE", "")),
        )


@dataclass
class Response:
    """A status, an HTML body and extra headers."""

    status: HTTPStatus = HTTPStatus.OK
    body: str = ""
    headers: list = field(default_factory=list)

    def wsgi_status(self):
        return f"{self.status.value} {self.status.phrase}"


def read_session_key(cookie_header):
    """Return this app's session key from a Cookie header, or ""."""
    try:
        cookie = SimpleCookie(cookie_header)
    except CookieError:
        return ""
    morsel = cookie.get(COOKIE_NAME)
    return morsel.value if morsel else ""


def redirect(location, *headers):
    """A 303 See Other to ``location`` (a GET, whatever the request's method)."""
    return Response(HTTPStatus.SEE_OTHER, "", [("Location", location), *headers])


class SampleClient:
    """The WSGI application: one instance per configured client."""

    def __init__(self, config, sessions=None):
        allow_insecure_transport_for(config.provider_url)
        self.config = config
        self.sessions = sessions or SessionStore()
        self.secure_cookies = urlsplit(config.redirect_uri).scheme == "https"
        self.routes = {
            ("GET", "/"): self.home,
            ("GET", "/signin"): self.sign_in,
            ("GET", config.callback_path): self.callback,
            ("POST", "/signout"): self.sign_out,
        }

    def __call__(self, environ, start_response):
        request = Request.from_environ(environ)
        method = "GET" if request.method == "HEAD" else request.method
        handler = self.routes.get((method, request.path))
        if handler is not None:
            response = handler(request)
        elif any(path == request.path for _method, path in self.routes):
            response = Response(HTTPStatus.METHOD_NOT_ALLOWED, pages.problem_page("Not allowed", "Use the buttons."))
        else:
            response = Response(HTTPStatus.NOT_FOUND, pages.problem_page("Not found", "There is no such page here."))
        body = b"" if request.method == "HEAD" else response.body.encode("utf-8")
        headers = [("Content-Type", "text/html; charset=utf-8"), *SECURITY_HEADERS, *response.headers]
        start_response(response.wsgi_status(), headers)
        return [body]

    # Pages

    def home(self, request):
        session = self.sessions.get(request.session_key) or {}
        user = session.get("user")
        if user is None:
            return Response(body=pages.signed_out_page(self.config.provider_name))
        return Response(body=pages.signed_in_page(self.config.provider_name, user, session.get("token_info", {})))

    def sign_in(self, request):
        """Send the browser to the provider's authorize page with a fresh state and PKCE challenge."""
        headers = []
        session = self.sessions.get(request.session_key)
        if session is None:
            key, session = self.sessions.create()
            headers.append(("Set-Cookie", session_cookie(key, secure=self.secure_cookies)))
        oauth = OAuth2Session(
            self.config.client_id,
            redirect_uri=self.config.redirect_uri,
            scope=self.config.scope.split() or None,
            pkce="S256",
        )
        url, state = oauth.authorization_url(self.config.authorize_url, state=secrets.token_urlsafe(32))
        remember_pending(session, state, oauth)
        return redirect(url, *headers)

    def callback(self, request):
        """Finish the sign-in the provider redirected back about."""
        session = self.sessions.get(request.session_key)
        oauth = take_pending(session, request.query.get("state", ""))
        if oauth is None:
            return Response(
                HTTPStatus.BAD_REQUEST,
                pages.problem_page(
                    "Sign-in could not be verified",
                    "This answer does not match a sign-in started in this browser (the state parameter did not "
                    "match, or the sign-in is too old). Nothing was done; start again.",
                ),
            )
        with oauth:
            if "error" in request.query:
                body = pages.provider_error_page(
                    self.config.provider_name, request.query["error"], request.query.get("error_description", "")
                )
                return Response(body=body)
            try:
                token = self.exchange_code(oauth, request.query.get("code", ""))
                user = self.fetch_profile(token)
            except SignInFailed as exc:
                return Response(HTTPStatus.BAD_GATEWAY, pages.problem_page("Sign-in failed", str(exc)))
        return self.start_signed_in_session(request.session_key, user, token)

    def sign_out(self, request):
        """Forget this browser's session and its cookie."""
        self.sessions.delete(request.session_key)
        return redirect("/", ("Set-Cookie", expired_cookie(secure=self.secure_cookies)))

    # The protocol

    def exchange_code(self, oauth, code):
        """POST the code to the token endpoint; return the token dict.

        ``include_client_id=True`` with ``client_secret`` puts grant_type, code,
        redirect_uri, client_id, client_secret and code_verifier in the form
        body, like Mattermost's sample client (not an HTTP Basic header).
        """
        if not code:
            raise SignInFailed("The provider sent neither a code nor an error.")
        try:
            return oauth.fetch_token(
                self.config.token_url,
                code=code,
                client_secret=self.config.client_secret,
                include_client_id=True,
                timeout=HTTP_TIMEOUT,
            )
        except OAuth2Error as exc:
            raise SignInFailed(f"The token request was refused: {exc.error} ({exc.description}).") from None
        except (requests.RequestException, ValueError, Warning) as exc:
            # oauthlib raises a Warning when the granted scope differs from the requested one.
            raise SignInFailed(f"The token request failed: {exc}.") from None

    def fetch_profile(self, token):
        """Return the user's id, username, email, first and last name from ``/api/v4/users/me``."""
        try:
            response = requests.get(
                self.config.users_me_url,
                headers={"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"},
                timeout=HTTP_TIMEOUT,
            )
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise SignInFailed(f"Reading your profile failed: {exc}.") from None
        return {key: str(data.get(key, "")) for key, _label in pages.PROFILE_FIELDS}

    def start_signed_in_session(self, old_key, user, token):
        """Keep the user in a new session (a new key: no session fixation) and go home."""
        self.sessions.delete(old_key)
        key, session = self.sessions.create()
        session["user"] = user
        scope = token.get("scope", "")
        session["token_info"] = {"scope": " ".join(scope) if isinstance(scope, list) else scope}
        return redirect("/", ("Set-Cookie", session_cookie(key, secure=self.secure_cookies)))


def remember_pending(session, state, oauth):
    """Keep the OAuth2Session (it holds the PKCE verifier) until the provider answers ``state``."""
    pending = session.setdefault("pending", {})
    pending[state] = oauth
    while len(pending) > MAX_PENDING_SIGN_INS:
        pending.pop(next(iter(pending))).close()


def take_pending(session, state):
    """Remove and return the OAuth2Session started with ``state``; None if there is none."""
    if not session or not state:
        return None
    pending = session.get("pending", {})
    for started_state in list(pending):
        if secrets.compare_digest(started_state.encode(), state.encode()):
            return pending.pop(started_state)
    return None


# The server


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per request (the callback calls the provider while others wait)."""

    daemon_threads = True
    allow_reuse_address = True


class LoggingHandler(WSGIRequestHandler):
    """Log one line per request, without the query string (it may carry an authorization code)."""

    def log_request(self, code="-", size="-"):
        path = urlsplit(self.path).path
        sys.stderr.write(f"[sample client] {self.command} {path} {code}\n")


class QuietHandler(WSGIRequestHandler):
    """Log nothing (tests)."""

    def log_message(self, format, *args):
        pass


def not_configured(environ, start_response):
    """The placeholder application of a server created before its client."""
    start_response("503 Service Unavailable", [("Content-Type", "text/html; charset=utf-8"), *SECURITY_HEADERS])
    return [pages.not_configured_page().encode("utf-8")]


def create_server(host, port, app=None, *, quiet=False):
    """Bind a threaded WSGI server to ``host:port`` (port 0: any free port).

    ``app`` may be given later with ``server.set_app(...)``, once the bound
    port (``server.server_port``) is known, e.g. to build the callback URL.
    """
    handler = QuietHandler if quiet else LoggingHandler
    return make_server(host, port, app or not_configured, server_class=ThreadingWSGIServer, handler_class=handler)
