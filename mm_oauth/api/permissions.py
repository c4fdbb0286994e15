"""Small, composable DRF permission classes of mm_oauth's own API (a host's: mm_oauth.contrib.rest_framework)."""

from http import HTTPStatus

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from ..contrib.rest_framework.authentication import is_token_request
from ..models.provider_settings import PROVIDER_DISABLED_MESSAGE, provider_enabled


class ProviderDisabled(exceptions.APIException):
    status_code = HTTPStatus.NOT_IMPLEMENTED
    default_detail = PROVIDER_DISABLED_MESSAGE
    default_code = "provider_disabled"
    error_id = "api.oauth.provider_disabled"


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
