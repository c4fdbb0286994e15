"""The sample client's WSGI application and its threaded standard-library server.

Pages:

- ``GET /``: "Sign in with …" or, once signed in, the user's profile and a form
  to post a message to the provider's board;
- ``GET /signin``: starts the authorization code flow (PKCE S256, random state);
- ``GET <callback path>``: checks ``state`` and the issuer (``iss``, RFC 9207), shows a provider error, or exchanges
  the code (client ID and secret in the form body, as Mattermost's sample does),
  calls ``GET /api/v4/users/me`` with ``Authorization: Bearer …`` and signs in;
- ``POST /post``: posts the form's message to the provider's ``POST /api/v4/posts``
  with the access token (refreshed once if it was refused), then shows the post
  or the API's error; a token refused for good means the user revoked this app;
- ``POST /signout``: forgets this browser's session.

The POST forms carry a per-session CSRF token that the handlers check.
"""

import secrets
import socketserver
import sys
import threading
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
MAX_FORM_BYTES = 64 * 1024
CSRF_FIELD = "csrf_token"
# What a signed-in session holds; all forgotten on sign-out or when the authorization is revoked.
SIGNED_IN_KEYS = ("user", "tokens", "token_info", CSRF_FIELD, "outcome")
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


class AuthorizationRevoked(Exception):
    """The provider refuses the access token and its refresh token: the user withdrew this app."""


class FormTooLarge(Exception):
    """The request body is larger than MAX_FORM_BYTES."""


@dataclass
class Request:
    """The little of a WSGI request this app needs."""

    method: str
    path: str
    query: dict
    session_key: str
    form: dict = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ):
        """Build the request; raise FormTooLarge for a body over MAX_FORM_BYTES."""
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        method = environ["REQUEST_METHOD"].upper()
        return cls(
            method=method,
            path=environ.get("PATH_INFO") or "/",
            query=query,
            session_key=read_session_key(environ.get("HTTP_COOKIE", "")),
            form=read_form(environ) if method == "POST" else {},
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


def read_form(environ):
    """Return the fields of a url-encoded POST body (first value of each; blank values kept)."""
    content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_FORM_BYTES:
        raise FormTooLarge
    if content_type != "application/x-www-form-urlencoded" or length <= 0:
        return {}
    body = environ["wsgi.input"].read(length).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def csrf_token_matches(session, submitted):
    """Return whether ``submitted`` is this session's CSRF token (compared in constant time)."""
    expected = session.get(CSRF_FIELD, "")
    return bool(expected and submitted) and secrets.compare_digest(expected.encode(), submitted.encode())


def redirect(location, *headers):
    """A 303 See Other to ``location`` (a GET, whatever the request's method)."""
    return Response(HTTPStatus.SEE_OTHER, "", [("Location", location), *headers])


class SampleClient:
    """The WSGI application: one instance per configured client."""

    def __init__(self, config, sessions=None):
        allow_insecure_transport_for(config.provider_url)
        self.config = config
        self.sessions = sessions or SessionStore()
        self.refresh_lock = threading.Lock()
        self.secure_cookies = urlsplit(config.redirect_uri).scheme == "https"
        self.routes = {
            ("GET", "/"): self.home,
            ("GET", "/signin"): self.sign_in,
            ("GET", config.callback_path): self.callback,
            ("POST", "/post"): self.post_message,
            ("POST", "/signout"): self.sign_out,
        }

    def __call__(self, environ, start_response):
        is_head = environ["REQUEST_METHOD"].upper() == "HEAD"
        response = self.respond(environ)
        body = b"" if is_head else response.body.encode("utf-8")
        headers = [("Content-Type", "text/html; charset=utf-8"), *SECURITY_HEADERS, *response.headers]
        start_response(response.wsgi_status(), headers)
        return [body]

    def respond(self, environ):
        """Route the request to its handler; return its Response."""
        try:
            request = Request.from_environ(environ)
        except FormTooLarge:
            return Response(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, pages.problem_page("Too large", "That form was too large.")
            )
        method = "GET" if request.method == "HEAD" else request.method
        handler = self.routes.get((method, request.path))
        if handler is not None:
            return handler(request)
        if any(path == request.path for _method, path in self.routes):
            return Response(HTTPStatus.METHOD_NOT_ALLOWED, pages.problem_page("Not allowed", "Use the buttons."))
        return Response(HTTPStatus.NOT_FOUND, pages.problem_page("Not found", "There is no such page here."))

    # Pages

    def home(self, request):
        session = self.sessions.get(request.session_key) or {}
        # A one-time message (the last post's outcome, a revoked authorization) is shown once; HEAD keeps it.
        take_once = session.get if request.method == "HEAD" else session.pop
        user = session.get("user")
        if user is None:
            notice = take_once("notice", None)
            return Response(body=pages.signed_out_page(self.config.provider_name, notice=notice))
        return Response(
            body=pages.signed_in_page(
                self.config.provider_name,
                user,
                session.get("token_info", {}),
                csrf_token=session[CSRF_FIELD],
                outcome=take_once("outcome", None),
            )
        )

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
            issuer = request.query.get("iss")
            if issuer is not None and issuer != self.config.provider_url:
                # RFC 9207: the answer names the server that sent it; another server's answer
                # must not be taken for this provider's (the mix-up attack). Nothing is exchanged.
                return Response(
                    HTTPStatus.BAD_REQUEST,
                    pages.problem_page(
                        "Sign-in could not be verified",
                        f"This answer says it comes from {issuer}, not from {self.config.provider_name} "
                        f"({self.config.provider_url}). Nothing was done; start again.",
                    ),
                )
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

    def post_message(self, request):
        """Post the form's message to the provider's board; show what happened on the home page."""
        session = self.sessions.get(request.session_key)
        if not session or "tokens" not in session:
            return redirect("/")  # signed out meanwhile (or revoked): the home page says so
        if not csrf_token_matches(session, request.form.get(CSRF_FIELD, "")):
            return forbidden_form()
        form = {name: request.form.get(name, "") for name in pages.POST_FORM_FIELDS}
        try:
            response = self.call_api(session, "POST", self.config.posts_url, json=post_body(form))
        except AuthorizationRevoked:
            forget_authorization(session)
            session["notice"] = pages.REVOKED_NOTICE
            return redirect("/")
        except requests.RequestException as exc:
            session["outcome"] = {"kind": "unreachable", "detail": str(exc), "form": form}
            return redirect("/")
        session["outcome"] = post_outcome(response, form)
        return redirect("/")

    def sign_out(self, request):
        """Forget this browser's session and its cookie."""
        session = self.sessions.get(request.session_key)
        if session and CSRF_FIELD in session and not csrf_token_matches(session, request.form.get(CSRF_FIELD, "")):
            return forbidden_form()
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

    def call_api(self, session, method, url, **kwargs):
        """Call the provider's API with the session's access token; refresh it once if refused.

        Raises AuthorizationRevoked when the provider refuses the access token
        and then the refresh token (Deauthorize on the site revokes both).
        """
        access_token = current_access_token(session)
        response = self.bearer_request(access_token, method, url, **kwargs)
        if response.status_code != HTTPStatus.UNAUTHORIZED:
            return response
        # One refresh at a time: refresh tokens rotate, and replaying a used one
        # makes the provider revoke them all (reuse detection).
        with self.refresh_lock:
            if current_access_token(session) == access_token:
                refreshed = self.refresh_tokens(session)
            else:
                refreshed = True  # another request of this session refreshed meanwhile
        if refreshed is None:
            return response  # the provider could not answer (e.g. switched off): show its reason
        if not refreshed:
            raise AuthorizationRevoked
        response = self.bearer_request(current_access_token(session), method, url, **kwargs)
        if response.status_code == HTTPStatus.UNAUTHORIZED:
            raise AuthorizationRevoked
        return response

    def bearer_request(self, access_token, method, url, **kwargs):
        if not access_token:
            raise AuthorizationRevoked
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        return requests.request(method, url, headers=headers, timeout=HTTP_TIMEOUT, **kwargs)

    def refresh_tokens(self, session):
        """Use the refresh token (form body, like the code exchange); keep the new tokens.

        Return True when refreshed, False when the provider refused the refresh
        token (revoked or expired), None when it did not answer usefully.
        """
        refresh_token = session.get("tokens", {}).get("refresh_token")
        if not refresh_token:
            return False
        data = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        try:
            response = requests.post(
                self.config.token_url, data=data, headers={"Accept": "application/json"}, timeout=HTTP_TIMEOUT
            )
            answer = response.json()
        except (requests.RequestException, ValueError):
            return None
        if not isinstance(answer, dict):
            return None
        if response.status_code == HTTPStatus.OK and answer.get("access_token"):
            session["tokens"] = {
                "access_token": answer["access_token"],
                # Refresh tokens rotate: the old one no longer works.
                "refresh_token": answer.get("refresh_token") or refresh_token,
            }
            return True
        if response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED) and answer.get("error"):
            return False
        return None

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
        # The tokens stay here, on this app's server; the browser only holds the session key.
        session["tokens"] = {"access_token": token["access_token"], "refresh_token": token.get("refresh_token", "")}
        scope = token.get("scope", "")
        session["token_info"] = {"scope": " ".join(scope) if isinstance(scope, list) else scope}
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
        return redirect("/", ("Set-Cookie", session_cookie(key, secure=self.secure_cookies)))


