"""Access and refresh token generators (DOT's ``ACCESS_TOKEN_GENERATOR`` and ``REFRESH_TOKEN_GENERATOR``).

oauthlib's default draws 30 characters one by one from ``SystemRandom``: one
``os.urandom`` call per character, about 60 µs per token, and 178 bits.
"""

import secrets


def generate_token(request=None, *args, **kwargs):
    """Return a token of 256 random bits, URL-safe base64 (43 characters; RFC 6750 section 2.1's b64token)."""
    return secrets.token_urlsafe(32)
