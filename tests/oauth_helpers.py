"""Helpers for driving the protocol with Django's test client."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

from django.test import Client


def pkce_pair():
    """Return (code_verifier, S256 code_challenge) as in RFC 7636 section 4."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(location):
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def authorize(
    client, app, *, redirect_uri=None, challenge=None, state="xyz", scope=None, allow=True, extra=None, granted=None
):
    """Run the authorize step for a signed-in test client; return the redirect's query dict.

    ``extra``: more authorization request parameters (e.g. an OpenID Connect ``nonce``).
    ``granted``: the optional scopes left ticked on the consent page (default: all, as the page shows them).
    """
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri or app.callback_urls[0],
        "state": state,
    }
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    if scope:
        params["scope"] = scope
    params.update(extra or {})
    response = client.get("/oauth/authorize", params)
    if response.status_code == 200:  # consent page: post the decision with the form's hidden fields
        form = response.context["form"]
        data = {name: value for name, value in form.initial.items() if value is not None}
        data["allow"] = "Authorize" if allow else ""
        data["granted"] = ticked_scopes(form) if granted is None else granted
        response = client.post("/oauth/authorize", data)
    assert response.status_code == 302, (response.status_code, response.content[:500])
    return query_of(response["Location"])


def ticked_scopes(form):
    """Return the optional scopes the consent page ticks by default (all that were requested)."""
    return [name for name, _label in form.fields["granted"].choices]


def code_exchange(app, code, **extra):
    """Return the token request body that exchanges ``code`` as ``app`` (client secret in the form)."""
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app.callback_urls[0],
        "client_id": app.client_id,
        "client_secret": app.plain_secret,
        **extra,
    }


def exchange_code(app, code, **extra):
    """POST the authorization code to the token endpoint as the app; return the response."""
    return Client(enforce_csrf_checks=True).post("/oauth/access_token", code_exchange(app, code, **extra))


def obtain_tokens(client, app):
    """Sign the client's user in to ``app`` (authorize, then exchange the code); return the token JSON."""
    response = exchange_code(app, authorize(client, app)["code"])
    assert response.status_code == 200, response.content
    return response.json()
