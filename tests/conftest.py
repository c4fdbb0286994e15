"""Fixtures shared by the whole suite: users and roles, signed-in clients, applications, tokens, settings.

One name per meaning: ``client`` is pytest-django's anonymous test client,
``signed_in_client`` the same client signed in as ``user`` (alice),
``client_for(person)`` a new test client signed in as anyone. Roles (``ROLES``,
``make_role``) are the names every test of who may do what speaks of.
"""

import itertools
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from oauth2_provider.models import get_access_token_model, set_token_value

from mm_oauth.models import AppAccess, AuditEvent, Membership, Organization
from mm_oauth.services import organizations as orgs
from mm_oauth.services import provider_settings
from mm_oauth.services.applications import register_application

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_provider_cache():
    """Each test starts with no cached provider settings (the database is rolled back) and no throttle counts."""
    provider_settings.clear_cache()
    caches["default"].clear()
    yield
    provider_settings.clear_cache()
    # A request in German leaves German active in this thread; the next test starts in the site's language.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_user(db):
    def make(username=None, **fields):
        username = username or f"user{next(_counter)}"
        fields.setdefault("email", f"{username}@example.com")
        return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice", first_name="Alice", last_name="Liddell")


@pytest.fixture
def superuser(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


# Who may do what is decided by mm_oauth.policy for these kinds of people (tests/test_policy.py).
ROLES = (
    "anonymous",
    "inactive",
    "plain",  # a signed-in user with no permission
    "manage_oauth",  # granted mm_oauth.manage_oauth
    "staff",
    "manage_system_wide_oauth",  # granted mm_oauth.manage_system_wide_oauth
    "superuser",
)


@pytest.fixture
def grant_perm(db):
    """Return a function granting ``user`` an mm_oauth permission; it returns a fresh user (permissions are cached)."""

    def grant(user, codename):
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="mm_oauth"))
        return get_user_model().objects.get(pk=user.pk)

    return grant


@pytest.fixture
def make_role(make_user, grant_perm):
    """Return a function creating a new person of one of ``ROLES`` (an ``AnonymousUser`` for "anonymous")."""

    def make(role):
        if role == "anonymous":
            return AnonymousUser()
        if role == "inactive":
            return make_user(is_active=False)
        if role == "staff":
            return make_user(is_staff=True)
        if role == "superuser":
            return make_user(is_staff=True, is_superuser=True)
        if role in ("manage_oauth", "manage_system_wide_oauth"):
            return grant_perm(make_user(), role)
        assert role == "plain", role
        return make_user()

    return make


@pytest.fixture
def client_for(db):
    """Return a function giving a new test client signed in as ``person`` (anonymous for None or an AnonymousUser)."""

    def sign_in(person, **client_kwargs):
        client = Client(**client_kwargs)
        if person is not None and person.is_authenticated:
            client.force_login(person)
        return client

    return sign_in


@pytest.fixture
def signed_in_client(client, user):
    """pytest-django's ``client``, signed in as ``user`` (alice)."""
    client.force_login(user)
    return client


@pytest.fixture
def mm_oauth_settings(settings):
    """Return a function overriding entries of the ``MM_OAUTH`` dict for this test: ``mm_oauth_settings(X=1)``."""

    def override(**entries):
        settings.MM_OAUTH = {**settings.MM_OAUTH, **entries}

    return override


@pytest.fixture
def provider_on(db):
    provider_settings.update_provider_settings(enable_provider=True)
    provider_settings.clear_cache()


@pytest.fixture(scope="session")
def rsa_private_key():
    """A fresh 2048-bit RSA private key in PEM form: the site's OpenID Connect signing key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def forget_oauthlib_cores():
    """Drop the oauthlib server each DOT view class built on first use (for the settings of that moment)."""
    from oauth2_provider.views.mixins import OAuthLibMixin

    pending = [OAuthLibMixin]
    while pending:
        view_class = pending.pop()
        pending.extend(view_class.__subclasses__())
        if "_oauthlib_core" in vars(view_class):
            delattr(view_class, "_oauthlib_core")


@pytest.fixture
def oidc_on(settings, rsa_private_key, provider_on):
    """OpenID Connect switched on the way mm_oauth.defaults.oidc_settings does it.

    OIDC_ENABLED changes DOT's server class (oauthlib's OpenID Connect server),
    which a process builds once: the cached servers are dropped before and after.
    """
    from mm_oauth.defaults import oidc_settings

    forget_oauthlib_cores()
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, **oidc_settings(rsa_private_key)}
    yield rsa_private_key
    forget_oauthlib_cores()


@pytest.fixture
def make_app(db):
    """Register an application; return it with its plaintext secret as ``app.plain_secret``."""

    def make(**fields):
        fields.setdefault("creator", None)
        fields.setdefault("name", f"App {next(_counter)}")
        fields.setdefault("description", "A test application")
        fields.setdefault("homepage", "https://app.example.com/")
        fields.setdefault("callback_urls", ["https://app.example.com/callback"])
        app, secret = register_application(**fields)
        app.plain_secret = secret
        return app

    return make


@pytest.fixture
def app(make_app):
    """Zapier: a third-party (untrusted) application with an icon and one callback URL."""
    return make_app(
        name="Zapier",
        description="Connects apps",
        icon_url="https://z.example.com/i.png",
        callback_urls=["https://z.example.com/cb"],
    )


@pytest.fixture
def trusted_app(make_app):
    """An application the site trusts: sign-in asks no consent."""
    return make_app(name="Trusted tool", is_trusted=True)


@pytest.fixture
def bearer_token(db):
    """Return a function issuing a real access token for ``user`` and ``app``; it returns the test client's header.

    DOT stores only a checksum of a token (``set_token_value``): the raw value exists only here.
    """

    def issue(user, app, scope="read write"):
        raw = get_random_string(40)
        token = get_access_token_model()(
            user=user, application=app, scope=scope, expires=timezone.now() + timedelta(hours=1)
        )
        set_token_value(token, raw)
        token.save()
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return issue


@pytest.fixture
def owner(make_user):
    """Olivia, who owns the organization ``org``."""
    return make_user("olivia")


@pytest.fixture
def org(owner):
    """Acme: a new organization (third-party apps restricted), owned by ``owner``."""
    return orgs.create_organization(actor=owner, name="Acme", slug="acme")


@pytest.fixture
def member(org, owner, make_user):
    """Bob, a plain member of ``org``."""
    user = make_user("bob")
    orgs.add_member(actor=owner, org=org, user_id=user.pk, role="member")
    return user


@pytest.fixture
def outsider(make_user):
    """Eve, who belongs to no organization."""
    return make_user("eve")


@pytest.fixture
def snapshot(db):
    """Return a function listing everything the organization pages and endpoints may change."""

    def take():
        return {
            "orgs": list(Organization.objects.order_by("pk").values_list("slug", "restrict_third_party_apps")),
            "members": list(Membership.objects.order_by("pk").values_list("organization_id", "user_id", "role")),
            "access": list(AppAccess.objects.order_by("pk").values_list("application_id", "state", "decided_by_id")),
            "audit": AuditEvent.objects.count(),
            "mail": len(mail.outbox),
        }

    return take
