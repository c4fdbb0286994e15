"""mm_oauth's oauthlib request validator (``OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]``).

On top of DOT's validator:

- authorization codes are stored as SHA-256 checksums, as DOT stores tokens
  (RFC 9700 section 4.14's storage advice applied to codes too), and the grant
  is read once per token request, locked (``SELECT ... FOR UPDATE``) so two
  concurrent redemptions of one code give one success and one ``invalid_grant``;
  the client is read in the same SELECT as the code (or the refresh token), and
  "last used" is written at most once a minute;
- a replayed code is refused and revokes what it was exchanged for (RFC 6749
  section 4.1.2);
- a code issued without a PKCE challenge is refused when a ``code_verifier``
  comes with it (PKCE downgrade, RFC 9700 section 4.8.2);
- a refresh token is locked while it is rotated, so a concurrent refresh
  answers ``invalid_grant`` instead of a 500;
- tokens and codes of a deactivated user stop working at once;
- only access tokens authenticate API requests: an OpenID Connect ID token is
  never accepted as a bearer token;
- public clients always need PKCE; a rotated client secret keeps working
  during its grace period;
- a ``resource`` (RFC 8707) must be one of this site's resources or lie beneath
  one (``mm_oauth.resources``), else ``invalid_target``; at a refresh it may
  narrow the refresh token's audience, never widen it (DOT);
- a code or refresh token is refused (``invalid_scope``) for scopes outside
  the app's allowed scopes.

OpenID Connect's part (ID tokens, claims, silent prompts) is mixed in from
``mm_oauth.oauth.id_tokens``.
"""

import base64
import binascii
import hashlib
import json
from contextvars import ContextVar
from datetime import timedelta
from functools import cache
from urllib.parse import unquote_plus

from django.db import router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.exceptions import FatalClientError
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
    refresh_token_expire_timedelta,
)
from oauth2_provider.oauth2_validators import OAuth2Validator as DOTValidator
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749 import errors

from ..models import RedeemedCode
from ..resources import foreign_targets, invalid_target_description
from ..services import client_metadata
from ..services.authorizations import last_used_at, touch
from ..services.tokens import delete_row, delete_rows, revoke_replayed_code
from .id_tokens import OpenIDConnectValidatorMixin
from .issuer import as_django_request

# The sign-in time travels with the code inside the grant's ``claims`` JSON: DOT's Grant has no
# column for it, and its model is not ours to migrate.
AUTH_TIME_KEY = "mm_oauth_auth_time"

# The access token the token endpoint just issued, for the ``app_authorized`` signal
# (the view would otherwise read it back from the database).
issued_access_token = ContextVar("mm_oauth_issued_access_token", default=None)


