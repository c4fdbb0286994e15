"""OpenID Connect on top of the OAuth 2.0 endpoints, when the site switches it on.

With ``OAUTH2_PROVIDER["OIDC_ENABLED"]`` (``mm_oauth.defaults.oidc_settings``
sets it, with the signing key and the ``openid``/``profile``/``email``
scopes), a client that asks for the ``openid`` scope gets an ID token beside
its access token, signed RS256 with the site's key, and may call:

- ``GET /.well-known/openid-configuration``: OpenID Provider metadata;
- ``GET /.well-known/jwks.json``: the public keys that verify ID tokens;
- ``GET/POST /oauth/userinfo``: the user's claims, for a bearer access token.

Every application signs with the site's RSA key: client secrets are stored
hashed, so the HS256 alternative (the secret as the HMAC key) cannot exist
here. The issuer is the one of the OAuth 2.0 metadata document, also the
``iss`` of authorization responses (``mm_oauth.oauth.issuer``). While OpenID
Connect is off these paths answer 404; while the provider is off, 501.
"""

from http import HTTPStatus

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views.generic import View
from oauth2_provider import views as dot_views
from oauth2_provider.models import AbstractApplication, AbstractGrant
from oauth2_provider.settings import oauth2_settings

from ..gate import ProviderRequiredMixin
from .issuer import issuer
from .views import client_endpoint, endpoint_url, registration_endpoint

RS256 = AbstractApplication.RS256_ALGORITHM


class OIDCRequiredMixin:
    """404 while OpenID Connect is off (DOT raises ImproperlyConfigured under DEBUG instead)."""

    def dispatch(self, request, *args, **kwargs):
        if not oauth2_settings.OIDC_ENABLED:
            return JsonResponse(
                {"error": "not_found", "error_description": "OpenID Connect is not enabled on this site."},
                status=HTTPStatus.NOT_FOUND,
            )
        return super().dispatch(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class DiscoveryView(ProviderRequiredMixin, OIDCRequiredMixin, View):
    """OpenID Connect Discovery 1.0 section 3, consistent with the RFC 8414 document.

    Written here rather than inherited: DOT's view reverses ``oauth2_provider:``
    URL names and offers HS256, which hashed client secrets cannot support.
    """

    def get(self, request, *args, **kwargs):
        validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS()
        scopes = oauth2_settings.SCOPES_BACKEND_CLASS()
        data = {
            "issuer": issuer(request),
            "authorization_endpoint": endpoint_url(request, "mm_oauth:authorize"),
            "token_endpoint": endpoint_url(request, "mm_oauth:token"),
            "userinfo_endpoint": endpoint_url(request, "mm_oauth:userinfo"),
            "jwks_uri": endpoint_url(request, "mm_oauth:jwks"),
            "revocation_endpoint": endpoint_url(request, "mm_oauth:revoke"),
            "introspection_endpoint": endpoint_url(request, "mm_oauth:introspect"),
            "scopes_supported": list(scopes.get_available_scopes()),
            "response_types_supported": ["code"],
            "grant_types_supported": list(oauth2_settings.OAUTH2_GRANT_TYPES_SUPPORTED),
            "subject_types_supported": list(oauth2_settings.OIDC_SUBJECT_TYPES_SUPPORTED),
            "id_token_signing_alg_values_supported": [RS256],
            "token_endpoint_auth_methods_supported": list(oauth2_settings.OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED),
            "code_challenge_methods_supported": [AbstractGrant.CODE_CHALLENGE_S256],  # "plain" is refused
            "claims_supported": sorted(set(validator.get_discovery_claims(request))),
            "prompt_values_supported": ["none", "login", "consent"],
            "authorization_response_iss_parameter_supported": bool(
                oauth2_settings.COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS
            ),
            **registration_endpoint(request),
        }
        response = JsonResponse(data)
        response["Access-Control-Allow-Origin"] = "*"
        return response


@method_decorator(login_not_required, name="dispatch")
class JwksView(ProviderRequiredMixin, OIDCRequiredMixin, dot_views.JwksInfoView):
    """The public half of the signing key (and of retired keys still verifying older tokens)."""


@client_endpoint
class UserInfoView(ProviderRequiredMixin, OIDCRequiredMixin, dot_views.UserInfoView):
    """OpenID Connect Core 1.0 section 5.3: the claims the access token's scopes allow."""
