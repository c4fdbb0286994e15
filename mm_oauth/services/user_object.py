"""Mattermost's user object (``GET /api/v4/users/me``, ``/api/v4/users/{user_id}``) for any user model.

The keys and JSON types are those of Mattermost's ``model.User``
(``server/public/model/user.go``): times in milliseconds since the epoch,
``roles`` a space-separated string, ``timezone`` a map of strings. Whatever
the host's user model lacks comes from one hook, ``MM_OAUTH["USER_FIELDS"]``:
a dotted path to a callable taking the user and returning a dict of these
keys. The default, ``default_user_fields``, reads the attributes a Django
user has (and ``nickname``, ``position``, ``locale``, ``timezone``,
``email_verified``, ``auth_service`` when the model has them). A host's hook
usually starts from it::

    def user_fields(user):
        fields = default_user_fields(user)
        fields.update(position=user.profile.title, email_verified=user.profile.email_confirmed)
        return fields

Keys the hook returns beyond ``USER_KEYS`` are dropped; keys it leaves out
take the default's value.
"""

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from ..conf import app_settings

USER_KEYS = (
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "username",
    "auth_service",
    "email",
    "email_verified",
    "nickname",
    "first_name",
    "last_name",
    "position",
    "roles",
    "locale",
    "timezone",
)
# What Mattermost's User.SanitizeProfile clears before showing a user to someone else
# (the privacy setting ShowEmailAddress off, as on most sites).
HIDDEN_FROM_OTHERS = {"email": "", "email_verified": False, "auth_service": ""}
# Token scopes that let an application see the user's email address.
EMAIL_SCOPES = frozenset({"read", "email"})


def millis(moment):
    """Return ``moment`` (an aware or naive datetime, or None) as milliseconds since the epoch; None is 0."""
    return 0 if moment is None else int(moment.timestamp() * 1000)


def _text(user, name):
    return getattr(user, name, "") or ""


def default_timezone():
    """Return a Mattermost timezone map for the site's ``TIME_ZONE``."""
    return {"useAutomaticTimezone": "false", "manualTimezone": settings.TIME_ZONE or "UTC", "automaticTimezone": ""}


def default_user_fields(user):
    """Return the Mattermost user fields a Django user model can give.

    ``create_at`` and ``update_at`` come from ``date_joined`` (Django keeps no
    update time), ``delete_at`` is set for a deactivated user, ``roles`` say
    ``system_admin`` for superusers, ``locale`` is the site's ``LANGUAGE_CODE``.
    ``email_verified`` is False unless the model says otherwise: only the host
    knows whether it checked an address, and relying parties trust the claim.
    """
    joined = millis(getattr(user, "date_joined", None))
    superuser = getattr(user, "is_superuser", False)
    return {
        "id": str(user.pk),
        "create_at": joined,
        "update_at": joined,
        "delete_at": 0 if getattr(user, "is_active", True) else joined,
        "username": user.get_username(),
        "auth_service": _text(user, "auth_service"),
        "email": _text(user, user.get_email_field_name()),
        "email_verified": bool(getattr(user, "email_verified", False)),
        "nickname": _text(user, "nickname"),
        "first_name": _text(user, "first_name"),
        "last_name": _text(user, "last_name"),
        "position": _text(user, "position"),
        "roles": "system_admin system_user" if superuser else "system_user",
        "locale": _text(user, "locale") or settings.LANGUAGE_CODE,
        "timezone": getattr(user, "timezone", None) or default_timezone(),
    }


@lru_cache(maxsize=4)
def _hook(path):
    return import_string(path)


def user_fields(user):
    """Return every key of ``USER_KEYS`` for ``user``, through the host's hook."""
    path = app_settings.USER_FIELDS
    fields = _hook(path)(user) if path else default_user_fields(user)
    missing = [key for key in USER_KEYS if key not in fields]
    defaults = default_user_fields(user) if missing else {}
    return {key: fields[key] if key in fields else defaults[key] for key in USER_KEYS}


def user_object(user, *, viewer=None, scopes=None):
    """Return ``user`` as Mattermost shows it to ``viewer`` (the user themself when None).

    Another user never sees the email address (nor whether it is verified, nor
    the sign-in service); an application sees it only with a scope of
    ``EMAIL_SCOPES`` (``scopes`` None: a signed-in person, no token).
    """
    fields = user_fields(user)
    if viewer is not None and viewer.pk != user.pk:
        fields.update(HIDDEN_FROM_OTHERS)
    elif scopes is not None and not EMAIL_SCOPES.intersection(scopes):
        fields.update(email="", email_verified=False)
    return fields
