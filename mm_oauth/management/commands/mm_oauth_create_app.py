"""``manage.py mm_oauth_create_app``: register an application and print its credentials once."""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mm_oauth.errors import as_lines
from mm_oauth.services.applications import register_application


class Command(BaseCommand):
    help = "Register an OAuth 2.0 application; print its client ID and secret (the secret only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--description", required=True)
        parser.add_argument("--homepage", required=True)
        parser.add_argument("--callback-url", action="append", dest="callback_urls", required=True)
        parser.add_argument("--icon-url", default="")
        parser.add_argument("--public", action="store_true", help="A public client: no secret, PKCE required.")
        parser.add_argument("--trusted", action="store_true", help="Skip the consent page for this app.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            default=[],
            help="A scope the app may ask for (repeat for several; none: every registered scope).",
        )
        parser.add_argument("--creator", help="Username of the app's creator.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        creator = None
        if options["creator"]:
            User = get_user_model()
            try:
                creator = User.objects.get_by_natural_key(options["creator"])
            except User.DoesNotExist:
                raise CommandError(f"--creator: no user named {options['creator']!r}.") from None
        try:
            app, secret = register_application(
                creator=creator,
                name=options["name"],
                description=options["description"],
                homepage=options["homepage"],
                callback_urls=options["callback_urls"],
                icon_url=options["icon_url"],
                client_type="public" if options["public"] else "confidential",
                is_trusted=options["trusted"],
                scopes=options["scopes"],
            )
        except ValidationError as exc:
            raise CommandError("\n".join(["The application was not created.", *as_lines(exc)])) from None
        if options["json"]:
            self.stdout.write(json.dumps({"client_id": app.client_id, "client_secret": secret}))
            return
        self.stdout.write(f"Client ID:     {app.client_id}")
        if secret:
            self.stdout.write(f"Client secret: {secret}")
            self.stdout.write("Store the secret now: it is not shown again (only its hash is kept).")
