"""The authorize endpoint (RFC 6749 section 4.1.1): the consent page and the user's decision.

On top of DOT's view: the provider switch, a remembered authorization (a user who
already granted every requested scope is not asked again, unless the client
sends ``prompt=consent``), partial consent (optional scopes the user may
untick: ``mm_oauth.oauth.consent``), trusted apps that never ask, an error page (never a
redirect) for a malformed PKCE challenge, anti-framing headers, ``iss`` (RFC
9207) in every response redirected to the client, and the
"Organization access" section: the app's standing in each of the
user's organizations, with Grant and Request buttons that come back here.
A ``resource`` (RFC 8707) this site does not serve is sent back as
``invalid_target`` before the user is asked anything.
"""

import re
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2.rfc6749.errors import AccessDeniedError, CustomOAuth2Error

from ..gate import ProviderRequiredMixin
from ..models import AppAccess
from ..resources import foreign_targets, invalid_target_description
from ..services.authorizations import authorization_covers, record_authorization
from .authorize_errors import explain as explain_error
from .consent import ConsentForm, consent_items
from .issuer import issuer, with_issuer
from .sessions import login_too_old, session_auth_time

# RFC 7636 section 4.2: code_challenge = 43*128unreserved.
PKCE_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
PKCE_METHODS = {"S256"}  # "plain" is refused (RFC 9700 section 2.1.1)
# For the client's developer and logs, so English like oauthlib's other descriptions (RFC 6749 section 4.1.2.1).
DENIED_DESCRIPTION = "The user denied the request."


def request_problem(params):
    """Return the error shown on this site (never redirected) for a request refused up front, or None."""
    if not params.get("redirect_uri"):
        # Mattermost's clients always send it; requiring it keeps matching exact.
        return {"error": "invalid_request", "description": "redirect_uri is required.", "kind": "missing_redirect_uri"}
    problem = pkce_problem(params)
    if problem:
        return {"error": "invalid_request", "description": problem, "kind": "pkce"}
    return None


def pkce_problem(params):
    """Return why the request's PKCE parameters are malformed, or None."""
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    if method is not None and method not in PKCE_METHODS:
        return f'Unsupported code_challenge_method "{method}": use S256.'
    if method is not None and challenge is None:
        return "code_challenge_method was sent without a code_challenge."
    if challenge is not None and not PKCE_CHALLENGE.fullmatch(challenge):
        return "code_challenge must be 43 to 128 characters of letters, digits and - . _ ~ (RFC 7636)."
    if challenge is not None and method is None:
        return 'code_challenge_method is required: use "S256".'
    return None