def token_checksum(value):
    """Return the SHA-256 hex digest under which DOT stores a token (and mm_oauth a code)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def code_checksum(code):
    """Return the SHA-256 hex digest under which an authorization code is stored."""
    return token_checksum(code)


def _active(user):
    return user is None or user.is_active


class OAuth2Validator(OpenIDConnectValidatorMixin, DOTValidator):
    # --- clients ---------------------------------------------------------------

    def is_pkce_required(self, client_id, request):
        """Require PKCE from every public client; for confidential ones follow PKCE_REQUIRED.

        A public client cannot keep a secret, so only PKCE (RFC 7636) binds the
        code to the client that asked for it.
        """
        client = request.client if request.client is not None else self._load_application(client_id, request)
        if client is not None and client.client_type == client.CLIENT_PUBLIC:
            return True
        return super().is_pkce_required(client_id, request)

    def authenticate_client(self, request, *args, **kwargs):
        """RFC 6749 section 2.3.1, plus the previous secret during a rotation grace period."""
        if super().authenticate_client(request, *args, **kwargs):
            return True
        client_id, secret = self._presented_credentials(request)
        if not client_id or not secret:
            return False
        client = self._load_application(client_id, request)
        return client is not None and client.previous_secret_matches(secret)

    def _load_application(self, client_id, request):
        """Load the client; at the token endpoint, with the code or refresh token in one locked SELECT.

        DOT loads the client, then the grant or the refresh token: two round
        trips on the hottest write paths. The row is looked up by its value
        *and* the client's ``client_id``, so a value presented by another client
        finds nothing here and is then checked against that client as before.
        An ``https`` client_id is a metadata document's (``_load_document_client``).
        """
        if client_metadata.is_metadata_client_id(client_id or ""):
            return self._load_document_client(client_id, request)
        if request.client is None and client_id:
            row = self._token_endpoint_row(client_id, request)
            if row is not None:
                request.client = row.application if row.application.is_usable(request) else None
                return request.client
        return super()._load_application(client_id, request)

    def _token_endpoint_row(self, client_id, request):
        """Return the locked grant or refresh token the request presents for ``client_id`` (cached), or None."""
        grant_type = getattr(request, "grant_type", None)
        if grant_type == "authorization_code":
            code = getattr(request, "code", None)
            if not code:
                return None
            rows = _grants().select_related("application", "user")
            row = next(iter(rows.filter(code=code_checksum(code), application__client_id=client_id)[:1]), None)
            request.mm_oauth_grant = row
            return row
        if grant_type == "refresh_token":
            token = getattr(request, "refresh_token", None)
            if not token:
                return None
            row = _refresh_tokens(token).select_related("application").filter(application__client_id=client_id).first()
            request.mm_oauth_refresh_row = row
            return row
        return None

    def _presented_credentials(self, request):
        """Return the (client_id, client_secret) the client sent, by HTTP Basic or in the body."""
        encoded = self._extract_basic_auth(request)
        if encoded:
            try:
                client_id, _sep, secret = base64.b64decode(encoded).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None, None
            return unquote_plus(client_id), unquote_plus(secret)
        return getattr(request, "client_id", None), getattr(request, "client_secret", None)

    # --- client ID metadata documents (mm_oauth.services.client_metadata) -------

    def _load_document_client(self, client_id, request):
        """Resolve an ``https`` client_id through mm_oauth's metadata-document rules.

        DOT's own resolver answers only under its static CIMD_ENABLED (left off):
        here the provider settings decide, and a refusal's reason is kept on the
        request for the authorize page.
        """
        cached = request.client
        if isinstance(cached, get_application_model()) and cached.client_id == client_id and cached.is_usable(request):
            return cached
        try:
            client = client_metadata.resolve(client_id)
        except client_metadata.ClientMetadataProblem as problem:
            request.mm_oauth_client_problem = str(problem)
            return None
        if client is None or not client.is_usable(request):
            return None
        request.client = client
        return client

    def validate_client_id(self, client_id, request, *args, **kwargs):
        """An unusable metadata document is an unknown client whose error names the problem (never a redirect)."""
        if super().validate_client_id(client_id, request, *args, **kwargs):
            return True
        problem = getattr(request, "mm_oauth_client_problem", None)
        if problem:
            raise errors.InvalidClientIdError(description=problem, request=request)
        return False

    # --- authorization codes ---------------------------------------------------

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        """Store the code's checksum, never the code (oauthlib still sends the code itself to the client).

        The session's sign-in time (``auth_time``, set by the authorize view) is kept with it.
        """
        auth_time = getattr(request, "auth_time", None)
        if auth_time is not None:
            request.claims = {**(request.claims or {}), AUTH_TIME_KEY: auth_time}
        super().save_authorization_code(client_id, {**code, "code": code_checksum(code["code"])}, request)

    def _grant(self, code, client, request):
        """Return the grant for ``code``, read once per request and locked until the request ends.

        The token view runs in one transaction, so a concurrent redemption of
        the same code waits here and then finds it gone.
        """
        cached = getattr(request, "mm_oauth_grant", None)
        if cached is not None:
            return cached
        if not code or client is None:
            return None
        # code is unique: a slice, not first(), whose ORDER BY costs query compilation on every exchange.
        found = _grants().select_related("user").filter(code=code_checksum(code), application=client)
        grant = next(iter(found[:1]), None)
        request.mm_oauth_grant = grant
        return grant

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        grant = self._grant(code, client, request)
        if grant is None:
            self._revoke_after_replay(code, client)
            return False
        if grant.is_expired() or not _active(grant.user):
            return False
        if not grant.code_challenge and getattr(request, "code_verifier", None):
            # RFC 9700 section 4.8.2: a code_verifier for a code issued without a
            # challenge means someone tries to pass PKCE off as used (a downgrade).
            return False
        request.scopes = grant.scope.split(" ")
        _require_allowed_scopes(client, request.scopes, request)
        request.user = grant.user
        if grant.nonce:
            request.nonce = grant.nonce
        if grant.claims:
            claims = json.loads(grant.claims)
            request.auth_time = claims.pop(AUTH_TIME_KEY, None)
            request.claims = claims
        return True

    def get_code_challenge(self, code, request):
        grant = self._grant(code, request.client, request)
        return (grant.code_challenge or None) if grant is not None else None

    def get_code_challenge_method(self, code, request):
        grant = self._grant(code, request.client, request)
        return (grant.code_challenge_method or None) if grant is not None else None

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request=None, *args, **kwargs):
        grant = self._grant(code, client, request) if request is not None else None
        return grant is not None and grant.redirect_uri_allowed(redirect_uri)

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):
        # Asked before the request is validated (to pick the OpenID Connect handler): no lock yet.
        scope = get_grant_model().objects.filter(code=code_checksum(code or "")).values_list("scope", flat=True)
        return (scope.first() or "").split()

    def get_authorization_code_nonce(self, client_id, code, redirect_uri, request):
        grant = self._grant(code, request.client, request)
        return (grant.nonce or None) if grant is not None else None

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        """Delete the redeemed grant and remember the code, with what it was exchanged for."""
        grant = self._grant(code, request.client, request)
        if grant is None:
            raise errors.InvalidGrantError(request=request)
        delete_row(type(grant), grant.pk)  # nothing points at a grant, nobody listens to its deletion
        issued = getattr(request, "mm_oauth_issued", {})
        RedeemedCode.objects.create(
            code_checksum=code_checksum(code),
            application=request.client,
            token_family=issued.get("token_family"),
            access_token_id=issued.get("access_token_id"),
        )
        request.mm_oauth_grant = None

    def _revoke_after_replay(self, code, client):
        """A code that was redeemed before comes again: revoke what it produced (RFC 6749 section 4.1.2)."""
        if not code or client is None:
            return
        redeemed = RedeemedCode.objects.filter(code_checksum=code_checksum(code), application=client).first()
        if redeemed is not None:
            revoke_replayed_code(redeemed)

    def _check_and_set_request_resource(self, request):
        """Set the token's audience (RFC 8707 section 2.2); refuse a resource this site does not serve."""
        self._set_request_resource(request)
        foreign = foreign_targets(as_django_request(request), request.resource)
        if foreign:
            raise errors.CustomOAuth2Error(
                error="invalid_target", description=invalid_target_description(foreign), request=request
            )

    def _set_request_resource(self, request):
        """RFC 8707 section 2.2 as DOT applies it, reading the grant this request already holds.

        DOT looks the grant up again by the raw code; here it is locked and cached.
        """
        grant = getattr(request, "mm_oauth_grant", None)
        if request.grant_type != "authorization_code" or grant is None:
            return super()._check_and_set_request_resource(request)
        request.resource = _requested_resources(request)
        self._validate_resource_uris(request, request.resource)
        granted = list(grant.resource or [])
        for resource in request.resource if granted else []:
            if resource not in granted:
                raise errors.CustomOAuth2Error(
                    error="invalid_target",
                    description=f"The requested resource '{resource}' was not granted with this code.",
                    request=request,
                )
        if granted and not request.resource:
            self._validate_resource_uris(request, granted)
            request.resource = granted

    # --- tokens ----------------------------------------------------------------

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        request.mm_oauth_issued = {**getattr(request, "mm_oauth_issued", {}), "access_token_id": access_token.pk}
        issued_access_token.set(access_token)
        return access_token

    def _create_refresh_token(self, request, refresh_token_code, access_token, previous_refresh_token):
        refresh_token = super()._create_refresh_token(request, refresh_token_code, access_token, previous_refresh_token)
        issued = getattr(request, "mm_oauth_issued", {})
        request.mm_oauth_issued = {**issued, "token_family": refresh_token.token_family}
        return refresh_token

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        """Check the refresh token in one locked SELECT (with its access token and user).

        The token endpoint runs in one transaction: a concurrent rotation of the
        same token waits here and then finds it revoked, so it gets
        ``invalid_grant``. A revoked token goes through DOT's checks (its grace
        period and reuse protection: RFC 9700 section 4.14.2).
        """
        live = getattr(request, "mm_oauth_refresh_row", None)
        if live is None or live.application_id != client.pk:
            live = _refresh_tokens(refresh_token).first()
        if live is None:
            return False
        if live.revoked is not None:
            return super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        expire_delta = refresh_token_expire_timedelta()
        if live.access_token is None or (expire_delta and live.access_token.expires + expire_delta <= timezone.now()):
            return False
        if not _active(live.user):
            return False
        if live.application_id == client.pk:
            _require_allowed_scopes(client, (request.scope or live.access_token.scope).split(), request)
        request.user = live.user
        request.refresh_token = refresh_token  # under hashed storage the stored token is blank
        request.refresh_token_instance = live
        return live.application_id == client.pk

    def _save_bearer_token(self, token, request, *args, **kwargs):
        """Rotate a refresh token in four statements; everything else as DOT does it.

        The token was locked by validate_refresh_token: it becomes a tombstone
        (``revoked``, for reuse detection), its access token goes, a new pair
        of the same family comes.
        """
        previous = getattr(request, "refresh_token_instance", None)
        rotating = previous is not None and previous.revoked is None and self.rotate_refresh_token(request)
        if not rotating or "refresh_token" not in token:
            return super()._save_bearer_token(token, request, *args, **kwargs)
        if "scope" not in token:
            raise FatalClientError("Failed to renew access token: missing scope")
        self._check_and_set_request_resource(request)
        expires = timezone.now() + timedelta(
            seconds=token.get("expires_in", oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
        )
        RefreshToken, AccessToken = get_refresh_token_model(), get_access_token_model()
        RefreshToken.objects.filter(pk=previous.pk).update(access_token=None, revoked=timezone.now())
        delete_rows(AccessToken, {"pk": previous.access_token_id})
        access_token = self._create_access_token(expires, request, token, source_refresh_token=previous)
        self._create_refresh_token(request, token["refresh_token"], access_token, previous)

    def save_bearer_token(self, token, request, *args, **kwargs):
        """Save the tokens, and note when the app last obtained tokens for this user.

        DOT wraps the save in its own atomic block; inside the token view's
        transaction that is a savepoint (two more round trips) that protects
        nothing the outer transaction does not.
        """
        with transaction.atomic(using=router.db_for_write(get_access_token_model()), savepoint=False):
            result = self._save_bearer_token(token, request, *args, **kwargs)
        if request.user is not None and request.client is not None:
            touch(request.user, request.client, last_used=_last_used(request))
        return result

    def _load_access_token(self, token):
        """Load the token, its user and its app in one indexed SELECT.

        DOT's version ends in ``.first()``, whose ORDER BY costs ~0.4 ms of query
        compilation on every bearer request; token_checksum is unique anyway.
        """
        found = (
            get_access_token_model()
            .objects.select_related("application", "user")
            .filter(token_checksum=token_checksum(token))
        )
        return next(iter(found[:1]), None)

    def validate_bearer_token(self, token, scopes, request):
        """DOT's checks, and the token's user must still be active."""
        if not super().validate_bearer_token(token, scopes, request):
            return False
        if _active(request.user):
            return True
        request.oauth2_error = {"error": "invalid_token", "error_description": _("The user account is inactive.")}
        return False

    def validate_jwt_bearer_token(self, token, scopes, request):
        """Never accept an ID token as a bearer token: only access tokens authenticate API requests.

        An ID token says who signed in to a client (OpenID Connect Core 1.0
        section 2); it carries no scope, is not revoked with the app's tokens
        and is not refused while the provider is off.
        """
        return False


@cache
def _locked(model_getter):
    """Return ``model_getter()``'s rows, locked (``SELECT ... FOR UPDATE``), with "last used" (built once).

    Resolving the "last used" subquery costs as much as compiling the rest of
    the query; a queryset is immutable (every filter() clones it), so the token
    endpoint builds this one once per process.
    """
    return model_getter().objects.select_for_update(of=("self",)).annotate(mm_oauth_last_used=last_used_at())


def _grants():
    """Grants, locked, with when their app last obtained tokens for their user."""
    return _locked(get_grant_model)


def _refresh_tokens(token):
    """The rows of refresh token ``token``, locked, live one first, with its access token and user."""
    return (
        _locked(get_refresh_token_model)
        .select_related("access_token", "user")
        .filter(token_checksum=token_checksum(token))
        .order_by(F("revoked").desc(nulls_first=True))
    )


def _last_used(request):
    """Return the "last used" date read with the locked grant or refresh token, if any."""
    row = getattr(request, "mm_oauth_grant", None) or getattr(request, "refresh_token_instance", None)
    return getattr(row, "mm_oauth_last_used", None)


def _require_allowed_scopes(client, scopes, request):
    """Refuse tokens for scopes the app may no longer obtain (RFC 6749 section 5.2, ``invalid_scope``).

    The app's allowed scopes may have been narrowed since the code or the
    refresh token was issued; the app is already loaded, so this costs no query.
    """
    if not client.allows_scopes(scopes):
        refused = sorted(set(scopes) - set(client.scopes))
        raise errors.InvalidScopeError(
            description=f"This application may not obtain the scope(s): {' '.join(refused)}.", request=request
        )


def _requested_resources(request):
    """Return the ``resource`` parameters of a token request as a list (RFC 8707 allows several).

    oauthlib keeps only the last value of a repeated body parameter: the full
    list comes from the decoded body, as DOT reads it.
    """
    resource = getattr(request, "resource", None)
    if isinstance(resource, list):
        return resource
    repeated = [value for key, value in (getattr(request, "decoded_body", None) or []) if key == "resource"]
    if len(repeated) > 1:
        return repeated
    return [resource] if isinstance(resource, str) and resource.strip() else []
