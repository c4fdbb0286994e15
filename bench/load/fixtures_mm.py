"""The example site's fixtures: the provider switched on, apps registered as mm_oauth registers them.

Run in mm_oauth's interpreter once Django is set up (``bench.load.prepare``).
Every user has authorized the client, as before any real code exchange;
codes are stored as mm_oauth's validator stores them (SHA-256 checksums);
tokens as DOT stores them under mm_oauth's settings (checksums only, RFC 9700).
"""

from mm_oauth.models import Authorization
from mm_oauth.oauth.oauth2_validators import code_checksum
from mm_oauth.services.applications import register_application
from mm_oauth.services.provider_settings import update_provider_settings

from . import fixtures_common as common


def build(directory, counts):
    """Create every fixture of the example site; return what the scenarios need (JSON-serialisable)."""
    update_provider_settings(enable_provider=True)
    users, admin = common.make_users()
    app, secret = _register(admin, "Bench client")
    consent_app, _secret = _register(admin, "Bench consent")
    # The rows record_authorization() keeps, without its first-grant mail to each user.
    Authorization.objects.bulk_create(Authorization(user=user, application=app, scope=common.SCOPE) for user in users)
    codes = common.issue_codes(app, users, counts["codes"], stored=code_checksum)
    refresh_tokens = common.issue_token_pairs(app, users, counts["refresh"])
    return {
        "clients": {"mm_oauth": {"client_id": app.client_id, "client_secret": secret}},
        "stored_secrets": {"mm_oauth": app.client_secret.split("$", 1)[0]},
        "consent_client_id": consent_app.client_id,
        "bearer": common.issue_access_token(app, users[0]),
        "session": common.session_cookie(users[0]),
        "admin_session": common.session_cookie(admin),
        "files": {
            "codes/mm_oauth": common.write_lines(directory, "codes-mm_oauth.txt", codes),
            "refresh/mm_oauth": common.write_lines(directory, "refresh-mm_oauth.txt", refresh_tokens),
        },
    }


def _register(creator, name):
    return register_application(
        creator=creator,
        name=name,
        description="Load benchmark client",
        homepage="https://bench.example.com/",
        callback_urls=[common.CALLBACK],
    )