@method_decorator(never_cache, name="dispatch")
class AuthorizeView(ProviderRequiredMixin, dot_views.AuthorizationView):
    provider_disabled_as_html = True
    template_name = "mm_oauth/authorize.html"
    form_class = ConsentForm
    refused_scopes = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_active:
            # Only an authentication backend that admits inactive users gets here:
            # a deactivated account authorizes nothing (403, or login_required for prompt=none).
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        problem = request_problem(request.GET)
        if problem:
            # Shown on this site: a client that sends a broken challenge gets no redirect.
            return self.render_to_response({"error": problem}, status=HTTPStatus.BAD_REQUEST)
        if "max_age" in request.GET and login_too_old(request, request.GET["max_age"]):
            return self.handle_stale_login()
        return super().get(request, *args, **kwargs)

    def validate_authorization_request(self, request):
        """DOT's validation, then the ``resource`` parameters against this site's resources."""
        scopes, credentials = super().validate_authorization_request(request)
        refuse_foreign_targets(request, request.GET.getlist("resource"), credentials)
        return scopes, credentials

    def form_valid(self, form):
        """The decision: the (hidden, so tamperable) ``resource`` field is checked again first.

        The optional scopes the user unticked are kept for the remembered authorization.
        """
        try:
            refuse_foreign_targets(self.request, (form.cleaned_data.get("resource") or "").split(), form.cleaned_data)
        except OAuthToolkitError as error:
            app = get_application_model().objects.get(client_id=form.cleaned_data["client_id"])
            return self.error_response(error, app)
        self.refused_scopes = form.cleaned_data.get("refused", ())
        return super().form_valid(form)

    def handle_stale_login(self):
        """OpenID Connect Core 1.0 section 3.1.2.1: the sign-in is older than ``max_age``, sign in again.

        With ``prompt=none`` that is ``login_required`` on the (validated)
        redirect; otherwise the login page, back to this request without
        ``max_age`` (as DOT drops ``prompt=login``): the sign-in just happened,
        and ``max_age=0`` would otherwise send the user round again. The ID
        token's ``auth_time`` lets the client check it.
        """
        if "none" in self.request.GET.get("prompt", "").split():
            return self.handle_no_permission()  # DOT's prompt=none branch: login_required
        query = self.request.GET.copy()
        del query["max_age"]
        back = f"{self.request.path}?{query.urlencode()}"
        return redirect_to_login(back, resolve_url(self.get_login_url()), self.get_redirect_field_name())

    def render_to_response(self, context, **response_kwargs):
        if self._consent_remembered(context):
            return self._approve(context["form"].initial)
        if self._silent(context):
            # OpenID Connect Core 1.0 section 3.1.2.6: prompt=none must not show
            # the consent page; say consent is needed instead.
            return self._redirect_error(context, "consent_required")
        if "error" in context:
            context["explanation"] = explain_error(context["error"])
        elif "application" in context:
            context.update(self.consent_context(context["application"], context.get("redirect_uri")))
            context["scope_items"] = consent_items(context.get("scopes", []))
            context["scopes_optional"] = any(scope.optional for scope in context["scope_items"])
        response = super().render_to_response(context, **response_kwargs)
        # The consent page must never be framed by another site (clickjacking).
        response["Content-Security-Policy"] = "frame-ancestors 'none'"
        response["X-Frame-Options"] = "DENY"
        return response

    def consent_context(self, app, redirect_uri):
        """Return what the consent page shows beside the scopes: who is asked, where they go back to, the orgs."""
        request = self.request
        # The buttons bring the user back to this very request (a re-rendered POST has no query: fallback).
        query = request.GET.urlencode() if request.method == "GET" else ""
        return {
            "org_access": AppAccess.objects.member_rows(request.user, [app])[app.pk],
            "org_access_next": request.get_full_path() if query else "",
            "authorize_query": query,  # for "Not you?": the same request after signing in again
            "signed_in_as": request.user.get_username(),
            # DOT validated redirect_uri against the app's registered callbacks before this runs.
            "redirect_host": redirect_host(redirect_uri),
        }

    def _consent_remembered(self, context):
        if self.request.method != "GET" or "error" in context or "form" not in context:
            return False
        if "consent" in self.request.GET.get("prompt", "").split():
            return False
        return authorization_covers(self.request.user, context["application"], context["scopes"])

    def _silent(self, context):
        if self.request.method != "GET" or "error" in context or "form" not in context:
            return False
        return "none" in self.request.GET.get("prompt", "").split()

    def _redirect_error(self, context, error):
        """Send the user back to the (validated) redirect URI with ``error`` and the client's ``state``."""
        initial = context["form"].initial
        params = [("error", error)]
        if initial.get("state"):
            params.append(("state", initial["state"]))
        return self.redirect(add_params_to_uri(initial["redirect_uri"], params), context["application"])

    def _approve(self, initial):
        """Allow on the user's behalf, exactly as if they had pressed Allow again."""
        data = {name: value for name, value in initial.items() if value is not None}
        # Remembered: every requested scope was granted before, so every optional one stays ticked.
        granted = [scope.name for scope in consent_items((initial.get("scope") or "").split()) if scope.optional]
        form = self.get_form_class()(data={**data, "granted": granted, "allow": "Authorize"})
        if not form.is_valid():
            return self.form_invalid(form)
        return self.form_valid(form)

    def form_invalid(self, form):
        """A tampered or empty decision: say why on this site (nothing is granted, nothing redirected)."""
        messages = [message for errors in form.errors.values() for message in errors]
        error = {"error": "invalid_request", "description": " ".join(messages), "kind": "decision"}
        return self.render_to_response({"error": error}, status=HTTPStatus.BAD_REQUEST)

    def redirect(self, redirect_to, application):
        """Every redirect back to the client (the code, or an error such as a denial) names this server (RFC 9207)."""
        if oauth2_settings.COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS:
            redirect_to = with_issuer(redirect_to, issuer(self.request))
        return super().redirect(redirect_to, application)

    def create_authorization_response(self, request, scopes, credentials, allow):
        """Issue the code (DOT), then remember the grant; a denial raises before anything is stored.

        The session's sign-in time travels with the code, for the ID token's ``auth_time``.
        """
        if not allow:
            # RFC 6749 section 4.1.2.1: a human-readable error_description beside access_denied and state.
            denied = AccessDeniedError(state=credentials.get("state"), description=DENIED_DESCRIPTION)
            raise OAuthToolkitError(error=denied, redirect_uri=credentials["redirect_uri"])
        credentials = {**credentials, "auth_time": session_auth_time(request)}
        result = super().create_authorization_response(request, scopes, credentials, allow)
        # oauthlib answers a refused request (e.g. invalid_scope) with an error redirect, not an exception.
        if allow and "code" in parse_qs(urlsplit(result[0] or "").query):
            app = get_application_model().objects.get(client_id=credentials["client_id"])
            granted = scopes.split() if isinstance(scopes, str) else scopes
            record_authorization(request.user, app, granted, request, refused=self.refused_scopes)
        return result


def redirect_host(redirect_uri):
    """Return the host (and port) the user will be sent back to; a native app's scheme where there is none."""
    parts = urlsplit(redirect_uri or "")
    if not parts.hostname:
        return f"{parts.scheme}:" if parts.scheme else ""
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname


def refuse_foreign_targets(request, resources, credentials):
    """Raise ``invalid_target`` (RFC 8707 section 2), redirected to the client, for a resource not served here."""
    foreign = foreign_targets(request, resources)
    if foreign:
        error = CustomOAuth2Error(
            error="invalid_target", description=invalid_target_description(foreign), state=credentials.get("state")
        )
        raise OAuthToolkitError(error=error, redirect_uri=credentials["redirect_uri"])
