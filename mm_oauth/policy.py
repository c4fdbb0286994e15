"""Who may do what with OAuth applications: pure functions of a user and the settings.

- ``restrict_to_admins`` on: only admins register apps (staff, superusers, or users
  with ``mm_oauth.manage_system_wide_oauth``), plus users granted
  ``mm_oauth.manage_oauth``. Off: any signed-in user.
- Anyone who may register apps manages the apps they created.
- ``mm_oauth.manage_system_wide_oauth`` (superusers have every permission)
  manages everyone's apps. For anyone else, another person's app does not exist
  (404, never 403).
- Only superusers set or change *Is Trusted*.
- People see the apps they authorized; system-wide managers see anyone's.
"""

from .models.provider_settings import get_provider_settings

MANAGE_OWN = "mm_oauth.manage_oauth"
MANAGE_ALL = "mm_oauth.manage_system_wide_oauth"


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


def is_admin(user):
    return _signed_in(user) and (user.is_staff or user.is_superuser or user.has_perm(MANAGE_ALL))


def manages_all_apps(user):
    return _signed_in(user) and user.has_perm(MANAGE_ALL)


def may_register_apps(user, config=None):
    """Return whether ``user`` may create applications (and manage their own)."""
    if not _signed_in(user):
        return False
    config = config or get_provider_settings()
    return not config.restrict_to_admins or is_admin(user) or user.has_perm(MANAGE_OWN)


def may_manage_app(user, app, config=None):
    """Return whether ``user`` may view, edit, regenerate or delete ``app``."""
    if manages_all_apps(user):
        return True
    return may_register_apps(user, config) and app.user_id is not None and app.user_id == user.pk


def may_set_trusted(user):
    return _signed_in(user) and user.is_superuser


def manageable_apps(user, queryset, config=None):
    """Filter ``queryset`` (of applications) to those ``user`` may manage."""
    if manages_all_apps(user):
        return queryset
    if not may_register_apps(user, config):
        return queryset.none()
    return queryset.filter(user=user)


def may_view_authorizations(viewer, user):
    """Return whether ``viewer`` may list the applications ``user`` authorized (their own, or anyone's for managers)."""
    return _signed_in(viewer) and (viewer.pk == user.pk or manages_all_apps(viewer))
