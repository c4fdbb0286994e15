"""``manage.py mm_oauth_list_apps``: list the registered applications as a table, or as JSON."""

import json

from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model

from mm_oauth.services.applications import describe

COLUMNS = ("client_id", "name", "trusted", "type", "creator", "callback URLs")


class Command(BaseCommand):
    help = "List the registered OAuth 2.0 applications (never their secrets)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print a JSON list instead of a table.")

    def handle(self, *args, **options):
        apps = get_application_model().objects.select_related("user").order_by("created", "pk")
        records = [self.record(app) for app in apps]
        if options["json"]:
            self.stdout.write(json.dumps(records, indent=2, ensure_ascii=False))
            return
        if not records:
            self.stdout.write("No OAuth 2.0 applications are registered.")
            return
        rows = [
            (
                r["client_id"],
                r["name"],
                "yes" if r["is_trusted"] else "no",
                r["client_type"],
                r["creator"] or "-",
                " ".join(r["callback_urls"]),
            )
            for r in records
        ]
        widths = [max(len(str(row[i])) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
        for row in [COLUMNS, *rows]:
            # The last column is left unpadded: no trailing spaces.
            cells = [str(cell).ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
            self.stdout.write("  ".join([*cells, str(row[-1])]))

    @staticmethod
    def record(app):
        """Return what is listed of ``app``: its public fields, client ID and creator, never its secret."""
        return {
            "client_id": app.client_id,
            **describe(app),
            "creator": app.user.get_username() if app.user_id else "",
            "created": app.created.isoformat(),
        }
