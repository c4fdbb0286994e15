"""Dynamic client registration (RFC 7591) and its management (RFC 7592), on django-oauth-toolkit's views.

- ``POST /api/v4/oauth/apps/register`` (Mattermost v11.2's path): anyone may
  register a client, JSON in and out, no session, no CSRF.
- ``GET/PUT/DELETE /api/v4/oauth/apps/register/{client_id}`` (the
  ``registration_client_uri``): read, replace or delete the registration with
  the registration access token as a bearer token.

Both answer 501 while the provider or ``enable_dynamic_client_registration``
is off, and 429 with ``Retry-After`` to an address that registers too often
(``MM_OAUTH["REGISTRATION_LIMIT"]``). DOT's views supply the JSON parsing, the
registration access token (stored as a SHA-256 checksum under
``COMPLIANT_BCP_RFC9700_TOKEN_STORAGE``) and its checks; the rules, the
allowlist and the audit trail are ``mm_oauth.services.registration``'s.
"""

from http import HTTPStatus

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views import View
from oauth2_provider.views.dynamic_client_registration import (
    DynamicClientRegistrationManagementView,
    DynamicClientRegistrationView,
    _error_response,
    _parse_metadata,
)

from ..gate import ProviderRequiredMixin
from ..models.provider_settings import registration_enabled
from ..services import registration
from ..throttling import registration_attempts
from .views import client_endpoint

REGISTRATION_DISABLED_MESSAGE = "The system admin has turned off dynamic client registration."


class RegistrationRequiredMixin:
    """Answer 501 while dynamic client registration is off (DOT's views would answer 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not registration_enabled():
            return no_store(
                JsonResponse(
                    {"error": "temporarily_unavailable", "error_description": REGISTRATION_DISABLED_MESSAGE},
                    status=HTTPStatus.NOT_IMPLEMENTED,
                )
            )
        # Past DOT's own dispatch, which checks OAUTH2_PROVIDER["DCR_ENABLED"] instead of this setting.
        return View.dispatch(self, request, *args, **kwargs)


@client_endpoint
class RegisterView(ProviderRequiredMixin, RegistrationRequiredMixin, DynamicClientRegistrationView):
    """RFC 7591 section 3: register a client; 201 with its credentials, shown this once."""

    def post(self, request, *args, **kwargs):
        retry_after = registration_attempts.retry_after(request)
        if retry_after is not None:
            return too_many_registrations(retry_after)
        registration_attempts.note_attempt(request)
        metadata, error = _parse_metadata(request.body)
        if error:
            return no_store(error)
        try:
            app, secret, token = registration.register_client(metadata, request=request)
        except registration.RegistrationError as exc:
            return no_store(_error_response(exc.error, exc.description))
        body = client_information(request, app, token)
        body["client_id_issued_at"] = int(app.created.timestamp())
        if secret:
            body["client_secret"] = secret
            body["client_secret_expires_at"] = 0  # RFC 7591 section 3.2.1: it does not expire
        return no_store(JsonResponse(body, status=HTTPStatus.CREATED))


@client_endpoint
class RegistrationManagementView(
    ProviderRequiredMixin, RegistrationRequiredMixin, DynamicClientRegistrationManagementView
):
    """RFC 7592 section 2: read, replace or delete a registration with its registration access token."""

    def get(self, request, client_id, *args, **kwargs):
        auth = self._authenticate_registration_request(request, client_id)
        if isinstance(auth, HttpResponse):
            return no_store(auth)
        return no_store(JsonResponse(client_information(request, auth.application, auth.presented_token)))

    def put(self, request, client_id, *args, **kwargs):
        auth = self._authenticate_registration_request(request, client_id)
        if isinstance(auth, HttpResponse):
            return no_store(auth)
        metadata, error = _parse_metadata(request.body)
        if error:
            return no_store(error)
        try:
            registration.update_registered_client(auth.application, metadata, request=request)
        except registration.RegistrationError as exc:
            return no_store(_error_response(exc.error, exc.description))
        return no_store(JsonResponse(client_information(request, auth.application, auth.presented_token)))

    def delete(self, request, client_id, *args, **kwargs):
        auth = self._authenticate_registration_request(request, client_id)
        if isinstance(auth, HttpResponse):
            return no_store(auth)
        registration.delete_registered_client(auth.application, request=request)
        return HttpResponse(status=HTTPStatus.NO_CONTENT)


def client_information(request, app, registration_token):
    """Return RFC 7591 section 3.2.1's client information: the registered metadata and the management URI."""
    return {
        "client_id": app.client_id,
        "client_name": app.name,
        "client_uri": app.homepage,
        **({"logo_uri": app.icon_url} if app.icon_url else {}),
        "redirect_uris": app.callback_urls,
        "grant_types": list(registration.GRANT_TYPES),
        "response_types": list(registration.RESPONSE_TYPES),
        "token_endpoint_auth_method": app.token_endpoint_auth_method,
        **({"scope": " ".join(app.scopes)} if app.scopes else {}),
        "registration_access_token": registration_token,
        "registration_client_uri": request.build_absolute_uri(
            reverse("mm_oauth:api-oauth-app-registration", kwargs={"client_id": app.client_id})
        ),
    }


def too_many_registrations(retry_after):
    """Answer 429 saying when this address may register again."""
    response = JsonResponse(
        {
            "error": "temporarily_unavailable",
            "error_description": f"Too many registrations from this address; try again in {retry_after} seconds.",
        },
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(retry_after)
    return no_store(response)


def no_store(response):
    """Mark ``response`` uncacheable: it may carry a secret or a token (RFC 7591 section 3.2.1)."""
    response["Cache-Control"] = "no-store"
    return response
