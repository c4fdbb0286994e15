"""Register the sample client by itself: OAuth 2.0 Dynamic Client Registration (RFC 7591).

With ``register_dynamically`` on (``--register``, ``SAMPLE_CLIENT_REGISTER_DYNAMICALLY=1``
or ``"register_dynamically": true`` in the JSON file) the client needs no client ID or
secret: at startup it reads the provider's metadata (RFC 8414), posts its own metadata
to the advertised ``registration_endpoint`` and uses the credentials that come back, for
this run. The site must have "Enable dynamic client registration" on (``manage.py demo
--register-dynamically`` does that). Authlib implements RFC 7591 for servers only, so
the call is plain ``requests``.
"""

import requests

from .config import ConfigError

CLIENT_NAME = "Sample client (registered dynamically)"


def register(config):
    """Register this client at ``config``'s provider; return its client information (RFC 7591 section 3.2.1)."""
    metadata = requests.get(config.metadata_url, timeout=10)
    metadata.raise_for_status()
    endpoint = metadata.json().get("registration_endpoint")
    if not endpoint:
        raise ConfigError(f"{config.provider_url} does not offer dynamic client registration (it is turned off).")
    client_metadata = {
        "client_name": CLIENT_NAME,
        "client_uri": config.redirect_uri.rsplit("/", 1)[0] + "/",
        "redirect_uris": [config.redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_post",
    }
    if config.scope:
        client_metadata["scope"] = config.scope
    response = requests.post(endpoint, json=client_metadata, timeout=10)
    if response.status_code != 201:
        error = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
        reason = error.get("error_description") or response.text[:200]
        raise ConfigError(f"The provider refused the registration ({response.status_code}): {reason}")
    return response.json()
