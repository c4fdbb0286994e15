"""The field rules of an OAuth 2.0 application, in one place.

The model's ``clean()`` applies them; forms, serializers and the admin reach
them through the model (``full_clean``), so a rule changes here only.
"""

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from . import scopes as scope_registry
from .conf import app_settings

NAME_MAX_LENGTH = 64
DESCRIPTION_MAX_LENGTH = 512
HOMEPAGE_MAX_LENGTH = 256
ICON_URL_MAX_LENGTH = 512
# Mattermost's bound on all callback URLs together (joined by one separator).
CALLBACK_URLS_MAX_TOTAL_LENGTH = 1024

HOMEPAGE_MESSAGE = _("Homepage must be a valid URL and start with http:// or https://.")
ICON_URL_MESSAGE = _("Icon URL must be a valid URL and start with http:// or https://.")
CALLBACK_URL_MESSAGE = _("Callback URL must be a valid URL and start with http:// or https://.")

_http_url = URLValidator(schemes=["http", "https"])

# Unicode's explicit bidirectional formatting characters (UAX #9): embeddings and
# overrides U+202A-U+202E, isolates U+2066-U+2069, the marks U+200E, U+200F and
# U+061C. In a display name they reorder the text around them, so "Evil\u202eelgooG"
# reads as "EvilGoogle" on the consent page (CVE-2021-42574, "Trojan Source").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Line and paragraph separators break a name onto two lines as a newline would.
_LINE_SEPARATORS = ("Zl", "Zp")

NAME_CONTROL_MESSAGE = _("Display Name must not contain line breaks or other control characters.")
NAME_BIDI_MESSAGE = _("Display Name must not contain bidirectional text controls (such as right-to-left overrides).")
NAME_INVISIBLE_MESSAGE = _("Display Name must contain at least one visible character.")
DESCRIPTION_CONTROL_MESSAGE = _("Description must not contain control characters other than line breaks and tabs.")
DESCRIPTION_BIDI_MESSAGE = _(
    "Description must not contain bidirectional text controls (such as right-to-left overrides)."
)


def _is_http_url(value):
    if value != value.strip() or any(ch.isspace() for ch in value):
        return False
    try:
        _http_url(value)
    except ValidationError:
        return False
    return True


def _is_control(ch):
    return unicodedata.category(ch) == "Cc"


def _is_invisible(ch):
    # Whitespace, and format characters such as U+200B ZERO WIDTH SPACE, U+200D,
    # U+2060 WORD JOINER and U+FEFF: a name of only these looks empty or blank.
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def validate_name(value):
    """Refuse a display name that could spoof or break the pages that show it.

    No control character (category Cc: newline, tab, ...) nor line separator,
    no bidirectional formatting character, and at least one visible character.
    An empty name is left to the field's own ``blank`` rule.
    """
    errors = []
    if any(_is_control(ch) or unicodedata.category(ch) in _LINE_SEPARATORS for ch in value):
        errors.append(ValidationError(NAME_CONTROL_MESSAGE, code="control_character"))
    if any(ch in BIDI_CONTROLS for ch in value):
        errors.append(ValidationError(NAME_BIDI_MESSAGE, code="bidi_control"))
    if value and all(_is_invisible(ch) for ch in value):
        errors.append(ValidationError(NAME_INVISIBLE_MESSAGE, code="invisible"))
    if errors:
        raise ValidationError(errors)


def validate_description(value):
    """Refuse control characters other than line breaks (``\\n``, ``\\r\\n``) and tabs, and bidi controls."""
    errors = []
    if any(_is_control(ch) and ch not in "\n\t" for ch in value.replace("\r\n", "\n")):
        errors.append(ValidationError(DESCRIPTION_CONTROL_MESSAGE, code="control_character"))
    if any(ch in BIDI_CONTROLS for ch in value):
        errors.append(ValidationError(DESCRIPTION_BIDI_MESSAGE, code="bidi_control"))
    if errors:
        raise ValidationError(errors)


def validate_homepage(value):
    """Require an absolute http(s) URL."""
    if not _is_http_url(value):
        raise ValidationError(HOMEPAGE_MESSAGE, code="invalid_url")


def validate_icon_url(value):
    """Require an absolute http(s) URL (the field itself may be left empty)."""
    if value and not _is_http_url(value):
        raise ValidationError(ICON_URL_MESSAGE, code="invalid_url")


