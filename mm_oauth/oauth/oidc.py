"""OpenID Connect on top of the OAuth 2.0 endpoints, when the site switches it on.

With ``OAUTH2_PROVIDER["OIDC_ENABLED"]`` (``mm_oauth.defaults.oidc_settings``
sets it, with the signing key and the ``openid``/``profile``/``email``
scopes), a client that asks for the ``openid`` scope gets an ID token beside
its access token, signed RS256 with the site's key, and may call:

- ``GET /.well-known/openid-configuration``: OpenID Provider metadata;
- ``GET /.well-known/jwks.json``: the public keys that verify ID tokens;
- ``GET/POST /oauth/userinfo``: the user's claims, for a bearer access token;
- ``GET/POST /oauth/logout``: RP-initiated logout (OpenID Connect RP-Initiated
  Logout 1.0, with ``OIDC_RP_INITIATED_LOGOUT_ENABLED``), returning only to a
  URI registered for the app (a callback URL or a post-logout URI).

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
from django.views.decorators.cache import never_cache
from django.views.generic import View
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import InvalidOIDCClientError, InvalidOIDCRedirectURIError
from oauth2_provider.models import AbstractApplication, AbstractGrant, get_application_model
from oauth2_provider.settings import oauth2_settings

from ..gate import ProviderRequiredMixin
from ..services import client_metadata
from .issuer import issuer
from .views import (
    client_endpoint,
    endpoint_url,
    grant_types,
    introspection_auth_methods,
    registration_endpoint,
    token_endpoint_auth_methods,
)

RS256 = AbstractApplication.RS256_ALGORITHM
# Claims every ID token carries (OpenID Connect Core 1.0 section 2), beside the user's.
ID_TOKEN_CLAIMS = ["iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "jti"]


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
            "grant_types_supported": grant_types(),
            "subject_types_supported": list(oauth2_settings.OIDC_SUBJECT_TYPES_SUPPORTED),
            "id_token_signing_alg_values_supported": [RS256],
            # The same as the RFC 8414 document's: one token endpoint, one set of client authentication methods.
            "token_endpoint_auth_methods_supported": token_endpoint_auth_methods(),
            "revocation_endpoint_auth_methods_supported": token_endpoint_auth_methods(),
            "introspection_endpoint_auth_methods_supported": introspection_auth_methods(),
            "code_challenge_methods_supported": [AbstractGrant.CODE_CHALLENGE_S256],  # "plain" is refused
            "claims_supported": sorted({*validator.get_discovery_claims(request), *ID_TOKEN_CLAIMS}),
            "claims_parameter_supported": False,  # the claims request parameter is ignored
            "prompt_values_supported": ["none", "login", "consent"],
            "authorization_response_iss_parameter_supported": bool(
                oauth2_settings.COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS
            ),
            **registration_endpoint(request),
        }
        if client_metadata.enabled():  # advertised only while switched on, as in the RFC 8414 document
            data["client_id_metadata_document_supported"] = True
        if oauth2_settings.OIDC_RP_INITIATED_LOGOUT_ENABLED:
            data["end_session_endpoint"] = endpoint_url(request, "mm_oauth:oidc-logout")
        response = JsonResponse(data)
        response["Access-Control-Allow-Origin"] = "*"
        return response


@method_decorator(login_not_required, name="dispatch")
class JwksView(ProviderRequiredMixin, OIDCRequiredMixin, dot_views.JwksInfoView):
    """The public half of the signing key (and of retired keys still verifying older tokens)."""


@client_endpoint
class UserInfoView(ProviderRequiredMixin, OIDCRequiredMixin, dot_views.UserInfoView):
    """OpenID Connect Core 1.0 section 5.3: the claims the access token's scopes allow."""


class LogoutEnabledMixin:
    """404 while RP-initiated logout is off (DOT raises ImproperlyConfigured under DEBUG instead)."""

    def dispatch(self, request, *args, **kwargs):
        if not oauth2_settings.OIDC_RP_INITIATED_LOGOUT_ENABLED:
            return JsonResponse(
                {"error": "not_found", "error_description": "RP-initiated logout is not enabled on this site."},
                status=HTTPStatus.NOT_FOUND,
            )
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
class LogoutView(ProviderRequiredMixin, OIDCRequiredMixin, LogoutEnabledMixin, dot_views.RPInitiatedLogoutView):
    """OpenID Connect RP-Initiated Logout 1.0: end the site session, then go back to the app.

    ``post_logout_redirect_uri`` must be one of the app's callback URLs (the
    Mattermost registration has no separate list) or of its DOT
    ``post_logout_redirect_uris``, matched exactly; anything else is an error
    page here, never a redirect (no open redirect).
    """

    template_name = "mm_oauth/logout.html"

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # Like the consent page: another site must not frame the Sign out button.
        response["Content-Security-Policy"] = "frame-ancestors 'none'"
        response["X-Frame-Options"] = "DENY"
        return response

    def validate_post_logout_redirect_uri(self, application, post_logout_redirect_uri):
        if not post_logout_redirect_uri:
            return
        if application is None:
            raise InvalidOIDCClientError()
        if not (
            application.redirect_uri_allowed(post_logout_redirect_uri)
            or application.post_logout_redirect_uri_allowed(post_logout_redirect_uri)
        ):
            raise InvalidOIDCRedirectURIError("This client does not have this redirect uri registered.")

    def get_request_application(self, id_token, client_id):
        """The app named by ``client_id`` (an unknown one is an error page, not a 500), else the ID token's."""
        if client_id:
            application = get_application_model().objects.filter(client_id=client_id).first()
            if application is None:
                raise InvalidOIDCClientError()
            return application
        return id_token.application if id_token else None
