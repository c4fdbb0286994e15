"""The provider settings singleton, and reading it cached across requests and processes.

Like ``django.contrib.sites``' ``SITE_CACHE``, the cached read lives beside
the model; changing the settings (audited, signalled) is
``mm_oauth.services.provider_settings.update_provider_settings``.

Reading costs no database query while warm. Three layers, checked in order:

1. this process's memory, trusted for ``MM_OAUTH["SETTINGS_CACHE_SECONDS"]``
   (default 2 s);
2. the shared Django cache named by ``MM_OAUTH["SETTINGS_CACHE_ALIAS"]``, which
   ``update_provider_settings`` writes through (skipped when that backend is
   process-local, such as LocMemCache);
3. the database.

So a change made on any worker reaches every worker of every process within
``SETTINGS_CACHE_SECONDS``.

The shared cache speeds reads up but is never required. When it fails (Redis
stopped or restarting), reads fall back to the database and changes still
commit; the ``mm_oauth.provider_settings`` logger warns at most once
every ``WARNING_INTERVAL`` seconds per process. A process whose cache call
failed stops trusting the shared copy until it has overwritten it (or deleted it)
from the database: once the cache answers again, a copy from before a change made
during the outage is replaced on that process's next read, and in any case expires
``SHARED_CACHE_TIMEOUT`` seconds after it was written. So while the cache is down,
a change reaches every process within ``SETTINGS_CACHE_SECONDS`` (all of them read
the database); around a cache that was down only for some processes, or came back
with its old data, within ``SHARED_CACHE_TIMEOUT + SETTINGS_CACHE_SECONDS``.

An unreachable Redis fails at once; one that stops answering holds the request
until the client's socket timeout, so hosts should set short ones (redis-py's
``socket_connect_timeout`` and ``socket_timeout`` in the cache's ``OPTIONS``).
"""

import logging
import threading
from dataclasses import dataclass, fields
from time import monotonic

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import validators
from ..conf import app_settings
from ..validators import validate_redirect_uri_allowlist


