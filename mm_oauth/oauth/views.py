"""The endpoints clients call directly (token, revoke, introspect, metadata), behind the provider switch.

The browser-facing authorize endpoint lives in ``mm_oauth.oauth.authorize``.
"""

import calendar
import hashlib
from functools import wraps
from http import HTTPStatus

from django.contrib.auth.decorators import login_not_required
from django.db import router, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from oauth2_provider import views as dot_views
from oauth2_provider.models import AbstractGrant, get_access_token_model, get_refresh_token_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.signals import app_authorized
from oauth2_provider.views.metadata import bcp_filter_code_challenge_methods, bcp_filter_response_types
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.common import Request as OauthlibRequest

from ..gate import ProviderRequiredMixin
from ..models.provider_settings import registration_enabled
from ..resources import site_resources
from ..services import client_metadata
from ..throttling import client_authentication_failures
from ..unavailable import unavailable_on_database_error
from .issuer import issuer
from .oauth2_validators import issued_access_token

# The endpoints of the metadata documents (RFC 8414 section 2), by their mm_oauth URL names.
METADATA_ENDPOINTS = {
    "authorization_endpoint": "mm_oauth:authorize",
    "token_endpoint": "mm_oauth:token",
    "revocation_endpoint": "mm_oauth:revoke",
    "introspection_endpoint": "mm_oauth:introspect",
}


# Form fields of the client endpoints that carry a credential: Django's error reports
# (ADMINS emails, error logs with the request) show them as stars.
CREDENTIAL_FIELDS = ("client_secret", "code", "code_verifier", "refresh_token", "token", "password")


def hide_credentials(dispatch):
    """Mark every credential field sensitive for the whole request, as ``sensitive_post_parameters`` does.

    DOT's token view marks only ``password`` and ``client_secret``, and does so
    inside the view, overwriting an outer mark; the mark is set again on the way
    out, so a report made after an exception still hides all of them.
    """

    @wraps(dispatch)
    def wrapper(request, *args, **kwargs):
        request.sensitive_post_parameters = CREDENTIAL_FIELDS
        try:
            return dispatch(request, *args, **kwargs)
        finally:
            request.sensitive_post_parameters = CREDENTIAL_FIELDS

    return wrapper


def endpoint_url(request, name):
    """Return the absolute URL of the endpoint named ``name`` (None when not mounted).

    Under ``OIDC_ISS_ENDPOINT`` the endpoints are published on the issuer's host.
    """
    try:
        path = reverse(name)
    except NoReverseMatch:
        return None
    issuer = oauth2_settings.OIDC_ISS_ENDPOINT
    if issuer:
        return issuer.rstrip("/") + path
    return request.build_absolute_uri(path)


def client_endpoint(view_class):
    """Mark a view clients call without a browser session: no CSRF, no login, credentials hidden, 503 on DB loss.

    DOT decorates its own ``dispatch``; ProviderRequiredMixin defines a new one,
    so the markers must be set again here.
    """
    view_class = method_decorator(csrf_exempt, name="dispatch")(view_class)
    view_class = method_decorator(hide_credentials, name="dispatch")(view_class)
    view_class = method_decorator(login_not_required, name="dispatch")(view_class)
    # Outermost: a database lost mid-request answers 503 JSON, whatever step it failed in.
    return method_decorator(unavailable_on_database_error, name="dispatch")(view_class)


class ClientAuthThrottleMixin:
    """Answer 429 to an address that failed client authentication too often (mm_oauth.throttling).

    A failure is a 401: oauthlib's ``invalid_client`` and the introspection
    endpoint's own. Counted per address, so the real client, calling from
    elsewhere, is never locked out by somebody guessing its secret.
    """

    def dispatch(self, request, *args, **kwargs):
        retry_after = client_authentication_failures.retry_after(request)
        if retry_after is not None:
            return too_many_failures(retry_after)
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == HTTPStatus.UNAUTHORIZED:
            client_authentication_failures.note_failure(request)
        return response


