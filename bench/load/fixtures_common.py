"""Fixtures both projects share, through DOT's models only: users, codes, token pairs, sessions.

Import only once Django is set up (``bench.load.prepare`` does); the stock
project's interpreter imports this module too, so nothing here may come from
mm_oauth.
"""

import secrets
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model, set_token_value

SCOPE = "read write"
CALLBACK = "https://bench.example.com/callback"
BATCH = 2000
USERS = 100


def make_users(count=USERS):
    """Create ``count`` users the codes and tokens go to, in turn, and a superuser; return (users, superuser).

    Many users, as in production: requests of one user would all update the
    same rows (mm_oauth's "last used" date of the authorization), which a real
    load spreads out.
    """
    User = get_user_model()
    users = User.objects.bulk_create(
        User(
            username=f"bench-user-{number}",
            email=f"bench-user-{number}@example.com",
            first_name="Bench",
            last_name=f"User {number}",
            password=make_password(None),
        )
        for number in range(count)
    )
    admin = User.objects.create_superuser(username="bench-admin", email="bench-admin@example.com", password=None)
    return users, admin


def session_cookie(user):
    """Sign ``user`` in (a session row, as a login would store) and return the cookie header value."""
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def issue_codes(app, users, count, stored=lambda code: code):
    """Store ``count`` authorization codes for ``app`` and ``users`` in turn, each as ``stored(code)``.

    Return the plaintext codes.
    """
    Grant = get_grant_model()
    expires = timezone.now() + timedelta(hours=2)
    codes = [secrets.token_urlsafe(32) for _ in range(count)]
    grants = (
        Grant(
            user=users[number % len(users)],
            application=app,
            code=stored(code),
            expires=expires,
            redirect_uri=CALLBACK,
            scope=SCOPE,
        )
        for number, code in enumerate(codes)
    )
    Grant.objects.bulk_create(grants, batch_size=BATCH)
    return codes


def issue_token_pairs(app, users, count):
    """Store ``count`` access and refresh token pairs for ``app`` and ``users`` in turn; return the refresh tokens.

    DOT's ``set_token_value`` stores each value the way the project's settings
    say (plaintext, or only the checksum with RFC 9700 token storage).
    """
    AccessToken, RefreshToken = get_access_token_model(), get_refresh_token_model()
    expires = timezone.now() + timedelta(hours=2)
    access_tokens = []
    for number in range(count):
        access = AccessToken(user=users[number % len(users)], application=app, expires=expires, scope=SCOPE)
        set_token_value(access, secrets.token_urlsafe(32))
        access_tokens.append(access)
    AccessToken.objects.bulk_create(access_tokens, batch_size=BATCH)
    values, refresh_tokens = [], []
    for access in access_tokens:
        refresh = RefreshToken(user=access.user, application=app, access_token=access, token_family=uuid.uuid4())
        value = secrets.token_urlsafe(32)
        set_token_value(refresh, value)
        values.append(value)
        refresh_tokens.append(refresh)
    RefreshToken.objects.bulk_create(refresh_tokens, batch_size=BATCH)
    return values


def issue_access_token(app, user):
    """Store one long-lived access token for ``app`` and return its value."""
    access = get_access_token_model()(
        user=user, application=app, expires=timezone.now() + timedelta(days=1), scope=SCOPE
    )
    value = secrets.token_urlsafe(32)
    set_token_value(access, value)
    access.save()
    return value


def write_lines(directory, name, values):
    """Write ``values`` one a line to ``directory/name``; return the file's path as a string."""
    path = Path(directory) / name
    path.write_text("\n".join(values) + "\n")
    return str(path)
