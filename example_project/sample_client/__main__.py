"""Run the sample client: ``python -m example_project.sample_client --config var/sample_client.json``."""

import argparse
import os
import signal
import sys
from urllib.parse import urlsplit

from .app import SampleClient, create_server
from .config import ConfigError, load_config


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m example_project.sample_client",
        description="A sample third-party client that signs people in with an mm_oauth provider.",
    )
    parser.add_argument(
        "--config",
        default=os.environ.get("SAMPLE_CLIENT_CONFIG"),
        help="JSON file with provider_url, client_id, client_secret, redirect_uri "
        "(default: $SAMPLE_CLIENT_CONFIG; SAMPLE_CLIENT_<KEY> environment variables override it).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
    parser.add_argument("--port", type=int, default=8001, help="Port to listen on (default 8001).")
    parser.add_argument("--quiet", action="store_true", help="Do not log requests.")
    return parser.parse_args(argv)


def stop_on_sigterm():
    """Make SIGTERM end serve_forever() the way Ctrl-C does."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    default_callback = f"http://{args.host}:{args.port}/callback"
    try:
        config = load_config(args.config, defaults={"redirect_uri": default_callback})
    except ConfigError as exc:
        print(f"sample client: {exc}", file=sys.stderr)
        return 2
    if urlsplit(config.redirect_uri).port not in (None, args.port):
        print(f"sample client: warning: {config.redirect_uri} is not on port {args.port}.", file=sys.stderr)
    try:
        server = create_server(args.host, args.port, SampleClient(config), quiet=args.quiet)
    except OSError as exc:
        print(f"sample client: cannot listen on {args.host}:{args.port}: {exc.strerror}.", file=sys.stderr)
        return 1
    stop_on_sigterm()
    print(
        f"Sample client on http://{args.host}:{server.server_port}/ (provider {config.provider_url}); Ctrl-C stops it.",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
