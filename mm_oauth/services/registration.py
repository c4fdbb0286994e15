"""Clients that register themselves (RFC 7591) and read, change or delete that registration (RFC 7592).

The endpoint is open to anyone while ``enable_dynamic_client_registration``
is on, so everything a client sends is held to the rules of an application
registered by hand (``mm_oauth.validators``, ``Application.clean``) and to the
site's redirect-URI allowlist. A registered client has no creator, is never
trusted (every user sees the consent page), and is listed with everyone's
applications for system-wide managers, who may delete it.

Metadata (RFC 7591 section 2) maps onto the application like this:
``client_name`` is the display name, ``client_uri`` the homepage (by default
the origin of the first http(s) redirect URI), ``logo_uri`` the icon,
``redirect_uris`` the callback URLs, ``token_endpoint_auth_method`` the client
type (``none``: public, PKCE required). Unknown metadata is ignored.

Errors are ``RegistrationError``: RFC 7591 section 3.2.2's ``error`` code and
a description naming the metadata field and the rule. Nothing is saved then.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.models import AbstractApplication, get_application_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views.dynamic_client_registration import _issue_registration_token

from .. import signals, validators
from ..errors import messages_by_field
from ..models.audit import AuditEvent
from ..models.provider_settings import get_provider_settings
from . import audit
from .applications import delete_application, describe, update_application, validate_fields

DCR = AbstractApplication.RegistrationSource.DCR
DEFAULT_CLIENT_NAME = "Dynamically registered client"
DESCRIPTION = "Registered itself through dynamic client registration (RFC 7591)."
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
GRANT_TYPES = ("authorization_code", "refresh_token")
RESPONSE_TYPES = ("code",)
# The application's field names as RFC 7591 names them, for error descriptions.
METADATA_NAMES = {
    "name": "client_name",
    "homepage": "client_uri",
    "icon_url": "logo_uri",
    "redirect_uris": "redirect_uris",
    "client_type": "token_endpoint_auth_method",
}

INVALID_REDIRECT_URI = "invalid_redirect_uri"
INVALID_CLIENT_METADATA = "invalid_client_metadata"


class RegistrationError(Exception):
    """Refused metadata: ``error`` is RFC 7591 section 3.2.2's code, ``description`` names field and rule."""

    def __init__(self, error, description):
        super().__init__(description)
        self.error = error
        self.description = description


def register_client(metadata, *, request=None):
    """Register a client from its RFC 7591 ``metadata``; return ``(app, client_secret, registration_token)``.

    The secret (``""`` for a public client) and the registration access token
    are returned in plain text only now; the database keeps their hashes.
    Raises RegistrationError and saves nothing when the metadata breaks a rule.
    """
    fields, auth_method = parse_metadata(metadata)
    Application = get_application_model()
    app = Application(
        user=None,
        is_trusted=False,  # never, whatever the client sent (RFC 7591 section 5: metadata is self-asserted)
        registration_source=DCR,
        token_endpoint_auth_method=auth_method,
        description=DESCRIPTION,
        **{name: value for name, value in fields.items() if name not in ("callback_urls", "scopes")},
    )
    app.callback_urls = fields["callback_urls"]
    app.scopes = fields["scopes"]
    secret = "" if app.is_public else app.client_secret  # DOT's generated default, hashed on save
    check_fields(app, fields["callback_urls"], fields["scopes"])
    with transaction.atomic():
        app.save()
        registration_token = _issue_registration_token(app, None)
        changes = {**describe(app), "token_endpoint_auth_method": auth_method}
        audit.record_for(AuditEvent.Action.APP_REGISTERED, app, request=request, changes=changes)
    signals.app_created.send(sender=Application, app=app, actor=None, request=request)
    return app, secret, registration_token


def update_registered_client(app, metadata, *, request=None):
    """Replace a registered client's metadata (RFC 7592 section 2.2); return what changed.

    Every rule applies again. The client type is fixed: a confidential client
    may switch between the two secret methods, not become public.
    """
    fields, auth_method = parse_metadata(metadata)
    if metadata.get("client_id", app.client_id) != app.client_id:
        raise RegistrationError(INVALID_CLIENT_METADATA, "client_id: must be this client's own (RFC 7592 section 2.2).")
    if fields.pop("client_type") != app.client_type:
        raise RegistrationError(
            INVALID_CLIENT_METADATA,
            "token_endpoint_auth_method: a client cannot change between public (none) and confidential; "
            "register a new client instead.",
        )
    _check_allowlist(fields["callback_urls"])
    with transaction.atomic():
        try:
            changed = update_application(app, request=request, **fields)
        except ValidationError as exc:
            raise _as_registration_error(exc) from None
        if app.token_endpoint_auth_method != auth_method:
            changed["token_endpoint_auth_method"] = [app.token_endpoint_auth_method, auth_method]
            type(app).objects.filter(pk=app.pk).update(token_endpoint_auth_method=auth_method)
            app.token_endpoint_auth_method = auth_method
    return changed


