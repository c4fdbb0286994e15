"""Per-browser sessions kept in memory, keyed by a random cookie.

Nothing is stored in the cookie but a 256-bit random key; the session data
(the pending sign-in, the signed-in user) stays in this process and is lost on
restart, which is all a sample client needs.
"""

import secrets
import threading
import time

COOKIE_NAME = "sample_client_session"
IDLE_SECONDS = 60 * 60
MAX_SESSIONS = 10_000


class SessionStore:
    """A thread-safe dict of session dicts that expire after ``idle_seconds`` unused."""

    def __init__(self, idle_seconds=IDLE_SECONDS, max_sessions=MAX_SESSIONS):
        self.idle_seconds = idle_seconds
        self.max_sessions = max_sessions
        self._lock = threading.Lock()
        self._sessions = {}  # key -> (data dict, last used monotonic)

    def get(self, key):
        """Return the session dict for ``key``, or None if unknown or expired."""
        if not key:
            return None
        now = time.monotonic()
        with self._lock:
            entry = self._sessions.get(key)
            if entry is None or now - entry[1] > self.idle_seconds:
                self._sessions.pop(key, None)
                return None
            self._sessions[key] = (entry[0], now)
            return entry[0]

    def create(self):
        """Start an empty session; return ``(key, data)``."""
        key = secrets.token_urlsafe(32)
        data = {}
        with self._lock:
            self._prune()
            self._sessions[key] = (data, time.monotonic())
        return key, data

    def delete(self, key):
        """Forget the session ``key`` (sign-out)."""
        with self._lock:
            self._sessions.pop(key, None)

    def _prune(self):
        """Drop expired sessions, then the least recently used ones above the limit."""
        now = time.monotonic()
        for key in [key for key, (_data, used) in self._sessions.items() if now - used > self.idle_seconds]:
            del self._sessions[key]
        excess = len(self._sessions) - self.max_sessions + 1
        if excess > 0:
            oldest = sorted(self._sessions, key=lambda key: self._sessions[key][1])[:excess]
            for key in oldest:
                del self._sessions[key]


def session_cookie(key, *, secure=False):
    """Return the Set-Cookie value that stores ``key`` in the browser."""
    attributes = [f"{COOKIE_NAME}={key}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        attributes.append("Secure")
    return "; ".join(attributes)


def expired_cookie(*, secure=False):
    """Return the Set-Cookie value that removes the session cookie."""
    return session_cookie("", secure=secure) + "; Max-Age=0"
