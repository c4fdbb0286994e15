"""Refuse a client address that keeps failing to authenticate (429 with ``Retry-After``).

Failures are counted per client address in a fixed window, in the Django cache
named by ``MM_OAUTH["THROTTLE_CACHE_ALIAS"]``: a shared cache (Redis) makes
the count hold across every worker process and node. Counting per address,
not per client ID or username, means somebody guessing a client's secret (or
a person's password) from their own machine never locks out the real client
or person elsewhere.

The client endpoints (token, revoke, introspect) count failed client
authentication; a host counts its login page the same way::

    from mm_oauth.throttling import FailureThrottle

    login_failures = FailureThrottle("login", limit=10, window=300)

When the cache itself fails, nothing is refused (and a warning is logged): a
cache outage must not take sign-in down with it.
"""

import logging
import math
import time

from django.core.cache import caches

from .conf import app_settings
from .services.audit import client_address

logger = logging.getLogger("mm_oauth.throttling")
# A broken cache fails on every attempt: one warning per process per interval says so.
WARNING_INTERVAL = 60
_warned_at = None


def _warn_cache_failed(message, *args):
    global _warned_at
    now = time.monotonic()
    if _warned_at is not None and now - _warned_at < WARNING_INTERVAL:
        return
    _warned_at = now
    logger.warning(message, *args, exc_info=True)


class FailureThrottle:
    """Count failures of one kind per client address; refuse past ``limit`` within ``window`` seconds.

    ``limit`` and ``window`` may be callables, read at each use (so they can
    follow settings).
    """

    def __init__(self, scope, *, limit, window):
        self.scope = scope
        self._limit = limit
        self._window = window

    @property
    def limit(self):
        return int(self._limit() if callable(self._limit) else self._limit)

    @property
    def window(self):
        return int(self._window() if callable(self._window) else self._window)

    def _keys(self, request):
        address = client_address(request) or "unknown"
        base = f"mm_oauth:throttle:{self.scope}:{address}"
        return f"{base}:count", f"{base}:since"

    def retry_after(self, request):
        """Return how many seconds ``request``'s address must wait, or None when it may go on."""
        if self.limit <= 0:
            return None
        count_key, since_key = self._keys(request)
        try:
            values = caches[app_settings.THROTTLE_CACHE_ALIAS].get_many([count_key, since_key])
        except Exception:  # the cache is down: let the request through
            _warn_cache_failed("Throttle cache unavailable; %s attempts are not limited.", self.scope)
            return None
        if values.get(count_key, 0) < self.limit:
            return None
        since = values.get(since_key, time.time())
        return max(1, math.ceil(since + self.window - time.time()))

    def note_failure(self, request):
        """Count one failure from ``request``'s address."""
        if self.limit <= 0:
            return
        count_key, since_key = self._keys(request)
        cache = caches[app_settings.THROTTLE_CACHE_ALIAS]
        try:
            cache.add(since_key, time.time(), self.window)
            cache.add(count_key, 0, self.window)
            cache.incr(count_key)
        except ValueError:  # the window ended between add() and incr()
            pass
        except Exception:
            _warn_cache_failed("Throttle cache unavailable; a failed %s attempt was not counted.", self.scope)


class AttemptThrottle(FailureThrottle):
    """Count every attempt of one kind per client address, not only failures (registrations, say)."""

    def note_attempt(self, request):
        """Count one attempt from ``request``'s address."""
        self.note_failure(request)


client_authentication_failures = FailureThrottle(
    "client_auth",
    limit=lambda: app_settings.CLIENT_AUTH_FAILURE_LIMIT,
    window=lambda: app_settings.CLIENT_AUTH_FAILURE_WINDOW_SECONDS,
)

# RFC 7591 registration is open to anyone: each address may register only so many clients per window.
registration_attempts = AttemptThrottle(
    "registration",
    limit=lambda: app_settings.REGISTRATION_LIMIT,
    window=lambda: app_settings.REGISTRATION_WINDOW_SECONDS,
)
