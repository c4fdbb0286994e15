"""The sample client's configuration: a JSON file, overridden by environment variables.

The JSON file (``manage.py demo`` writes it) holds::

    {"provider_url": "http://127.0.0.1:8000", "client_id": "...", "client_secret": "...",
     "redirect_uri": "http://127.0.0.1:8001/callback"}

and optionally ``provider_name`` (the button says "Sign in with <provider_name>")
and ``scope`` (space-separated; the provider's default scopes when absent).
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

    @property
    def authorize_url(self):
        return self.provider_url + "/oauth/authorize"

    @property
    def token_url(self):
        return self.provider_url + "/oauth/access_token"

    @property
    def users_me_url(self):
        return self.provider_url + "/api/v4/users/me"

    @property
    def posts_url(self):
        return self.provider_url + "/api/v4/posts"

    @property
    def callback_path(self):
        return urlsplit(self.redirect_uri).path or "/"


def load_config(path=None, environ=None, defaults=None):
    """Return the ClientConfig from ``defaults``, then the JSON file ``path``, then ``environ``."""
    environ = os.environ if environ is None else environ
    values = dict(defaults or {})
    if path:
        values.update(read_json(path))
    for field in fields(ClientConfig):
        env_value = environ.get(ENV_PREFIX + field.name.upper())
        if env_value:
            values[field.name] = env_value
    missing = [name for name in REQUIRED if not values.get(name)]
    if missing:
        raise ConfigError(
            "Missing configuration: "
            + ", ".join(missing)
            + f" (set them in the JSON file or as {ENV_PREFIX}<NAME> environment variables)."
        )
    known = {field.name for field in fields(ClientConfig)}
    values = {name: str(value) for name, value in values.items() if name in known}
    values["provider_url"] = values["provider_url"].rstrip("/")
    config = ClientConfig(**values)
    check_urls(config)
    return config


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


def check_urls(config):
    """Refuse URLs that are not absolute http(s) URLs."""
    for name in ("provider_url", "redirect_uri"):
        parts = urlsplit(getattr(config, name))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{name} must be an absolute http:// or https:// URL.")


def is_loopback_http(url):
    """Return whether ``url`` is plain http to this machine (127.0.0.1, localhost, ::1)."""
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def allow_insecure_transport_for(url):
    """Let oauthlib talk plain http, but only to a provider on this machine.

    oauthlib refuses http:// endpoints unless ``OAUTHLIB_INSECURE_TRANSPORT``
    is set; the demo's provider is http://127.0.0.1:8000. A remote provider
    must use https, so the variable is left alone for any other URL.
    """
    if is_loopback_http(url):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
