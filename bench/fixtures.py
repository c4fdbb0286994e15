"""Create what the benchmark measures with: a user, three applications and their authorization codes.

Import this module only once Django is set up (``bench.environment.setup_django``).
"""

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from oauth2_provider.models import get_grant_model

from mm_oauth.oauth.oauth2_validators import code_checksum
from mm_oauth.services.applications import register_application

SCOPE = "read write"
CALLBACK = "https://bench.example.com/callback"

# Production's hashers: people's passwords with PBKDF2 first, client secrets second.
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "mm_oauth.hashers.ClientSecretHasher",
]

TOKEN_CONFIGS = (
    ("mm_oauth", "(a) mm_oauth: ClientSecretHasher", "mm_oauth_sha256$"),
    ("pbkdf2", "(b) DOT default: PBKDF2", "pbkdf2_sha256$"),
    ("plain", "(c) unhashed secret", None),
)


@dataclass
class BenchApp:
    """An application, its plaintext secret, and the label it carries in the report."""

    key: str
    label: str
    app: object
    secret: str
    codes: list = field(default_factory=list)

    @property
    def stored_form(self):
        stored = self.app.client_secret
        return stored.split("$", 1)[0] + "$…" if "$" in stored else "plaintext"


def make_user():
    """Create a user with a name of its own, so repeated runs in one database do not collide."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    return get_user_model().objects.create_user(
        username=name, email=f"{name}@example.com", first_name="Bench", last_name="User"
    )


def make_apps(user):
    """Register the three applications and check how each stores its secret."""
    apps = {}
    for key, label, prefix in TOKEN_CONFIGS:
        app, secret = register_application(
            creator=user,
            name=f"Bench {key}",
            description="Benchmark client",
            homepage="https://bench.example.com/",
            callback_urls=[CALLBACK],
        )
        _store_secret(app, key, secret)
        app.refresh_from_db()
        stored = app.client_secret
        expected_ok = stored.startswith(prefix) if prefix else stored == secret
        assert expected_ok, f"{label}: unexpected stored secret form {stored.split('$', 1)[0]!r}"
        apps[key] = BenchApp(key, label, app, secret)
    return apps


def _store_secret(app, key, secret):
    """Re-store the secret the way configuration ``key`` stands for ("mm_oauth" keeps what was registered)."""
    if key == "pbkdf2":
        app.client_secret = make_password(secret, hasher="pbkdf2_sha256")
        app.save()
    elif key == "plain":
        app.hash_client_secret = False
        app.client_secret = secret
        app.save()


def issue_codes(bench_app, user, count):
    """Store ``count`` authorization codes for ``bench_app`` (outside any timed region).

    The grants hold the codes' checksums, as mm_oauth's validator stores them;
    the plaintext codes go to ``bench_app.codes`` for the token requests.
    """
    Grant = get_grant_model()
    expires = timezone.now() + timedelta(hours=1)
    codes = [secrets.token_urlsafe(32) for _ in range(count)]
    grants = [
        Grant(
            user=user,
            application=bench_app.app,
            code=code_checksum(code),
            expires=expires,
            redirect_uri=CALLBACK,
            scope=SCOPE,
        )
        for code in codes
    ]
    Grant.objects.bulk_create(grants)
    bench_app.codes.extend(codes)
