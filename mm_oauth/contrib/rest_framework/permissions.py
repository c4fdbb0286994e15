"""Permissions for a host's API used by OAuth 2.0 applications."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .authentication import is_token_request


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
