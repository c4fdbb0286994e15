"""DRF authentication for people (session + CSRF) and apps (OAuth 2.0 bearer tokens).

Host projects protect their own API with the same pair::

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "mm_oauth.contrib.rest_framework.authentication.OAuth2Authentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
    }
"""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication as DOTOAuth2Authentication
from oauth2_provider.models import AbstractAccessToken
from rest_framework import exceptions

from ...models.provider_settings import PROVIDER_DISABLED_MESSAGE, provider_enabled


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


class OAuth2Authentication(DOTOAuth2Authentication):
    """Bearer-token authentication that refuses (401, with the reason) while the provider is off.

    The tokens are kept, so switching the provider back on restores them.
    """

    def authenticate(self, request):
        if is_bearer(request.META.get("HTTP_AUTHORIZATION", "")) and not provider_enabled():
            request.oauth2_error = {"error": "invalid_token", "error_description": str(PROVIDER_DISABLED_MESSAGE)}
            raise ProviderDisabledAuthenticationFailed()
        return super().authenticate(request)
