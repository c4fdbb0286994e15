"""``manage.py mm_oauth_clear_expired``: delete expired tokens and codes, and old redeemed-code records.

Runs DOT's ``clear_expired`` (expired access tokens, revoked and expired
refresh tokens, expired codes and ID tokens, in DOT's batches), then forgets
codes redeemed more than a day ago (kept until then so a replay revokes what
they produced). Safe to run while serving; schedule it, e.g. hourly.
"""

from django.core.management.base import BaseCommand
from oauth2_provider.models import clear_expired

from mm_oauth.services.tokens import clear_redeemed_codes


class Command(BaseCommand):
    help = "Delete expired tokens and codes (DOT's clear_expired) and redeemed-code records older than a day."

    def handle(self, *args, **options):
        clear_expired()
        forgotten = clear_redeemed_codes()
        self.stdout.write(f"Expired tokens and codes cleared; {forgotten} redeemed-code records forgotten.")
