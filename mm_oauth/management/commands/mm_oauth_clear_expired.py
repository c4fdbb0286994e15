"""``manage.py mm_oauth_clear_expired``: delete expired tokens and codes, old redeemed-code records and audit events.

Deletes what DOT's ``clear_expired`` would (expired access tokens no live
refresh token needs, revoked and expired refresh tokens as DOT's refresh-token
settings allow, expired ID tokens and codes), codes redeemed more than a day ago
(kept until then so a replay revokes what they produced) and, when
``MM_OAUTH["AUDIT_RETENTION_DAYS"]`` is set, older audit events.

Every kind is deleted ``--batch-size`` rows at a time, each batch its own short
transaction, so no statement holds more than a batch of rows locked: safe to
run while serving, on tables of millions of rows. Schedule it, e.g. hourly.
"""

from django.core.management.base import BaseCommand, CommandError

from mm_oauth.services.tokens import CLEANUP_BATCH_SIZE, clear_expired


class Command(BaseCommand):
    help = (
        "Delete expired tokens and codes, redeemed-code records older than a day and audit events "
        "past MM_OAUTH['AUDIT_RETENTION_DAYS'], in batches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=CLEANUP_BATCH_SIZE,
            help=f"Rows deleted per statement and transaction (default {CLEANUP_BATCH_SIZE:,}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args, batch_size, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        counts = clear_expired(batch_size=batch_size, dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} {verb}")
