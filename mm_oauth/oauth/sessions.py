"""When the person behind a session signed in: ``auth_time`` and ``max_age`` (OpenID Connect Core 1.0 section 3.1.2.1).

The time is written into the session by a ``user_logged_in`` receiver
(connected in ``MMOAuthConfig.ready``), not read from ``last_login``: that
column is shared by every session of the user, so a sign-in on another device
would make this session look fresh.
"""

import time

SESSION_KEY = "mm_oauth_auth_time"


def record_login_time(sender, request, user, **kwargs):
    """Note in the new session when the user signed in (seconds since the epoch)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = int(time.time())


def session_auth_time(request):
    """Return when the session's user signed in (seconds since the epoch), or None if unknown."""
    value = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return value if isinstance(value, int) else None


def login_too_old(request, max_age):
    """Return whether ``max_age`` (a string from the request, seconds) asks for a newer sign-in than this session's.

    A malformed ``max_age`` is ignored, as oauthlib ignores it; a session whose
    sign-in time is unknown (signed in before mm_oauth recorded it) is too old.
    """
    try:
        seconds = int(max_age)
    except (TypeError, ValueError):
        return False
    signed_in = session_auth_time(request)
    return seconds < 0 or signed_in is None or time.time() - signed_in > seconds
