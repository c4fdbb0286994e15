"""Run the sample client with gunicorn: ``python -m example_project.sample_client --config var/sample_client.json``.

One process (the sessions live in its memory) with threads, so the callback can
wait for the provider while other requests are served. Ctrl-C or SIGTERM stops it.
With ``--register`` (or ``SAMPLE_CLIENT_REGISTER_DYNAMICALLY=1``) it first registers
itself at the provider (RFC 7591, ``registration.py``) instead of using a configured
client ID and secret.
"""

import argparse
import os
import sys

import requests
from django.core.wsgi import get_wsgi_application
from gunicorn.app.base import BaseApplication

from . import registration
from .config import ConfigError, load_config


class Server(BaseApplication):
    """gunicorn serving the sample client's WSGI application."""

    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        return get_wsgi_application()


def register_for_this_run(config):
    """Register at the provider (registration.py) and hand the credentials to the app through its variables."""
    info = registration.register(config)
    os.environ["SAMPLE_CLIENT_CLIENT_ID"] = info["client_id"]
    os.environ["SAMPLE_CLIENT_CLIENT_SECRET"] = info["client_secret"]
    print(f"Registered at {config.provider_url} (RFC 7591) as client {info['client_id']}.", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m example_project.sample_client", description=__doc__)
    parser.add_argument(
        "--config",
        default=os.environ.get("SAMPLE_CLIENT_CONFIG"),
        help="JSON file (see config.py; default $SAMPLE_CLIENT_CONFIG); SAMPLE_CLIENT_<KEY> variables override it",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port to listen on (default 8001)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    parser.add_argument(
        "--register",
        action="store_true",
        help="register at the provider by itself (RFC 7591) instead of using a configured client ID and secret",
    )
    args = parser.parse_args(argv)
    if args.register:
        os.environ["SAMPLE_CLIENT_REGISTER_DYNAMICALLY"] = "1"
    try:
        config = load_config(args.config)
        if config.register_dynamically:
            register_for_this_run(config)
    except (ConfigError, requests.RequestException) as exc:
        print(f"sample client: {exc}", file=sys.stderr)
        return 2
    os.environ["SAMPLE_CLIENT_CONFIG"] = os.path.abspath(args.config) if args.config else ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_project.sample_client.settings"
    print(f"Sample client on http://{args.host}:{args.port}/ (provider {config.provider_url}).", flush=True)
    options = {"bind": f"{args.host}:{args.port}", "workers": 1, "threads": 8, "loglevel": "warning"}
    if not args.quiet:
        # The path only: the callback's query string carries the authorization code.
        options |= {"accesslog": "-", "access_log_format": "[sample client] %(m)s %(U)s %(s)s"}
    Server(options).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
