"""The sample client's pages: sign in with the provider, show who signed in, post to its board.

The OAuth 2.0 part is Authlib's Django client: the provider is registered from its
RFC 8414 metadata; the sign-in uses the authorization code flow with PKCE (S256)
and a random ``state``; the code is exchanged with the client ID and secret in the
form body (``client_secret_post``, as Mattermost's sample client does). Every
view of the home page asks ``users/me`` with the token, so an app the user
deauthorized on the provider shows as signed out at once.

With ``openid`` in the configured scope, Authlib also sends a ``nonce`` and
verifies the ID token that comes with the tokens: its signature against the
provider's published keys (``jwks_uri``), ``iss``, ``aud``, ``nonce``, ``exp``
and ``at_hash`` (OpenID Connect Core 1.0 section 3.1.3.7).
"""

import threading
from functools import wraps

import requests
from authlib.integrations.django_client import OAuth, OAuthError
from authlib.jose.errors import JoseError
from django.conf import settings
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from joserfc.errors import JoseError as JoseRFCError

CONFIG = settings.SAMPLE_CLIENT
PROFILE_FIELDS = ("id", "username", "email", "first_name", "last_name", "nickname", "position", "roles", "locale")
ID_TOKEN_CLAIMS = ("iss", "sub", "aud", "auth_time", "preferred_username", "email", "email_verified")
# Refresh tokens rotate, and the provider revokes them all when a used one comes back
# (RFC 9700 section 4.14.2): one refresh at a time, shared by the requests that wait for it.
REFRESH_LOCK = threading.Lock()
REVOKED_NOTICE = f"Your authorization was revoked on {CONFIG.provider_name}; sign in again."

oauth = OAuth()
oauth.register(
    "provider",
    client_id=CONFIG.client_id,
    client_secret=CONFIG.client_secret,
    server_metadata_url=CONFIG.metadata_url,
    api_base_url=CONFIG.provider_url + "/api/v4/",
    client_kwargs={
        "scope": CONFIG.scope or None,
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": "client_secret_post",
        "default_timeout": 10,
    },
)


class AuthorizationRevoked(Exception):
    """The provider refuses the access token and the refresh token: the user withdrew this app."""


def no_referrer(view):
    """The callback's URL carries the authorization code: never leak it in a Referer."""

    @wraps(view)
    def wrapper(request):
        response = view(request)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


@never_cache
def home(request):
    if "token" in request.session:
        check_sign_in(request)
    context = {
        "provider_name": CONFIG.provider_name,
        "user": request.session.get("user"),
        "scope": request.session.get("token", {}).get("scope"),
        "id_token": request.session.get("id_token"),
        "openid": CONFIG.openid,
        "notice": request.session.pop("notice", None),  # each shown once
        "outcome": request.session.pop("outcome", None),
        "unchecked": getattr(request, "sign_in_unchecked", False),
    }
    return render(request, "sample_client/home.html", context)


def check_sign_in(request):
    """Ask the provider who the token belongs to, on every view: a deauthorized app shows as signed out at once.

    A refused token (and refresh token) signs the user out of this app; a provider
    that cannot answer leaves the sign-in as it was, marked unchecked.
    """
    try:
        response = call_api(request, "GET", "users/me")
    except AuthorizationRevoked:
        signed_out(request, REVOKED_NOTICE)
        return
    except requests.RequestException:
        response = None
    if response is None or response.status_code != 200:
        request.sign_in_unchecked = True
        return
    request.session["user"] = {key: str(response.json().get(key, "")) for key in PROFILE_FIELDS}


def signed_out(request, notice):
    """Forget the tokens and the user, keeping a notice for the next page."""
    request.session.flush()
    request.session["notice"] = notice


@never_cache
def sign_in(request):
    try:
        return oauth.provider.authorize_redirect(request, CONFIG.redirect_uri)
    except requests.RequestException as exc:  # its metadata could not be read
        return problem(request, f"{CONFIG.provider_name} could not be reached: {exc}.", "Sign-in failed", status=502)


