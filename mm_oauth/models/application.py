"""The OAuth 2.0 application: django-oauth-toolkit's model plus Mattermost's fields.

Swapped in with ``OAUTH2_PROVIDER_APPLICATION_MODEL = "mm_oauth.Application"``.
"""

from functools import partial
from urllib.parse import urlsplit

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication, redirect_to_uri_allowed
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from .. import validators
from ..errors import merge_messages
from .provider_settings import get_provider_settings, provider_enabled


class Application(AbstractApplication):
    """A third-party application registered on this site."""

    # Overrides DOT's blank, 255-character name: Mattermost's "Display Name".
    name = models.CharField(_("display name"), max_length=validators.NAME_MAX_LENGTH)
    description = models.CharField(_("description"), max_length=validators.DESCRIPTION_MAX_LENGTH)
    homepage = models.CharField(
        _("homepage"), max_length=validators.HOMEPAGE_MAX_LENGTH, validators=[validators.validate_homepage]
    )
    icon_url = models.CharField(
        _("icon URL"),
        max_length=validators.ICON_URL_MAX_LENGTH,
        blank=True,
        validators=[validators.validate_icon_url],
    )
    client_type = models.CharField(
        _("client type"),
        max_length=32,
        choices=AbstractApplication.CLIENT_TYPES,
        default=AbstractApplication.CLIENT_CONFIDENTIAL,
        help_text=_("Confidential clients keep a secret; public clients (mobile, single-page) use PKCE instead."),
    )
    # Only the authorization code grant is offered (the implicit grant is not: RFC 9700 section 2.1.2).
    authorization_grant_type = models.CharField(
        _("authorization grant type"),
        max_length=44,
        choices=AbstractApplication.GRANT_TYPES,
        default=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        editable=False,
    )
    is_trusted = models.BooleanField(
        _("is trusted"),
        default=False,
        help_text=_("Trusted applications sign users in without showing the consent page."),
    )

    # RFC 6749 section 3.3: the server decides which scopes a client may obtain.
    allowed_scopes = models.TextField(
        _("allowed scopes"),
        blank=True,
        help_text=_("Space-separated scope names the application may ask for; empty allows every registered scope."),
    )

    # An application the organization itself owns is approved for it automatically (F9).
    organization = models.ForeignKey(
        "mm_oauth.Organization",
        verbose_name=_("owning organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_apps",
    )
    # RFC 7591 section 2: how a client that registered itself said it authenticates at the token
    # endpoint ("client_secret_basic", "client_secret_post" or "none"), echoed back by RFC 7592
    # reads. The token endpoint accepts either secret method from any confidential client.
    token_endpoint_auth_method = models.CharField(
        _("token endpoint authentication method"), max_length=32, blank=True, default="", editable=False
    )
    # Zero-downtime secret rotation: the previous secret's hash, valid until then.
    previous_client_secret = models.CharField(_("previous client secret"), max_length=255, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )

    class Meta(AbstractApplication.Meta):
        verbose_name = _("OAuth 2.0 application")
        verbose_name_plural = _("OAuth 2.0 applications")
        permissions = [
            ("manage_oauth", _("Can manage own OAuth 2.0 applications")),
            ("manage_system_wide_oauth", _("Can manage every OAuth 2.0 application")),
        ]
        # The application lists page through every app by creation (migration 0005).
        indexes = [models.Index(fields=["created", "id"], name="mm_oauth_app_created_idx")]

    @property
    def callback_urls(self):
        """Return the registered redirect URIs as a list."""
        return self.redirect_uris.split()

    @callback_urls.setter
    def callback_urls(self, urls):
        self.redirect_uris = " ".join(urls)

    @property
    def scopes(self):
        """Return the scopes the application may ask for; an empty list allows every registered scope."""
        return self.allowed_scopes.split()

    @scopes.setter
    def scopes(self, names):
        self.allowed_scopes = " ".join(dict.fromkeys(names))

    def allows_scopes(self, names):
        """Return whether the application may obtain every scope in ``names``."""
        allowed = self.scopes
        return not allowed or set(names) <= set(allowed)

    @property
    def is_public(self):
        return self.client_type == AbstractApplication.CLIENT_PUBLIC

    @property
    def jwk_key(self):
        """The key that signs this application's ID tokens: the site's RSA key (RS256), for every app.

        DOT's alternative, HS256 with the client secret as the HMAC key, cannot
        work with secrets stored hashed.
        """
        if not oauth2_settings.OIDC_RSA_PRIVATE_KEY:
            raise ImproperlyConfigured("OpenID Connect needs OAUTH2_PROVIDER['OIDC_RSA_PRIVATE_KEY'] (mm_oauth.E007).")
        return jwk_from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY)

    def previous_secret_matches(self, secret):
        """Return whether ``secret`` is the previous secret, still inside its grace period."""
        if not self.previous_client_secret or self.previous_secret_expires_at is None:
            return False
        if self.previous_secret_expires_at <= timezone.now():
            return False
        return check_password(secret, self.previous_client_secret)

    def clean(self):
        errors = {}
        rules = (
            ("name", validators.validate_name, self.name),
            ("description", validators.validate_description, self.description),
            ("redirect_uris", partial(validators.validate_callback_urls, public=self.is_public), self.callback_urls),
            ("allowed_scopes", validators.validate_scope_names, self.scopes),
        )
        for field, validate, value in rules:
            try:
                validate(value)
            except ValidationError as exc:
                errors[field] = exc.messages
        if self.authorization_grant_type != AbstractApplication.GRANT_AUTHORIZATION_CODE:
            errors["authorization_grant_type"] = [_("Only the authorization code grant is offered.")]
        try:
            super().clean()
        except ValidationError as exc:
            merge_messages(errors, exc)
        if errors:
            raise ValidationError(errors)

    @property
    def is_dynamically_registered(self):
        """Return whether the client registered itself (RFC 7591) rather than being added by a person."""
        return self.registration_source == AbstractApplication.RegistrationSource.DCR

    def get_allowed_schemes(self):
        """Allow a public client's own private-use URI schemes besides http(s) (RFC 8252 section 7.1).

        DOT checks redirect URIs against these when saving and before redirecting.
        """
        schemes = list(oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES)
        if self.is_public:
            private = {urlsplit(url).scheme.lower() for url in self.callback_urls if validators.is_private_use_uri(url)}
            schemes += sorted(private - set(schemes) - validators.FORBIDDEN_SCHEMES)
        return schemes

    def save(self, *args, **kwargs):
        # DOT's own views read skip_authorization; keep it in step with is_trusted.
        self.skip_authorization = self.is_trusted
        if self.is_public:
            # A public client has no secret (RFC 6749 section 2.1); store none,
            # rather than a hash of the empty string.
            self.client_secret = ""
            self.hash_client_secret = False
        super().save(*args, **kwargs)

    def redirect_uri_allowed(self, uri):
        """Match ``uri`` as DOT does, but hold a confidential client's loopback callbacks to their port.

        RFC 8252 section 7.3 lets a native app (a public client) pick any port on
        the loopback interface at request time; DOT allows that for every client.
        A confidential client runs on a server: any other process on that host
        could listen on another port and receive its code, so the port must match.
        """
        if not super().redirect_uri_allowed(uri):
            return False
        if self.is_public:
            return True
        same_port = [url for url in self.callback_urls if not _loopback_on_another_port(url, uri)]
        return redirect_to_uri_allowed(uri, same_port)

    def is_usable(self, request):
        """Refuse every use of any application while the provider is switched off (F1).

        An application described by a client ID metadata document is refused
        too while metadata documents are switched off: its client_id is unknown then.
        """
        if self.registration_source == self.RegistrationSource.CIMD:
            return provider_enabled() and get_provider_settings().enable_client_id_metadata_documents
        return provider_enabled()

    @property
    def from_metadata_document(self):
        """Whether this application is described by a client ID metadata document (its client_id is the URL)."""
        return self.registration_source == self.RegistrationSource.CIMD

    @property
    def metadata_document_host(self):
        """The host a metadata document was fetched from (its client_id's), or "" for other applications."""
        return (urlsplit(self.client_id).hostname or "") if self.from_metadata_document else ""

    @property
    def homepage_host(self):
        """The homepage's host: all the consent page shows of an unverified document's client_uri."""
        return urlsplit(self.homepage).hostname or ""


def _loopback_on_another_port(registered, uri):
    """Return whether ``registered`` is an http loopback callback on a port other than ``uri``'s."""
    registered_parts, requested = urlsplit(registered), urlsplit(uri)
    if registered_parts.scheme != "http" or not validators.is_loopback_host(registered_parts.hostname):
        return False
    try:
        return registered_parts.port != requested.port
    except ValueError:  # a port that is not a number matches nothing
        return True
