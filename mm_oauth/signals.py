"""Signals mm_oauth sends. Receivers get ``actor`` (a user, or None for the system) and ``request`` (or None).

- ``provider_settings_changed``: ``changes`` maps each changed flag to ``(old, new)``.
- ``app_created``, ``app_deleted``, ``app_secret_regenerated``: ``app``.
- ``app_updated``: ``app`` and ``changes`` (``{field: [old, new]}``).
- ``authorization_granted``: ``authorization`` (a user authorized an app for the first time).
- ``authorization_revoked``: ``user`` and ``app`` (the user deauthorized it).
- ``org_restrictions_changed``: ``organization`` and ``restricted`` (the new value).
- ``app_access_requested``, ``app_access_approved``, ``app_access_denied``: ``access`` (an AppAccess).

Secrets are never part of a signal.
"""

from django.dispatch import Signal

provider_settings_changed = Signal()
app_created = Signal()
app_updated = Signal()
app_deleted = Signal()
app_secret_regenerated = Signal()
authorization_granted = Signal()
authorization_revoked = Signal()
org_restrictions_changed = Signal()
app_access_requested = Signal()
app_access_approved = Signal()
app_access_denied = Signal()
