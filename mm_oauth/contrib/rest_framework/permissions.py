"""Permissions for a host's API used by OAuth 2.0 applications."""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .authentication import bearer_challenge, is_token_request


class InsufficientScope(PermissionDenied):
    """403 for a valid token without the scope the request needs, saying which (RFC 6750 section 3.1).

    DRF's exception handler sends ``auth_header`` as ``WWW-Authenticate``.
    """

    def __init__(self, request, scope, detail):
        super().__init__(detail)
        error = {"error": "insufficient_scope", "error_description": str(detail), "scope": scope}
        self.auth_header = bearer_challenge(request, error)


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
        raise InsufficientScope(request, needed, f"The access token lacks the '{needed}' scope.")
