"""The scope registry: every scope an application may ask for, in one place.

Each scope has a name (RFC 6749 section 3.3), a description in plain words
(shown on the consent page, the authorized-apps page and API, and the email
announcing a new authorization) and whether the user may untick it on the
consent page (``optional``) or must accept it with the rest (required).

mm_oauth registers ``read`` and ``write``, and ``openid``, ``profile`` and
``email`` while OpenID Connect is on. A host adds its own (or rewords these)
in ``MM_OAUTH["SCOPES"]``::

    from django.utils.translation import gettext_lazy as _

    MM_OAUTH = {
        "SCOPES": {
            "projects": {"description": _("See your projects"), "optional": True},
        },
    }

django-oauth-toolkit reads the registry through ``RegistryScopes``, its
``SCOPES_BACKEND_CLASS`` (``mm_oauth.defaults`` sets it): DOT's own
``SCOPES``/``DEFAULT_SCOPES`` settings are not consulted.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.settings import oauth2_settings

from .conf import app_settings

# RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
ENTRY_KEYS = {"description", "optional", "default"}


@dataclass(frozen=True)
class Scope:
    """One registered scope.

    ``default`` scopes are granted when a client asks for none (RFC 6749
    section 3.3 lets the server pick); Mattermost's clients send no ``scope``.
    """

    name: str
    description: str
    optional: bool = False
    default: bool = False


def builtin_scopes():
    """Return mm_oauth's own scopes (the OpenID Connect ones only while OIDC is on)."""
    scopes = [
        Scope("read", _("Read your profile and the data you can see"), optional=False, default=True),
        Scope("write", _("Create and change data on your behalf"), optional=True, default=True),
    ]
    if oauth2_settings.OIDC_ENABLED:
        scopes += [
            Scope("openid", _("Sign you in with your account here (OpenID Connect)"), optional=False),
            Scope("profile", _("See your username and your name"), optional=True),
            Scope("email", _("See your email address"), optional=True),
        ]
    return scopes


def registry():
    """Return every registered scope by name: mm_oauth's, then the host's ``MM_OAUTH["SCOPES"]``."""
    scopes = {scope.name: scope for scope in builtin_scopes()}
    for name, entry in (app_settings.SCOPES or {}).items():
        scopes[name] = _host_scope(name, entry)
    return scopes


def _host_scope(name, entry):
    if not isinstance(name, str) or not SCOPE_TOKEN.fullmatch(name):
        raise ImproperlyConfigured(
            f"MM_OAUTH['SCOPES']: {name!r} is not a scope name (RFC 6749 section 3.3: no spaces, quotes or \\)."
        )
    if not isinstance(entry, dict) or "description" not in entry or set(entry) - ENTRY_KEYS:
        raise ImproperlyConfigured(
            f"MM_OAUTH['SCOPES'][{name!r}] must be a dict with 'description' and optionally 'optional' "
            f"and 'default' (True or False)."
        )
    return Scope(name, entry["description"], bool(entry.get("optional", False)), bool(entry.get("default", False)))


def scope_names():
    """Return the name of every registered scope (``scopes_supported`` in the server metadata)."""
    return list(registry())


def default_scope_names():
    """Return the scopes granted when a client asks for none."""
    return [scope.name for scope in registry().values() if scope.default]


def describe(names):
    """Return ``names`` as registered ``Scope`` objects, in registry order.

    A name no longer registered (a host removed it) is shown as itself, required.
    """
    names = set(names)
    scopes = registry()
    known = [scope for name, scope in scopes.items() if name in names]
    return known + [Scope(name, name) for name in sorted(names - set(scopes))]


def descriptions(names):
    """Return the plain-words description of each of ``names``, in registry order."""
    return [scope.description for scope in describe(names)]


def unknown_scopes(names):
    """Return those of ``names`` that are not registered, in the order given."""
    scopes = registry()
    return [name for name in names if name not in scopes]


class RegistryScopes(BaseScopes):
    """django-oauth-toolkit's view of the registry (``OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"]``).

    An application may ask only for its allowed scopes (all registered ones
    when it has no list); a request for more is refused with ``invalid_scope``.
    """

    def get_all_scopes(self):
        return {scope.name: scope.description for scope in registry().values()}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        names = scope_names()
        allowed = getattr(application, "scopes", None)
        return [name for name in names if name in allowed] if allowed else names

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        available = set(self.get_available_scopes(application, request))
        return [name for name in default_scope_names() if name in available]
