"""An OpenID Connect relying party over real HTTP: requests-oauthlib for the flow, jwcrypto for the ID token.

It learns everything from the discovery document, as a relying party does:
the authorize and token endpoints, the keys (``jwks_uri``) and ``userinfo``.
"""

import json
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException
from requests_oauthlib import OAuth2Session

from tests.e2e.browser import signed_in_session

pytestmark = [pytest.mark.django_db(transaction=True)]

CALLBACK = "http://127.0.0.1:9/oidc/callback"  # never contacted: the browser stops at the redirect


@pytest.fixture
def relying_party(oidc_on, make_app, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # http://127.0.0.1 in the test
    return make_app(name="OIDC relying party", is_trusted=True, callback_urls=[CALLBACK])


def test_sign_in_with_openid_connect_end_to_end(live_server, relying_party, user):
    with requests.Session() as http:
        http.trust_env = False
        discovery = http.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
        keys = jwk.JWKSet.from_json(http.get(discovery["jwks_uri"], timeout=10).text)

    oauth = OAuth2Session(
        relying_party.client_id, redirect_uri=CALLBACK, scope=["openid", "profile", "email"], pkce="S256"
    )
    nonce = secrets.token_urlsafe(16)
    url, state = oauth.authorization_url(discovery["authorization_endpoint"], nonce=nonce)
    browser = signed_in_session(live_server.url, "alice")
    answer = browser.get(url, allow_redirects=False, timeout=10)  # trusted: no consent page
    assert answer.status_code == 302, answer.text[:500]
    callback = answer.headers["Location"]
    query = {key: values[0] for key, values in parse_qs(urlsplit(callback).query).items()}
    assert query["state"] == state and query["iss"] == discovery["issuer"]

    token = oauth.fetch_token(
        discovery["token_endpoint"],
        authorization_response=callback,
        client_secret=relying_party.plain_secret,
        timeout=10,
    )

    verified = jwt.JWT(jwt=token["id_token"], key=keys, algs=discovery["id_token_signing_alg_values_supported"])
    claims = json.loads(verified.claims)
    assert claims["iss"] == discovery["issuer"] == live_server.url
    assert claims["aud"] == relying_party.client_id and claims["nonce"] == nonce
    assert claims["sub"] == str(user.pk) and claims["email"] == "alice@example.com"

    info = oauth.get(discovery["userinfo_endpoint"], timeout=10)
    assert info.status_code == 200
    assert info.json()["sub"] == claims["sub"] and info.json()["preferred_username"] == "alice"

    # A token signed by anyone else does not verify against the published keys.
    forged = jwt.JWT(header={"alg": "RS256", "kid": json.loads(verified.header)["kid"]}, claims=claims)
    forged.make_signed_token(jwk.JWK.generate(kty="RSA", size=2048))
    with pytest.raises(JWException):
        jwt.JWT(jwt=forged.serialize(), key=keys, algs=["RS256"])
