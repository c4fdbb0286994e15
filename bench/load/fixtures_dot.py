"""The stock DOT project's fixtures: two confidential apps that differ only in how the secret is stored.

"default" keeps DOT's default (the secret hashed with the first of
``PASSWORD_HASHERS``, PBKDF2); "unhashed" is created with
``hash_client_secret=False``. Run in the stock interpreter once Django is set
up (``bench.load.prepare``); codes and tokens are stored as stock DOT stores
them (in plain text, its default).
"""

from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from . import fixtures_common as common

VARIANTS = {"unhashed": False, "default": True}


def build(directory, counts):
    """Create every fixture of the stock project; return what the scenarios need (JSON-serialisable)."""
    users, admin = common.make_users()
    clients, stored, files, apps = {}, {}, {}, {}
    for variant, hashed in VARIANTS.items():
        app, secret = _create_app(admin, f"Bench {variant}", hashed)
        apps[variant] = app
        clients[variant] = {"client_id": app.client_id, "client_secret": secret}
        stored[variant] = app.client_secret.split("$", 1)[0] if hashed else "plaintext"
        count = counts["codes"] if variant == "unhashed" else counts["slow_codes"]
        files[f"codes/{variant}"] = common.write_lines(
            directory, f"codes-{variant}.txt", common.issue_codes(app, users, count)
        )
    refresh_tokens = common.issue_token_pairs(apps["unhashed"], users, counts["refresh"])
    files["refresh/unhashed"] = common.write_lines(directory, "refresh-unhashed.txt", refresh_tokens)
    consent_app, _secret = _create_app(admin, "Bench consent", True)
    return {
        "clients": clients,
        "stored_secrets": stored,
        "consent_client_id": consent_app.client_id,
        "bearer": common.issue_access_token(apps["unhashed"], users[0]),
        "session": common.session_cookie(users[0]),
        "files": files,
    }


def _create_app(owner, name, hashed):
    secret = generate_client_secret()
    app = get_application_model().objects.create(
        user=owner,
        name=name,
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=common.CALLBACK,
        client_secret=secret,
        hash_client_secret=hashed,
    )
    return app, secret