def forbidden_form():
    return Response(
        HTTPStatus.FORBIDDEN,
        pages.problem_page(
            "Form not accepted",
            "This form did not come from this app's own page (its CSRF token did not match), so nothing was done. "
            "Go back to the start and try again.",
        ),
    )


def current_access_token(session):
    """The session's access token, or "" once it was forgotten."""
    return session.get("tokens", {}).get("access_token", "")


def forget_authorization(session):
    """Drop the signed-in user and the tokens from ``session`` (they no longer work)."""
    for key in SIGNED_IN_KEYS:
        session.pop(key, None)


def post_body(form):
    """The JSON body of ``POST /api/v4/posts``: the message and, if given, Mattermost's override props."""
    body = {"message": form["message"]}
    props = {}
    if form["display_name"].strip():
        props["override_username"] = form["display_name"].strip()
    if form["icon_url"].strip():
        props["override_icon_url"] = form["icon_url"].strip()
    if props:
        body["props"] = props
    return body


def post_outcome(response, form):
    """Describe the API's answer to a post: the post it created, or its error."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code == HTTPStatus.CREATED and isinstance(data, dict):
        from_app = data.get("from_app") or {}
        post = {
            "message": str(data.get("message", "")),
            "display_name": str(data.get("display_name", "")),
            "icon_url": str(data.get("icon_url") or ""),
            "from_app": str(from_app.get("name", "")) if isinstance(from_app, dict) else "",
        }
        # Keep the name and icon for the next post; clear the message.
        return {"kind": "posted", "post": post, "form": {**form, "message": ""}}
    error = data if isinstance(data, dict) else {}
    errors = error.get("errors") if isinstance(error.get("errors"), dict) else {}
    return {
        "kind": "error",
        "status": response.status_code,
        "id": str(error.get("id", "")),
        "message": str(error.get("message") or f"HTTP {response.status_code} {response.reason}"),
        "errors": {
            str(name): [str(item) for item in (value if isinstance(value, list) else [value])]
            for name, value in errors.items()
        },
        "form": form,
    }


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
