"""Small, composable DRF permission classes."""

from oauth2_provider.models import AbstractAccessToken
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..services.provider_settings import PROVIDER_DISABLED_MESSAGE, provider_enabled


class ProviderDisabled(exceptions.APIException):
    status_code = 501
    default_detail = PROVIDER_DISABLED_MESSAGE
    default_code = "provider_disabled"
    error_id = "api.oauth.provider_disabled"


def is_token_request(request):
    """Return whether ``request`` was authenticated by an OAuth 2.0 access token."""
    return isinstance(request.auth, AbstractAccessToken)


class ProviderEnabled(BasePermission):
    """Answer 501 while the OAuth 2.0 provider is switched off."""

    def has_permission(self, request, view):
        if not provider_enabled():
            raise ProviderDisabled()
        return True


class NotOAuthToken(BasePermission):
    """Refuse requests made with an OAuth access token: apps may not manage OAuth itself."""

    message = "This endpoint is not available to OAuth 2.0 applications; sign in to the site instead."

    def has_permission(self, request, view):
        return not is_token_request(request)


class IsSuperuser(BasePermission):
    message = "Only system admins (superusers) may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_superuser)


class TokenHasReadWriteScope(BasePermission):
    """For token requests, require the ``read`` scope to read and ``write`` to change.

    Session (first-party) requests pass through: the user is acting directly.
    """

    def has_permission(self, request, view):
        if not is_token_request(request):
            return True
        needed = "read" if request.method in SAFE_METHODS else "write"
        if request.auth.allow_scopes([needed]):
            return True
        self.message = f"The access token lacks the '{needed}' scope."
        return False
