"""The sample client's configuration: a JSON file, overridden by environment variables.

The JSON file (``manage.py demo`` writes it) holds::

    {"provider_url": "http://127.0.0.1:8000", "client_id": "...", "client_secret": "...",
     "redirect_uri": "http://127.0.0.1:8001/callback"}

and optionally ``provider_name`` (the button says "Sign in with <provider_name>"),
``scope`` (space-separated; the provider's default scopes when absent; with
``openid`` the client signs in with OpenID Connect and verifies the ID token) and
``register_dynamically`` (``true``: no client ID or secret; the client registers
itself at startup, see ``registration.py``).
Each key can be set or overridden by an environment variable named
``SAMPLE_CLIENT_`` + the key in capitals, e.g. ``SAMPLE_CLIENT_CLIENT_SECRET``.
"""

import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

ENV_PREFIX = "SAMPLE_CLIENT_"
REQUIRED = ("provider_url", "client_id", "client_secret", "redirect_uri")
# Without credentials of its own the client registers itself (registration.py).
REQUIRED_TO_REGISTER = ("provider_url", "redirect_uri")
TRUE = ("1", "true", "yes", "on")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ConfigError(ValueError):
    """The configuration is missing a value or holds an unusable one."""


@dataclass(frozen=True)
class ClientConfig:
    """Where the provider is and how this client is registered there."""

    provider_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    provider_name: str = "Example site"
    scope: str = ""
    register_dynamically: bool = False

    @property
    def openid(self):
        """Whether this client signs in with OpenID Connect (the ``openid`` scope)."""
        return "openid" in self.scope.split()

    @property
    def metadata_url(self):
        """The provider's metadata: where its endpoints (and, for OpenID Connect, its keys) are, and its issuer.

        RFC 8414's document for OAuth 2.0; OpenID Connect Discovery 1.0's, which adds ``jwks_uri``.
        """
        if self.openid:
            return self.provider_url + "/.well-known/openid-configuration"
        return self.provider_url + "/.well-known/oauth-authorization-server"

    @property
    def callback_path(self):
        return urlsplit(self.redirect_uri).path or "/"


def load_config(path=None, environ=None):
    """Return the ClientConfig from the JSON file ``path``, overridden by ``environ`` (default os.environ)."""
    environ = os.environ if environ is None else environ
    values = read_json(path) if path else {}
    known = [field.name for field in fields(ClientConfig)]
    for name in known:
        if environ.get(ENV_PREFIX + name.upper()):
            values[name] = environ[ENV_PREFIX + name.upper()]
    values["register_dynamically"] = str(values.get("register_dynamically", "")).lower() in TRUE
    required = REQUIRED_TO_REGISTER if values["register_dynamically"] else REQUIRED
    values.setdefault("client_id", "")
    values.setdefault("client_secret", "")
    missing = [name for name in required if not values.get(name)]
    if missing:
        raise ConfigError(
            f"Missing configuration: {', '.join(missing)} "
            f"(set them in the JSON file or as {ENV_PREFIX}<NAME> environment variables)."
        )
    values = {name: value if name == "register_dynamically" else str(value) for name, value in values.items()}
    values = {name: value for name, value in values.items() if name in known}
    values["provider_url"] = values["provider_url"].rstrip("/")
    for name in ("provider_url", "redirect_uri"):
        parts = urlsplit(values[name])
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{name} must be an absolute http:// or https:// URL.")
    if values["provider_url"].startswith("http://") and urlsplit(values["provider_url"]).hostname not in LOOPBACK_HOSTS:
        # The client secret and the tokens cross this connection (RFC 6749 section 3.2 requires TLS):
        # plain http only to a provider on this machine, like the demo's.
        raise ConfigError("provider_url must use https:// (plain http:// only to 127.0.0.1, localhost or ::1).")
    return ClientConfig(**values)


def read_json(path):
    """Return the JSON object stored at ``path``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object.")
    return data
