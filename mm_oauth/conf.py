"""mm_oauth's own settings: one ``MM_OAUTH`` dict with documented defaults.

Read them through ``app_settings`` at call time (never in a class body or at
import), so ``override_settings`` works::

    from mm_oauth.conf import app_settings
    app_settings.SETTINGS_CACHE_SECONDS
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULTS = {
    # How long a worker process trusts its in-memory copy of the provider
    # settings (enable_provider, ...). A change made on one process reaches
    # every other process within this many seconds.
    "SETTINGS_CACHE_SECONDS": 2.0,
    # The Django cache shared by all processes (Redis, Memcached, database).
    # A process-local backend (LocMemCache, DummyCache) is skipped: the
    # database is read instead when the in-memory copy expires.
    "SETTINGS_CACHE_ALIAS": "default",
    # After a secret is regenerated, the previous secret keeps working for new
    # token requests this many seconds (0: it stops at once, as in Mattermost).
    "SECRET_ROTATION_GRACE_SECONDS": 0,
    # Accept plain http:// callback URLs for any host. Off, http:// is accepted
    # only for loopback hosts (127.0.0.0/8, [::1], localhost: RFC 8252 section
    # 8.3); everywhere else the authorization code would cross the network in
    # clear text (RFC 6749 section 3.1.2.1). For development sites only.
    "ALLOW_HTTP_CALLBACKS": False,
    # Email users when an application is authorized for their account for the
    # first time (a security notice, through Django's mail API).
    "NOTIFY_NEW_AUTHORIZATION": False,
    # Failed client authentications (a wrong client secret at the token,
    # revoke or introspect endpoint) allowed per client address within the
    # window; past it the address gets 429 with Retry-After until the window
    # ends. 0 turns the limit off. Counted in the cache named by
    # THROTTLE_CACHE_ALIAS: make it shared (Redis) so the count holds across
    # worker processes.
    "CLIENT_AUTH_FAILURE_LIMIT": 20,
    "CLIENT_AUTH_FAILURE_WINDOW_SECONDS": 300,
    "THROTTLE_CACHE_ALIAS": "default",
    # Dynamic client registration (RFC 7591 section 3 leaves abuse to the
    # server; its section 5 warns of clients registered in bulk): requests to
    # the registration endpoint allowed per client address within the window,
    # successful or not; past it, 429 with Retry-After. 0 turns the limit off.
    # Counted in THROTTLE_CACHE_ALIAS, like failed client authentications.
    "REGISTRATION_LIMIT": 10,
    "REGISTRATION_WINDOW_SECONDS": 3600,
    # Audit events older than this many days are deleted by
    # ``manage.py mm_oauth_clear_expired``. None keeps the audit trail forever.
    "AUDIT_RETENTION_DAYS": None,
    # This site's protected resources (RFC 8707 resource indicators; RFC 9728
    # metadata): absolute URLs, or paths on this site ("/api/v4/") made absolute
    # for the host a request came to. A ``resource`` parameter must be one of
    # them or lie beneath one, else ``invalid_target``. None: the site's API, at
    # the path ``mm_oauth.api.urls`` is mounted under (mm_oauth.resources).
    "RESOURCES": None,
    # --- Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document),
    # switched on by the provider setting enable_client_id_metadata_documents.
    # The fetch goes to a URL the client chooses, so it is bounded (section 6.6
    # of the draft recommends documents of about 5 KB) and refused for internal
    # addresses (server-side request forgery, section 6.5).
    "CIMD_MAX_DOCUMENT_BYTES": 5 * 1024,
    "CIMD_CONNECT_TIMEOUT_SECONDS": 2.0,
    "CIMD_READ_TIMEOUT_SECONDS": 3.0,
    # Documents are cached per their Cache-Control header (RFC 9111 section
    # 5.2.2: max-age; no-store is never cached), bounded below and above; a
    # document without max-age is kept for the minimum.
    "CIMD_CACHE_MIN_SECONDS": 60,
    "CIMD_CACHE_MAX_SECONDS": 24 * 60 * 60,
    "CIMD_CACHE_ALIAS": "default",
    # Fetch from loopback addresses (127.0.0.0/8, ::1) too: for tests and the
    # demo only. Private, link-local and other internal ranges stay refused.
    "CIMD_ALLOW_LOOPBACK": False,
    # A PEM file of CA certificates to verify document servers with instead of
    # the system's trust store (a private CA, or a test server's certificate).
    # TLS verification itself is never switched off.
    "CIMD_CA_BUNDLE": None,
    # The host's own scopes, added to mm_oauth's (``mm_oauth.scopes``): by name,
    # {"description": gettext_lazy("..."), "optional": bool, "default": bool}.
    # Optional scopes may be unticked on the consent page (RFC 6749 section 3.3
    # lets the server grant less than asked); default ones are granted when a
    # client asks for none.
    "SCOPES": {},
    # Mattermost's user object (``users/me``, ``users/{user_id}``, the OpenID
    # Connect claims): a dotted path to a callable taking a user and returning
    # the fields its model lacks (nickname, position, locale, timezone,
    # email_verified, ...). See ``mm_oauth.services.user_object``.
    "USER_FIELDS": "mm_oauth.services.user_object.default_user_fields",
}


class AppSettings:
    """Attribute access to ``settings.MM_OAUTH`` with defaults."""

    def __init__(self):
        self._cache = None

    def _load(self):
        if self._cache is None:
            user = getattr(settings, "MM_OAUTH", {}) or {}
            unknown = set(user) - set(DEFAULTS)
            if unknown:
                raise ImproperlyConfigured(
                    f"MM_OAUTH has unknown keys: {', '.join(sorted(unknown))}. Known keys: {', '.join(DEFAULTS)}."
                )
            self._cache = {**DEFAULTS, **user}
        return self._cache

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._load()[name]
        except KeyError:
            raise AttributeError(f"MM_OAUTH has no setting {name!r}") from None

    def reload(self):
        self._cache = None


app_settings = AppSettings()


@receiver(setting_changed)
def _reload_app_settings(*, setting, **kwargs):
    if setting == "MM_OAUTH":
        app_settings.reload()
