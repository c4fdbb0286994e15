"""``manage.py mm_oauth_regenerate_secret <client_id>``: give an application a new secret and print it once."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from mm_oauth.errors import as_lines
from mm_oauth.services.applications import get_app_for, regenerate_secret


class Command(BaseCommand):
    help = (
        "Give an OAuth 2.0 application a new client secret and print it (only this once). "
        "Tokens already issued stay valid; the old secret stops working for new token requests "
        "at once, or after --grace-seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("client_id", help="The application's client ID.")
        parser.add_argument(
            "--grace-seconds",
            type=int,
            default=None,
            help='Keep the old secret working this long (default: MM_OAUTH["SECRET_ROTATION_GRACE_SECONDS"]).',
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        client_id = options["client_id"]
        try:
            app = get_app_for(None, client_id)  # the system acts: no policy applies
        except Http404:
            raise CommandError(f"No OAuth 2.0 application has the client ID {client_id!r}.") from None
        try:
            secret = regenerate_secret(app, grace_seconds=options["grace_seconds"])
        except ValidationError as exc:
            lines = as_lines(exc, {"grace_period": "--grace-seconds"})
            raise CommandError("\n".join(["The secret was not changed.", *lines])) from None
        if options["json"]:
            self.stdout.write(json.dumps({"client_id": app.client_id, "client_secret": secret}))
            return
        self.stdout.write(f"Client ID:         {app.client_id}")
        self.stdout.write(f"New client secret: {secret}")
        if app.previous_secret_expires_at:
            self.stdout.write(f"The previous secret keeps working until {app.previous_secret_expires_at.isoformat()}.")
        self.stdout.write("Store the secret now: it is not shown again (only its hash is kept).")
