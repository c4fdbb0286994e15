"""The OpenID Connect half of mm_oauth's request validator: ID tokens, their claims, silent prompts.

``OAuth2Validator`` (``mm_oauth.oauth.oauth2_validators``) mixes this in before
DOT's validator; the endpoints that use it are in ``mm_oauth.oauth.oidc``.
"""

from django.http import HttpRequest
from oauth2_provider.models import AbstractApplication

from ..services.user_object import user_fields
from .issuer import issuer, issuer_for_oauthlib


class OpenIDConnectValidatorMixin:
    """Sign ID tokens with the site's key, with the session's ``auth_time`` and the claims each scope allows."""

    def validate_silent_login(self, request):
        """``prompt=none``: the view asks only a signed-in user (DOT answers ``login_required`` to others)."""
        return True

    def validate_silent_authorization(self, request):
        """``prompt=none``: the authorize view answers ``consent_required`` when consent would be asked."""
        return True

    def get_oidc_issuer_endpoint(self, request):
        """The ``iss`` of ID tokens: the issuer of the metadata documents (DOT's reverses a name we lack).

        DOT's logout view asks with a Django request, oauthlib's endpoints with their own.
        """
        if isinstance(request, HttpRequest):
            return issuer(request)
        return issuer_for_oauthlib(request)

    def finalize_id_token(self, id_token, token, token_handler, request):
        """Sign with the site's RSA key, whatever the application's (unused) ``algorithm`` field says."""
        request.client.algorithm = AbstractApplication.RS256_ALGORITHM
        return super().finalize_id_token(id_token, token, token_handler, request)

    def get_id_token_dictionary(self, token, token_handler, request):
        """DOT's claims, with ``auth_time`` from the session that authorized the code.

        DOT reads ``last_login``, which another session's sign-in moves; a
        refreshed ID token (no session at hand) keeps DOT's value.
        """
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        auth_time = getattr(request, "auth_time", None)
        if auth_time is not None:
            claims["auth_time"] = auth_time
        return claims, expiration_time

    def get_additional_claims(self):
        """The standard claims mm_oauth knows, each given only for its scope (``oidc_claim_scope``).

        Request-agnostic, so discovery can list them in ``claims_supported``.
        """
        return {
            "preferred_username": lambda request: request.user.get_username(),
            "name": lambda request: _full_name(request.user),
            "given_name": lambda request: getattr(request.user, "first_name", ""),
            "family_name": lambda request: getattr(request.user, "last_name", ""),
            "nickname": lambda request: user_fields(request.user)["nickname"],
            "locale": lambda request: user_fields(request.user)["locale"],
            "zoneinfo": lambda request: user_fields(request.user)["timezone"].get("manualTimezone", ""),
            "email": lambda request: getattr(request.user, request.user.get_email_field_name(), ""),
            "email_verified": lambda request: bool(user_fields(request.user)["email_verified"]),
        }


def _full_name(user):
    full_name = getattr(user, "get_full_name", None)
    return (full_name() if callable(full_name) else "").strip() or user.get_username()