class ProviderSettings(models.Model):
    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    enable_provider = models.BooleanField(
        _("enable OAuth 2.0 service provider"),
        default=False,
        help_text=_("When off, every OAuth endpoint and app-management page answers 501 and tokens are refused."),
    )
    restrict_to_admins = models.BooleanField(
        _("restrict app registration to admins"),
        default=True,
        help_text=_("When on, only admins may register OAuth 2.0 applications."),
    )
    allow_username_override = models.BooleanField(
        _("allow integrations to override usernames"),
        default=False,
    )
    allow_icon_override = models.BooleanField(
        _("allow integrations to override profile picture icons"),
        default=False,
    )
    # Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document).
    enable_client_id_metadata_documents = models.BooleanField(
        _("enable client ID metadata documents"),
        default=False,
        help_text=_(
            "When on, a client whose client_id is an https URL on an allowed host is described by the "
            "JSON document at that URL, without registering."
        ),
    )
    client_metadata_document_hosts = models.TextField(
        _("client metadata document hosts"),
        blank=True,
        default="",
        validators=[validators.validate_host_allowlist],
        help_text=_(
            "Hosts whose metadata documents are fetched, one per line; *.example.com allows its subdomains. "
            "Empty: none."
        ),
    )
    # RFC 7591: clients (AI agents, MCP clients) register themselves at POST /api/v4/oauth/apps/register.
    enable_dynamic_client_registration = models.BooleanField(
        _("enable dynamic client registration"),
        default=False,
        help_text=_(
            "When on, anyone may register an OAuth 2.0 client at /api/v4/oauth/apps/register (RFC 7591); "
            "such clients are never trusted and need each user's consent."
        ),
    )
    registration_redirect_uri_allowlist = models.TextField(
        _("redirect URI allowlist for dynamic client registration"),
        blank=True,
        default="",
        validators=[validate_redirect_uri_allowlist],
        help_text=_(
            "One pattern per line, matched by parts: scheme, host (a leading *. allows any subdomain), port, "
            "path prefix. Examples: https://app.example.com/callback, https://*.example.com/, "
            "com.example.app:/. Loopback redirects (http://127.0.0.1 and http://[::1], any port) are always "
            "allowed; with an empty list, only they are."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("OAuth 2.0 provider settings")
        verbose_name_plural = _("OAuth 2.0 provider settings")

    FLAGS = ("enable_provider", "restrict_to_admins", "allow_username_override", "allow_icon_override")
    FLAGS += ("enable_client_id_metadata_documents", "enable_dynamic_client_registration")
    # Settings held as text (validated by their field's validators), beside the on/off flags.
    TEXT_SETTINGS = ("client_metadata_document_hosts", "registration_redirect_uri_allowlist")

    def __str__(self):
        return str(_("OAuth 2.0 provider settings"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    def as_dict(self):
        return {name: getattr(self, name) for name in self.FLAGS + self.TEXT_SETTINGS}


PROVIDER_DISABLED_MESSAGE = _("The system admin has turned off the OAuth 2.0 service provider.")
CACHE_KEY = "mm_oauth:provider_settings:v1"
# Write-through keeps the shared copy current; the timeout bounds how long a raw
# database edit (bypassing update_provider_settings), or a change whose
# write-through failed, can go unnoticed by processes that read the shared copy.
SHARED_CACHE_TIMEOUT = 30
# A broken cache fails every few seconds in every process: one warning per
# process per interval says so without flooding the logs.
WARNING_INTERVAL = 60

logger = logging.getLogger("mm_oauth.provider_settings")


@dataclass(frozen=True)
class ProviderConfig:
    """An immutable snapshot of the provider settings."""

    enable_provider: bool = False
    restrict_to_admins: bool = True
    allow_username_override: bool = False
    allow_icon_override: bool = False
    enable_client_id_metadata_documents: bool = False
    client_metadata_document_hosts: str = ""
    enable_dynamic_client_registration: bool = False
    registration_redirect_uri_allowlist: str = ""


_lock = threading.Lock()
_memo = None  # (ProviderConfig, expires_at monotonic)
_clock = monotonic  # this module's clock (tests drive it by hand)
_distrust_shared = False  # a shared-cache call failed: the shared copy may predate a change
_warned_at = None  # when the last cache failure was logged, by _clock


def _shared_cache():
    cache = caches[app_settings.SETTINGS_CACHE_ALIAS]
    if isinstance(cache, (LocMemCache, DummyCache)):
        return None
    return cache


def _call_shared(method, *args, **kwargs):
    """Call ``method`` of the shared cache; return its result (None when it raised or there is none).

    Any exception counts: Django's cache backends share no error class (RedisCache
    raises redis-py's ConnectionError, PyMemcacheCache pymemcache's errors).
    """
    global _distrust_shared
    cache = _shared_cache()
    if cache is None:
        _distrust_shared = False
        return None
    try:
        result = getattr(cache, method)(*args, **kwargs)
    except Exception as exc:
        _distrust_shared = True
        _warn_cache_failed(method, exc)
        return None
    if method != "get":
        _distrust_shared = False  # the shared copy now holds the database's value, or nothing
    return result


def _warn_cache_failed(method, exc):
    global _warned_at
    now = _clock()
    if _warned_at is not None and now - _warned_at < WARNING_INTERVAL:
        return
    _warned_at = now
    logger.warning(
        "Shared cache %r failed (%s: %s) on %s; reading provider settings from the database.",
        app_settings.SETTINGS_CACHE_ALIAS,
        type(exc).__name__,
        exc,
        method,
    )


def _read_shared():
    """Return the shared copy, or None when there is none, it failed, or it cannot be trusted."""
    if _distrust_shared:
        return None
    cached = _call_shared("get", CACHE_KEY)
    if not isinstance(cached, dict):
        return None
    # A copy written by another version of mm_oauth (a rolling deploy) may lack settings or hold others.
    known = {field.name for field in fields(ProviderConfig)}
    return ProviderConfig(**{name: value for name, value in cached.items() if name in known})


def _write_shared(config):
    _call_shared("set", CACHE_KEY, config.__dict__.copy(), timeout=SHARED_CACHE_TIMEOUT)


def _load_from_db():
    row = ProviderSettings.objects.filter(pk=ProviderSettings.SINGLETON_PK).first()
    return ProviderConfig(**row.as_dict()) if row else ProviderConfig()


def get_provider_settings():
    """Return the current ProviderConfig; at most SETTINGS_CACHE_SECONDS stale."""
    global _memo
    memo = _memo
    now = _clock()
    if memo is not None and now < memo[1]:
        return memo[0]
    config = _read_shared()
    if config is None:
        config = _load_from_db()
        _write_shared(config)
    with _lock:
        _memo = (config, now + float(app_settings.SETTINGS_CACHE_SECONDS))
    return config


def provider_enabled():
    """Return whether the OAuth 2.0 service provider is switched on."""
    return get_provider_settings().enable_provider


def registration_enabled():
    """Return whether clients may register themselves (RFC 7591)."""
    return get_provider_settings().enable_dynamic_client_registration


def _forget():
    """Drop this process's copy and the shared copy; the next read goes to the database."""
    global _memo
    with _lock:
        _memo = None
    _call_shared("delete", CACHE_KEY)


clear_cache = _forget  # for tests, and after editing the table by hand


def publish(row):
    """Write ``row`` through to this process's memory and the shared cache (a failure there is logged)."""
    global _memo
    config = ProviderConfig(**row.as_dict())
    with _lock:
        _memo = (config, _clock() + float(app_settings.SETTINGS_CACHE_SECONDS))
    _write_shared(config)
