"""Fixtures shared by the whole suite: users, applications, the provider switch."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.conf import settings
from django.core.cache import caches
from django.utils import translation

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
