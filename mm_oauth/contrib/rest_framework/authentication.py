"""DRF authentication for people (session + CSRF) and apps (OAuth 2.0 bearer tokens).

Host projects protect their own API with the same pair::

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "mm_oauth.contrib.rest_framework.authentication.OAuth2Authentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
    }
"""

from oauth2_provider.contrib.rest_framework import OAuth2ProtectedResourceAuthentication
from oauth2_provider.models import AbstractAccessToken
from oauth2_provider.www_authenticate import build_bearer_challenge
from rest_framework import exceptions

from ...models.provider_settings import PROVIDER_DISABLED_MESSAGE, provider_enabled
from ...resources import metadata_url_for_request

REALM = "api"


def is_token_request(request):
    """Return whether ``request`` was authenticated by an OAuth 2.0 access token."""
    return isinstance(request.auth, AbstractAccessToken)


def is_bearer(header):
    """Return whether an Authorization header names the Bearer scheme, parsed as oauthlib parses it.

    oauthlib splits on any whitespace, so ``Bearer<TAB>token`` is a bearer
    token too (RFC 7235 section 2.1 allows only spaces; clients send both).
    """
    scheme, *_rest = header.split(None, 1) or [""]
    return scheme.lower() == "bearer"


class ProviderDisabledAuthenticationFailed(exceptions.AuthenticationFailed):
    default_detail = PROVIDER_DISABLED_MESSAGE
    default_code = "provider_disabled"
    error_id = "api.oauth.provider_disabled"


def bearer_challenge(request, error=None):
    """Return the ``WWW-Authenticate`` value of a 401 or 403 (RFC 6750 section 3, RFC 9728 section 5.1).

    ``error`` holds ``error``, ``error_description`` and ``scope`` where they
    apply (none for a request that sent no token); ``resource_metadata`` points at
    the metadata of the resource the request falls under, from which a client
    finds the authorization server and the scopes to ask for.
    """
    return build_bearer_challenge(
        request, oauth2_error=error or {}, realm=REALM, resource_metadata_url=metadata_url_for_request(request)
    )


class OAuth2Authentication(OAuth2ProtectedResourceAuthentication):
    """Bearer-token authentication that refuses (401, with the reason) while the provider is off.

    The tokens are kept, so switching the provider back on restores them. A token
    issued for a resource (RFC 8707) is refused outside it (``invalid_token``, DOT's
    audience check); one issued without ``resource`` is accepted (mm_oauth.resources).
    """

    www_authenticate_realm = REALM

    def authenticate(self, request):
        if is_bearer(request.META.get("HTTP_AUTHORIZATION", "")) and not provider_enabled():
            request.oauth2_error = {"error": "invalid_token", "error_description": str(PROVIDER_DISABLED_MESSAGE)}
            raise ProviderDisabledAuthenticationFailed()
        return super().authenticate(request)

    def authenticate_header(self, request):
        return bearer_challenge(request, getattr(request, "oauth2_error", None))