@never_cache
@no_referrer
def callback(request):
    # Only an answer to a sign-in started in this browser: Authlib keeps the state it sent (and the
    # PKCE verifier) in the session. Checked first, so that an error answer is checked too.
    if not oauth.provider.framework.get_state_data(request.session, request.GET.get("state")):
        return problem(
            request,
            "This answer does not match a sign-in started in this browser (the state parameter did not match, "
            "or the sign-in is too old). Nothing was done; start again.",
        )
    # RFC 9207: the answer names the server that sent it, so another server's answer is not
    # taken for this provider's (the mix-up attack). Required when the metadata says it is sent.
    metadata = oauth.provider.load_server_metadata()
    issuer = request.GET.get("iss")
    if (issuer or metadata.get("authorization_response_iss_parameter_supported")) and issuer != metadata["issuer"]:
        return problem(
            request,
            f"This answer says it comes from {issuer or 'nowhere'}, not from {CONFIG.provider_name} "
            f"({metadata['issuer']}). Nothing was done; start again.",
        )
    if "error" in request.GET:  # e.g. access_denied: the user chose Deny
        context = {"provider_name": CONFIG.provider_name, "error": request.GET["error"]}
        context["description"] = request.GET.get("error_description", "")
        return render(request, "sample_client/provider_error.html", context)
    try:
        token = oauth.provider.authorize_access_token(request)  # verifies the ID token, if any
        if CONFIG.openid and "userinfo" not in token:
            raise OAuthError(description="no ID token came with the tokens, though openid was asked for")
        response = oauth.provider.get("users/me", token=token)
        response.raise_for_status()
        profile = response.json()
    except (OAuthError, requests.RequestException, ValueError) as exc:
        return problem(request, f"The provider did not sign you in: {exc}.", "Sign-in failed", status=502)
    except (JoseError, JoseRFCError) as exc:  # the ID token failed verification (signature or a claim)
        return problem(request, f"The provider did not sign you in: its ID token is not valid ({exc}).", status=502)
    request.session.cycle_key()  # a new session key once signed in: no session fixation
    rotate_token(request)
    request.session["user"] = {key: str(profile.get(key, "")) for key in PROFILE_FIELDS}
    if "userinfo" in token:  # the ID token's claims, verified
        request.session["id_token"] = {
            key: str(token["userinfo"][key]) for key in ID_TOKEN_CLAIMS if key in token["userinfo"]
        }
    # Kept on this server; the browser holds only the session key. No expiry: the API's 401 says when.
    request.session["token"] = {key: token.get(key) for key in ("access_token", "refresh_token", "token_type", "scope")}
    return redirect("home")


@never_cache
@require_POST
def post_message(request):
    if "token" not in request.session:
        return redirect("home")  # signed out meanwhile (or revoked): the home page says so
    form = {name: request.POST.get(name, "") for name in ("message", "display_name", "icon_url")}
    # Mattermost's props let an app post under another name and icon, if the provider's admin allows it.
    props = {"override_username": form["display_name"].strip(), "override_icon_url": form["icon_url"].strip()}
    body = {"message": form["message"], "props": {name: value for name, value in props.items() if value}}
    try:
        response = call_api(request, "POST", "posts", json=body)
    except AuthorizationRevoked:
        signed_out(request, REVOKED_NOTICE)
        return redirect("home")
    except requests.RequestException as exc:
        request.session["outcome"] = {"unreachable": str(exc), "form": form}
        return redirect("home")
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    outcome = {"status": response.status_code, "answer": answer, "form": form}
    if response.status_code == 201:
        outcome["form"] = {**form, "message": ""}  # keep the name and icon for the next post
        outcome["asked_name"] = " ".join(form["display_name"].split())  # as the provider normalizes it
    request.session["outcome"] = outcome
    return redirect("home")


@never_cache
@require_POST
def sign_out(request):
    request.session.flush()
    return redirect("home")


def csrf_failure(request, reason=""):
    message = "This form did not come from this app's own page (its CSRF token did not match), so nothing was done."
    return problem(request, message, "Form not accepted", status=403)


def problem(request, message, title="Sign-in could not be verified", status=400):
    return render(request, "sample_client/problem.html", {"title": title, "message": message}, status=status)


def call_api(request, method, path, **kwargs):
    """Call the provider's API with this session's access token; refresh it once if refused."""
    token = request.session["token"]
    response = oauth.provider.request(method, path, token=token, **kwargs)
    if response.status_code != 401:
        return response
    with REFRESH_LOCK:
        latest = request.session.load().get("token")  # as saved, perhaps by a request that refreshed
        if latest is None or not latest.get("refresh_token"):
            raise AuthorizationRevoked
        if latest["access_token"] == token["access_token"]:
            latest = refreshed(token)
            if latest is None:
                return response  # the provider could not refresh (e.g. switched off): show the API's reason
        request.session["token"] = latest
        request.session.save()  # now, for the requests waiting on the lock
    response = oauth.provider.request(method, path, token=latest, **kwargs)
    if response.status_code == 401:
        raise AuthorizationRevoked
    return response


def refreshed(token):
    """Return ``token`` refreshed with its refresh token; None if the provider could not answer."""
    try:
        new = oauth.provider.fetch_access_token(grant_type="refresh_token", refresh_token=token["refresh_token"])
    except OAuthError as exc:
        if exc.error == "invalid_grant":  # revoked (Deauthorize on the provider) or expired
            raise AuthorizationRevoked from None
        return None
    except (requests.RequestException, ValueError):
        return None
    return {**token, **{key: new[key] for key in token if key in new}}
