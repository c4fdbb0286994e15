"""Client ID metadata documents: an ``https`` client_id resolved to an application, by mm_oauth's rules.

draft-ietf-oauth-client-id-metadata-document lets a client use the URL of a
JSON document describing it as its ``client_id``. DOT 3.4.1 resolves such ids
(``oauth2_provider.cimd``) behind its static ``CIMD_ENABLED`` setting; mm_oauth
leaves that off and resolves them here instead, because its rules differ:

- the switch and the host allowlist are provider settings
  (``enable_client_id_metadata_documents``, ``client_metadata_document_hosts``),
  changed at run time and seen by every process;
- a refusal names its reason, which the authorize page shows (DOT's resolver
  turns every failure into an anonymous "unknown client");
- the application is built through mm_oauth's model rules (display name,
  callback URL rules, homepage, icon), never trusted, with no creator.

DOT's parts are kept: its URL checks, its document checks
(``_build_application_kwargs``: no ``client_secret``, ``redirect_uris``
required, authorization code only), its cap on fetches in flight, its failure
backoff, and ``registration_source``/``cimd_expires_at`` on the application.
"""

import hashlib
import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider import cimd
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from .. import validators
from ..conf import app_settings
from ..models.audit import AuditEvent
from ..models.provider_settings import get_provider_settings
from . import audit

logger = logging.getLogger("mm_oauth.client_metadata")

BACKOFF_PREFIX = "mm_oauth:cimd:failed:"
# Client authentication methods a document may ask for. DOT 3.4.1 authenticates
# no client by private_key_jwt (RFC 7523), so only public clients (with PKCE) remain.
AUTH_METHOD_NONE = "none"


class ClientMetadataProblem(Exception):
    """The client_id names a metadata document that cannot be used; the message says why."""


is_metadata_client_id = cimd.is_cimd_client_id


def enabled():
    """Return whether clients may identify themselves by a metadata document URL (the provider setting)."""
    return get_provider_settings().enable_client_id_metadata_documents


def resolve(client_id):
    """Return the application for the document URL ``client_id``, fetched or refreshed as needed.

    Return None while metadata documents are switched off (the id is then simply
    unknown). Raise ClientMetadataProblem when the host is not allowed or the
    document cannot be used.
    """
    config = get_provider_settings()
    if not config.enable_client_id_metadata_documents:
        return None
    host = urlsplit(client_id).hostname
    if not validators.host_allowed(host, config.client_metadata_document_hosts):
        raise ClientMetadataProblem(f"{host} is not among the hosts whose client metadata documents this site accepts.")
    Application = get_application_model()
    known = Application.objects.filter(client_id=client_id).first()
    if known is not None and known.registration_source != Application.RegistrationSource.CIMD:
        return known  # an application registered here with this id; a document never takes it over
    if known is not None and known.cimd_expires_at is not None and timezone.now() <= known.cimd_expires_at:
        return known
    return _fetch(client_id, known)


def _fetch(client_id, known):
    """Fetch and apply the document; on failure keep a known application's last good document."""
    cache = caches[app_settings.CIMD_CACHE_ALIAS]
    failed = cache.get(_backoff_key(client_id))
    if failed and known is None:
        raise ClientMetadataProblem(failed)
    if failed:
        return known
    with cimd._fetch_slot() as acquired:
        if not acquired:
            raise ClientMetadataProblem("Too many client metadata documents are being fetched; try again shortly.")
        try:
            document, max_age = oauth2_settings.CIMD_METADATA_FETCHER().fetch(client_id)
            return materialise(client_id, document, max_age)
        except cimd.CIMDError as exc:
            logger.info("Client metadata document %s refused: %s", client_id, exc)
            # DOT's backoff: a broken URL is not fetched again at once (the reason is kept, to show it again).
            cache.set(_backoff_key(client_id), str(exc), oauth2_settings.CIMD_FAILURE_BACKOFF_SECONDS)
            if known is not None:
                return known  # the spec forbids treating a transient failure as the document's new content
            raise ClientMetadataProblem(str(exc)) from None


def materialise(client_id, document, max_age):
    """Create or refresh the application that ``document`` describes; raise CIMDError if it is not acceptable."""
    application_fields(client_id, document)  # refuse before touching the database
    Application = get_application_model()
    try:
        with transaction.atomic():
            return _upsert(Application, client_id, document, max_age)
    except IntegrityError:
        # Two first requests for one URL at once: the other one created it.
        app = Application.objects.filter(client_id=client_id).first()
        if app is None or app.registration_source != Application.RegistrationSource.CIMD:
            raise cimd.CIMDError("The client_id is already used by another application.") from None
        return app


def _upsert(Application, client_id, document, max_age):
    app = Application.objects.select_for_update().filter(client_id=client_id).first()
    created = app is None
    if created:
        app = Application(client_id=client_id)
    elif app.registration_source != Application.RegistrationSource.CIMD:
        raise cimd.CIMDError("The client_id is already used by another application.")
    for name, value in application_fields(client_id, document).items():
        setattr(app, name, value)
    app.cimd_expires_at = timezone.now() + timedelta(seconds=max_age)
    try:
        # description stays empty (documents have none); client_id is server-controlled (the URL).
        app.full_clean(exclude=["client_secret", "description"], validate_unique=False)
    except ValidationError as exc:
        fields = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
        raise cimd.CIMDError(f"The metadata document is not acceptable here ({fields}).") from None
    app.save()
    if created:
        audit.record_for(AuditEvent.Action.APP_CREATED, app, changes={"registration_source": "cimd"})
    return app


def application_fields(client_id, document):
    """Return the application's fields from ``document`` (draft section 4.1); raise CIMDError if refused."""
    if document.get("client_id") != client_id:
        raise cimd.CIMDError(
            "The metadata document's client_id does not equal the URL it was fetched from "
            "(draft-ietf-oauth-client-id-metadata-document section 4.1)."
        )
    method = document.get("token_endpoint_auth_method", AUTH_METHOD_NONE)
    if method != AUTH_METHOD_NONE:
        raise cimd.CIMDError(
            f'token_endpoint_auth_method "{method}" is not supported: this site accepts metadata documents '
            'of public clients only ("none", with PKCE S256).'
        )
    if not isinstance(document.get("redirect_uris"), list) or not document["redirect_uris"]:
        raise cimd.CIMDError("The metadata document has no redirect_uris (a non-empty list is required).")
    try:
        fields = cimd._build_application_kwargs(document)
    except cimd.CIMDError as exc:
        raise cimd.CIMDError(f"The metadata document is not acceptable: {exc}.") from None
    Application = get_application_model()
    host = urlsplit(client_id).hostname
    return {
        **fields,
        "name": (fields["name"].strip() or host)[: validators.NAME_MAX_LENGTH],
        "homepage": _https_url(document.get("client_uri"), validators.HOMEPAGE_MAX_LENGTH) or client_id,
        "icon_url": _https_url(document.get("logo_uri"), validators.ICON_URL_MAX_LENGTH),
        "user": None,
        "is_trusted": False,
        "client_type": Application.CLIENT_PUBLIC,
        "registration_source": Application.RegistrationSource.CIMD,
    }


def _https_url(value, max_length):
    """Return ``value`` if it is an https URL with a host that fits the field, else "" (the document is not trusted)."""
    if not isinstance(value, str) or len(value) > max_length:
        return ""
    parts = urlsplit(value)
    return value if parts.scheme == "https" and parts.hostname else ""


def _backoff_key(client_id):
    return BACKOFF_PREFIX + hashlib.sha256(client_id.encode("utf-8")).hexdigest()
