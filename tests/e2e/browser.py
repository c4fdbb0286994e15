"""A requests.Session that signs in to the example site like a browser does."""

import re

import requests

from tests.conftest import PASSWORD

# Registered by the end-to-end apps, never contacted: the test reads the redirect instead (RFC 8252 loopback).
LOOPBACK_CALLBACK = "http://127.0.0.1:9/callback"


def csrf_from(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def signed_in_session(base_url, username, password=PASSWORD):
    """Return a requests.Session holding a signed-in session cookie for ``username``."""
    session = requests.Session()
    page = session.get(f"{base_url}/login/")
    page.raise_for_status()
    response = session.post(
        f"{base_url}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf_from(page.text)},
        headers={"Referer": f"{base_url}/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302, "sign-in failed"
    return session


def fetch_tokens(base, browser, oauth, client_secret):
    """Run the code flow of ``oauth`` (a requests-oauthlib session) through ``browser``; return the tokens.

    ``browser`` is signed in and the app is trusted, so authorize answers with the redirect at once.
    """
    url, _state = oauth.authorization_url(f"{base}/oauth/authorize")
    callback = browser.get(url, allow_redirects=False).headers["Location"]
    return oauth.fetch_token(
        f"{base}/oauth/token",
        authorization_response=callback,
        client_secret=client_secret,
        include_client_id=True,
    )