def too_many_failures(retry_after):
    """Answer 429 in RFC 6749's error shape, saying when to try again."""
    response = JsonResponse(
        {
            "error": "temporarily_unavailable",
            "error_description": f"Too many failed client authentications from this address; "
            f"try again in {retry_after} seconds.",
        },
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


@client_endpoint
class TokenView(ProviderRequiredMixin, ClientAuthThrottleMixin, dot_views.TokenView):
    """RFC 6749 section 3.2: exchange a code or a refresh token for tokens.

    One transaction per request: the grant or refresh token being redeemed is
    locked from validation to the issue of the new tokens (mm_oauth's
    validator), so of two concurrent redemptions exactly one succeeds and the
    other gets ``invalid_grant``; a failure half-way leaves nothing behind.
    """

    def post(self, request, *args, **kwargs):
        with transaction.atomic(using=router.db_for_write(get_access_token_model())):
            return super().post(request, *args, **kwargs)

    def authorization_flow_token_response(self, request, *args, **kwargs):
        """DOT's, but ``app_authorized`` gets the token just saved instead of a second SELECT of it."""
        before = issued_access_token.set(None)
        try:
            _url, headers, body, status = self.create_token_response(request)
            token = issued_access_token.get()
        finally:
            issued_access_token.reset(before)
        if status == HTTPStatus.OK and token is not None:
            app_authorized.send(sender=self, request=request, token=token)
        # Every answer of the token endpoint is JSON (RFC 6749 section 5), also an error
        # raised while the tokens are saved, which oauthlib returns without headers.
        response = HttpResponse(content=body, status=status, content_type="application/json")
        for name, value in headers.items():
            response[name] = value
        return response


@client_endpoint
class RevokeView(ProviderRequiredMixin, ClientAuthThrottleMixin, dot_views.RevokeTokenView):
    """RFC 7009: revoke an access or refresh token."""


@client_endpoint
class IntrospectView(ProviderRequiredMixin, ClientAuthThrottleMixin, OAuthLibMixin, View):
    """RFC 7662: tell an authenticated client whether one of *its* tokens is active.

    Unlike DOT's view, a client learns nothing about another client's tokens
    (RFC 7662 section 4: the server must not let clients probe tokens they do
    not hold), and refresh tokens can be introspected too.
    """

    def post(self, request, *args, **kwargs):
        core = self.get_oauthlib_core()
        uri, http_method, body, headers = core._extract_params(request)
        oauthlib_request = OauthlibRequest(uri, http_method, body, headers)
        if not core.server.request_validator.authenticate_client(oauthlib_request):
            response = JsonResponse(
                {"error": "invalid_client", "error_description": "Client authentication failed."},
                status=HTTPStatus.UNAUTHORIZED,
            )
            response["WWW-Authenticate"] = 'Basic realm="oauth"'
            return response
        token = request.POST.get("token")
        if not token:
            return JsonResponse(
                {"error": "invalid_request", "error_description": "The token parameter is missing."},
                status=HTTPStatus.BAD_REQUEST,
            )
        data = describe_token(token, request.POST.get("token_type_hint"), oauthlib_request.client)
        response = JsonResponse(data)
        response["Cache-Control"] = "no-store"
        return response


def describe_token(token, hint, client):
    """Return RFC 7662's response for ``token`` as seen by ``client``."""
    checksum = hashlib.sha256(token.encode()).hexdigest()
    access_model, refresh_model = get_access_token_model(), get_refresh_token_model()
    order = [refresh_model, access_model] if hint == "refresh_token" else [access_model, refresh_model]
    for model in order:
        found = model.objects.select_related("user").filter(token_checksum=checksum).first()
        if found is None:
            continue
        if found.application_id != client.pk:
            break
        if model is access_model:
            if not found.is_valid():
                break
            data = {
                "active": True,
                "token_type": "access_token",
                "scope": found.scope,
                "exp": calendar.timegm(found.expires.utctimetuple()),
            }
        else:
            if found.revoked is not None:
                break
            data = {"active": True, "token_type": "refresh_token"}
        data["client_id"] = client.client_id
        if found.user is not None:
            data["username"] = found.user.get_username()
            data["sub"] = str(found.user.pk)
        if found.resource:
            data["aud"] = list(found.resource)  # RFC 8707: the audience it was issued for (none: unrestricted)
        return data
    return {"active": False}


@client_endpoint
class ServerMetadataView(ProviderRequiredMixin, dot_views.OAuthServerMetadataView):
    """RFC 8414: where the endpoints are and what they accept; nothing this site does not do.

    DOT's document names DOT's URL names and always carries
    ``client_id_metadata_document_supported``; this one is built from
    :func:`server_metadata`, with DOT's RFC 9700 filters.
    """

    def get(self, request, *args, **kwargs):
        response = JsonResponse(server_metadata(request))
        response["Access-Control-Allow-Origin"] = "*"
        return response


def grant_types():
    """Return the grant types offered, without those an RFC 9700 gate refuses (as DOT's document does)."""
    refused = set()
    if oauth2_settings.COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT:
        refused.add("implicit")
    if oauth2_settings.COMPLIANT_BCP_RFC9700_PASSWORD_GRANT:
        refused.add("password")
    return [grant for grant in oauth2_settings.OAUTH2_GRANT_TYPES_SUPPORTED if grant not in refused]


def token_endpoint_auth_methods():
    """Return how clients authenticate at the token and revocation endpoints (public clients: ``none``)."""
    return list(oauth2_settings.OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED)


def introspection_auth_methods():
    """Return how clients authenticate at the introspection endpoint: with a secret (RFC 7662 section 2.1)."""
    return [method for method in token_endpoint_auth_methods() if method != "none"]


def server_metadata(request):
    """Return the RFC 8414 metadata document for ``request``'s host."""
    endpoints = {key: endpoint_url(request, name) for key, name in METADATA_ENDPOINTS.items()}
    data = {
        "issuer": issuer(request),
        **{key: url for key, url in endpoints.items() if url},
        "response_types_supported": bcp_filter_response_types(oauth2_settings.OAUTH2_RESPONSE_TYPES_SUPPORTED),
        "grant_types_supported": grant_types(),
        "scopes_supported": sorted(oauth2_settings.SCOPES_BACKEND_CLASS().get_available_scopes()),
        # "plain" is refused (RFC 9700 section 2.1.1): S256 only.
        "code_challenge_methods_supported": bcp_filter_code_challenge_methods([AbstractGrant.CODE_CHALLENGE_S256]),
        "token_endpoint_auth_methods_supported": token_endpoint_auth_methods(),
        "revocation_endpoint_auth_methods_supported": token_endpoint_auth_methods(),
        "introspection_endpoint_auth_methods_supported": introspection_auth_methods(),
    }
    resources = site_resources(request)
    if resources:
        data["protected_resources"] = resources  # RFC 9728 section 4: what ``resource`` (RFC 8707) may name
    if oauth2_settings.COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS:
        data["authorization_response_iss_parameter_supported"] = True  # RFC 9207
    if oauth2_settings.OIDC_ENABLED:
        data["jwks_uri"] = endpoint_url(request, "mm_oauth:jwks")
    # Each further capability is added here only while it is switched on: the RFC 7591
    # ``registration_endpoint`` and ``client_id_metadata_document_supported``.
    data.update(registration_endpoint(request))
    if client_metadata.enabled():
        data["client_id_metadata_document_supported"] = True
    return data


def registration_endpoint(request):
    """Return ``{"registration_endpoint": url}`` while dynamic client registration (RFC 7591) is on, else ``{}``.

    DOT advertises its own endpoint under ``OAUTH2_PROVIDER["DCR_ENABLED"]``;
    here the provider setting decides, so nothing is advertised that answers 501.
    """
    if not registration_enabled():
        return {}
    url = endpoint_url(request, "mm_oauth:api-oauth-app-register")
    return {"registration_endpoint": url} if url else {}
