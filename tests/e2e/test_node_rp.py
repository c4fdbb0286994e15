"""A strict OpenID Connect relying party nobody here wrote: oauth4webapi (npm), run with Node, against gunicorn.

The example site runs under gunicorn in production mode with OpenID Connect
switched on the way a deployment does it: ``OIDC_RSA_PRIVATE_KEY_FILE`` in its
environment. ``tests/e2e/node_rp/rp.mjs`` does discovery, builds the
authorization request (PKCE S256, state, nonce, max_age), and after the
browser step (a signed-in session following the redirect) checks the callback
(state, RFC 9207 ``iss``), exchanges the code, validates the ID token (JWKS
signature, iss, aud, exp, iat, nonce, auth_time), calls userinfo and refreshes.

Needs ``node`` and ``npm ci`` in ``tests/e2e/node_rp`` (``.ci/run`` does it):
without them the test skips on a developer machine and fails under CI.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import PASSWORD
from tests.e2e.browser import signed_in_session
from tests.e2e.servers import free_port, gunicorn_logged, manage, site_env

RP_DIR = Path(__file__).resolve().parent / "node_rp"
CALLBACK = "http://127.0.0.1:9/oidc/callback"  # never contacted: the browser stops at the redirect
SCOPE = "openid profile email"
SETUP = f"""
import json
from django.contrib.auth import get_user_model
from mm_oauth.services.applications import register_application
from mm_oauth.services.provider_settings import update_provider_settings
User = get_user_model()
User.objects.create_user("alice", "alice@example.com", {PASSWORD!r}, first_name="Alice", last_name="Liddell")
app, secret = register_application(
    name="Node RP", description="oauth4webapi", homepage="https://rp.example.com",
    callback_urls=[{CALLBACK!r}], is_trusted=True,
)
update_provider_settings(enable_provider=True)
print(json.dumps({{"client_id": app.client_id, "client_secret": secret}}))
"""


def require_node_rp():
    """Skip without node or the installed package on a developer machine; fail in CI, where .ci/run installs it."""
    node = shutil.which("node")
    if node and (RP_DIR / "node_modules" / "oauth4webapi").is_dir():
        return node
    message = "node or tests/e2e/node_rp/node_modules is missing (run: npm ci --prefix tests/e2e/node_rp)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def write_key(path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.write_bytes(pem)
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory):
    """The example site under gunicorn (DEBUG off) with OIDC_RSA_PRIVATE_KEY_FILE set; yield its URL and the app."""
    require_node_rp()
    tmp_path = tmp_path_factory.mktemp("node_rp")
    env = site_env(
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="node-rp-test-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        OIDC_RSA_PRIVATE_KEY_FILE=str(write_key(tmp_path / "oidc.pem")),
    )
    manage(env, "migrate", "--noinput")
    client = json.loads(manage(env, "shell", "-c", SETUP).stdout.strip().splitlines()[-1])
    with gunicorn_logged(env, free_port(), tmp_path / "site.log") as base:
        yield base, client, tmp_path


def rp(command, config_path, *args):
    """Run ``node rp.mjs command config …``; return its JSON output (the test fails with its reason otherwise)."""
    result = subprocess.run(
        [require_node_rp(), "rp.mjs", command, str(config_path), *args],
        cwd=RP_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def rp_config(site, tmp_path, **overrides):
    base, client, _ = site
    config = {
        "issuer": base,
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
        "redirect_uri": CALLBACK,
        "scope": SCOPE,
        "max_age": 300,
        "state_file": str(tmp_path / "rp-state.json"),
        **overrides,
    }
    path = tmp_path / "rp.json"
    path.write_text(json.dumps(config))
    return path


def browser_step(base, authorization_url):
    """alice, signed in with the site's login form, follows the authorization URL; return the callback URL."""
    browser = signed_in_session(base, "alice")
    answer = browser.get(authorization_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def test_oauth4webapi_signs_in_validates_the_id_token_calls_userinfo_and_refreshes(oidc_site, tmp_path):
    base, client, _ = oidc_site
    config = rp_config(oidc_site, tmp_path)
    started = rp("start", config)
    assert started["issuer"] == base
    callback = browser_step(base, started["authorization_url"])
    assert callback.startswith(CALLBACK + "?")

    result = rp("finish", config, callback)

    claims = result["id_token"]
    assert claims["iss"] == base and claims["aud"] == client["client_id"]
    assert claims["email"] == "alice@example.com" and claims["preferred_username"] == "alice"
    assert claims["email_verified"] is False and isinstance(claims["auth_time"], int)
    assert set(result["scope"].split()) == set(SCOPE.split())
    assert result["userinfo"]["sub"] == claims["sub"]
    assert result["userinfo"]["given_name"] == "Alice" and result["userinfo"]["email"] == "alice@example.com"

    refreshed = result["refreshed"]
    assert refreshed["rotated"] and refreshed["new_access_token"]  # RFC 9700: refresh tokens rotate
    assert refreshed["userinfo"]["sub"] == claims["sub"]
    assert refreshed["id_token"]["sub"] == claims["sub"] and refreshed["id_token"]["aud"] == client["client_id"]


def test_oauth4webapi_refuses_a_callback_from_another_flow(oidc_site, tmp_path):
    base, _, _ = oidc_site
    first = rp_config(oidc_site, tmp_path)
    callback = browser_step(base, rp("start", first)["authorization_url"])
    rp("start", first)  # a new flow: new state, nonce and verifier
    result = subprocess.run(
        [require_node_rp(), "rp.mjs", "finish", str(first), callback],
        cwd=RP_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "state" in result.stderr