def delete_registered_client(app, *, request=None):
    """Delete a registered client with every token, code and authorization of it (RFC 7592 section 2.3)."""
    return delete_application(app, request=request)


def parse_metadata(metadata):
    """Return ``(application fields, token_endpoint_auth_method)`` from RFC 7591 metadata; raise RegistrationError."""
    if not isinstance(metadata, dict):
        raise RegistrationError(INVALID_CLIENT_METADATA, "The request body must be a JSON object.")
    auth_method = _one_of(metadata, "token_endpoint_auth_method", AUTH_METHODS, "client_secret_basic")
    _subset(metadata, "grant_types", GRANT_TYPES, ["authorization_code"], required="authorization_code")
    _subset(metadata, "response_types", RESPONSE_TYPES, ["code"], required="code")
    _check_scope(metadata.get("scope"))
    callback_urls = _redirect_uris(metadata)
    fields = {
        "name": _text(metadata, "client_name") or DEFAULT_CLIENT_NAME,
        "homepage": _text(metadata, "client_uri") or _homepage_from(callback_urls),
        "icon_url": _text(metadata, "logo_uri"),
        "callback_urls": callback_urls,
        "client_type": AbstractApplication.CLIENT_PUBLIC if auth_method == "none" else "confidential",
        # RFC 7591 section 2 "scope": what the client may ask for; absent, every registered scope.
        "scopes": (metadata.get("scope") or "").split(),
    }
    return fields, auth_method


def check_fields(app, callback_urls, scopes=None):
    """Apply the application's field rules, then the site's allowlist, to a client registering itself."""
    try:
        validate_fields(app, callback_urls, scopes)
    except ValidationError as exc:
        raise _as_registration_error(exc) from None
    _check_allowlist(callback_urls)


def _as_registration_error(exc):
    messages = messages_by_field(exc, METADATA_NAMES, "client_metadata")
    error = INVALID_REDIRECT_URI if "redirect_uris" in messages else INVALID_CLIENT_METADATA
    return RegistrationError(error, "; ".join(f"{field}: {' '.join(texts)}" for field, texts in messages.items()))


def _check_allowlist(callback_urls):
    allowlist = get_provider_settings().registration_redirect_uri_allowlist
    for url in callback_urls:
        if not validators.registration_redirect_allowed(url, allowlist):
            raise RegistrationError(
                INVALID_REDIRECT_URI,
                f"redirect_uris: {url} may not be registered dynamically on this site. Allowed are loopback "
                "redirects (http://127.0.0.1 or http://[::1], any port) and URIs matching the site's "
                "redirect URI allowlist.",
            )


def _redirect_uris(metadata):
    uris = metadata.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(uri, str) for uri in uris):
        raise RegistrationError(
            INVALID_REDIRECT_URI, "redirect_uris: required, a non-empty JSON array of strings (RFC 7591 section 2)."
        )
    return list(uris)


def _homepage_from(callback_urls):
    """Return the origin of the first http(s) callback, shown as the homepage when ``client_uri`` is absent."""
    for url in callback_urls:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc and "@" not in parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    raise RegistrationError(
        INVALID_CLIENT_METADATA,
        "client_uri: required when no redirect URI is an http(s) URL; users see it as the application's homepage.",
    )


def _text(metadata, name):
    value = metadata.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RegistrationError(INVALID_CLIENT_METADATA, f"{name}: must be a string.")
    return value.strip()


def _one_of(metadata, name, allowed, default):
    value = metadata.get(name, default)
    if value not in allowed:
        raise RegistrationError(
            INVALID_CLIENT_METADATA, f"{name}: {value!r} is not supported; use one of {', '.join(allowed)}."
        )
    return value


def _subset(metadata, name, allowed, default, *, required):
    values = metadata.get(name, default)
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise RegistrationError(INVALID_CLIENT_METADATA, f"{name}: must be a JSON array of strings.")
    unsupported = sorted(set(values) - set(allowed))
    if unsupported:
        raise RegistrationError(
            INVALID_CLIENT_METADATA,
            f"{name}: {', '.join(unsupported)} not supported; this site offers only {', '.join(allowed)}.",
        )
    if required not in values:
        raise RegistrationError(INVALID_CLIENT_METADATA, f"{name}: must include {required}.")


def _check_scope(scope):
    """Check each requested scope name against the site's scopes (RFC 7591 section 2: space-separated)."""
    if scope is None:
        return
    if not isinstance(scope, str):
        raise RegistrationError(INVALID_CLIENT_METADATA, "scope: must be a string of space-separated scope names.")
    available = set(oauth2_settings.SCOPES_BACKEND_CLASS().get_all_scopes())
    unknown = sorted(set(scope.split()) - available)
    if unknown:
        raise RegistrationError(
            INVALID_CLIENT_METADATA,
            f"scope: unknown scope {', '.join(unknown)}; this site offers {', '.join(sorted(available))}.",
        )