def validate_callback_urls(urls):
    """Check a list of callback URLs; raise one ValidationError listing every problem.

    Rules: at least one; each an absolute http(s) URL without a fragment
    (RFC 6749 section 3.1.2) nor credentials; plain http only for a loopback
    host unless ``MM_OAUTH["ALLOW_HTTP_CALLBACKS"]``; no duplicates; all
    together at most 1024 characters.
    """
    errors = []
    if not urls:
        raise ValidationError(_("At least one callback URL is required."), code="required")
    seen = set()
    for url in urls:
        if not _is_http_url(url):
            errors.append(ValidationError(CALLBACK_URL_MESSAGE, code="invalid_url"))
            continue
        if urlsplit(url).fragment or url.endswith("#"):
            # RFC 6749 section 3.1.2: the redirection endpoint URI MUST NOT include a fragment.
            errors.append(
                ValidationError(
                    _("Callback URL %(url)s must not contain a fragment (#)."), code="fragment", params={"url": url}
                )
            )
            continue
        if "@" in urlsplit(url).netloc:
            # Credentials never belong in a redirect URI (RFC 3986 section 3.2.1 deprecates
            # them in URLs), and "https://trusted.example@evil.example/" reads as the wrong host.
            errors.append(
                ValidationError(
                    _("Callback URL %(url)s must not contain a user name or password."),
                    code="userinfo",
                    params={"url": url},
                )
            )
            continue
        if not _secure_enough(url):
            errors.append(
                ValidationError(
                    _(
                        "Callback URL %(url)s must start with https://; plain http:// is allowed only for "
                        "loopback addresses (127.0.0.1, [::1], localhost)."
                    ),
                    code="insecure",
                    params={"url": url},
                )
            )
            continue
        if url in seen:
            errors.append(
                ValidationError(_("Callback URL %(url)s is listed twice."), code="duplicate", params={"url": url})
            )
        seen.add(url)
    total = len(" ".join(urls))
    if total > CALLBACK_URLS_MAX_TOTAL_LENGTH:
        errors.append(
            ValidationError(
                _("Callback URLs must be at most %(max)d characters in total (they are %(total)d)."),
                code="max_length",
                params={"max": CALLBACK_URLS_MAX_TOTAL_LENGTH, "total": total},
            )
        )
    if errors:
        raise ValidationError(errors)


def is_loopback_host(host):
    """Return whether ``host`` (a URL's hostname, brackets removed) names this machine's loopback interface.

    ``127.0.0.0/8``, ``::1`` and ``localhost`` (RFC 8252 sections 7.3 and 8.3).
    """
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.version == 4:
        return address in ipaddress.ip_network("127.0.0.0/8")
    return address == ipaddress.IPv6Address("::1")


def _secure_enough(url):
    # RFC 6749 section 3.1.2.1 wants TLS on the redirection endpoint; RFC 8252
    # section 8.3 excuses loopback redirects only, whose request never leaves the
    # device. Anywhere else the authorization code would travel in clear text.
    parts = urlsplit(url)
    return parts.scheme != "http" or is_loopback_host(parts.hostname) or app_settings.ALLOW_HTTP_CALLBACKS


def split_callback_urls(text):
    """Split a textarea's content (one URL per line) into a list, dropping blank lines."""
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- client ID metadata document hosts ----------------------------------------

# A DNS name (RFC 1123 labels), lower-cased before matching; "*." before it allows its subdomains.
_HOST_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST_PATTERN = re.compile(rf"(\*\.)?{_HOST_LABEL}(\.{_HOST_LABEL})*")
METADATA_HOSTS_FIELD = _("Client metadata document hosts")


def split_host_allowlist(text):
    """Return the allowlist's entries (one per line, lower-cased, blank lines dropped)."""
    return [line.strip().lower() for line in (text or "").splitlines() if line.strip()]


def validate_host_allowlist(text):
    """Require one host name per line, optionally with a leading ``*.``; name the field and line of each problem."""
    errors = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        entry = line.strip().lower()
        if entry and (len(entry) > 253 or not _HOST_PATTERN.fullmatch(entry)):
            errors.append(
                ValidationError(
                    _(
                        '%(field)s, line %(line)s: "%(entry)s" is not a host name. Write one host per line, '
                        'such as "client.example.com" or "*.example.com", without a scheme, port or path.'
                    ),
                    code="invalid_host",
                    params={"field": METADATA_HOSTS_FIELD, "line": number, "entry": line.strip()[:80]},
                )
            )
    if errors:
        raise ValidationError(errors)


def host_allowed(host, allowlist):
    """Return whether ``host`` matches an entry of ``allowlist`` (text, one entry per line).

    ``client.example.com`` matches that host only; ``*.example.com`` matches its
    subdomains at any depth, not ``example.com`` itself. An empty list matches nothing.
    """
    host = (host or "").lower().rstrip(".")
    if not host:
        return False
    for entry in split_host_allowlist(allowlist):
        if entry.startswith("*.") and host.endswith(entry[1:]):
            return True
        if entry == host:
            return True
    return False


def validate_scope_names(names):
    """Require every name in ``names`` to be a registered scope (``mm_oauth.scopes``); name the strangers."""
    unknown = scope_registry.unknown_scopes(names)
    if unknown:
        raise ValidationError(
            _("Unknown scope %(names)s. Registered scopes: %(known)s."),
            code="unknown_scope",
            params={
                "names": ", ".join(f'"{name}"' for name in unknown),
                "known": ", ".join(scope_registry.scope_names()),
            },
        )
