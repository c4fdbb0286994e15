"""The field rules of an OAuth 2.0 application, in one place.

The model's ``clean()`` applies them; forms, serializers and the admin reach
them through the model (``full_clean``), so a rule changes here only.
"""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
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
# The field's label wherever a person types callback URLs: the pages and the admin.
CALLBACK_URLS_LABEL = _("Callback URLs, one per line")
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


def validate_callback_urls(urls, *, public=False, line_numbers=None):
    """Check a list of callback URLs; raise one ValidationError listing every problem.

    Rules: at least one; each an absolute http(s) URL without a fragment
    (RFC 6749 section 3.1.2) nor credentials; plain http only for a loopback
    host unless ``MM_OAUTH["ALLOW_HTTP_CALLBACKS"]``; no duplicates; all
    together at most 1024 characters. A ``public`` client (a native app) may
    also use a private-use URI scheme (RFC 8252 section 7.1, see
    ``private_use_scheme_error``). ``line_numbers``, one per URL, makes each
    URL's error name its line of the form's field ("Line 2: ...").
    """
    if not urls:
        raise ValidationError(_("At least one callback URL is required."), code="required")
    errors = []
    seen = set()
    for index, url in enumerate(urls):
        if problem := callback_url_error(url, seen, public=public):
            errors.append(on_line(problem, line_numbers[index]) if line_numbers else problem)
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


def validate_callback_lines(text, *, public=False):
    """Check a form field's callback URLs, one per line; return them as a list.

    Blank lines are dropped; every error about one URL names its line as the
    person sees it, blank lines counted ("Line 3: ...").
    """
    numbered = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    urls = [url for _number, url in numbered]
    validate_callback_urls(urls, public=public, line_numbers=[number for number, _url in numbered])
    return urls


def on_line(error, number):
    """Return ``error`` prefixed with the line of the field it concerns."""
    return ValidationError(
        _("Line %(line)d: %(message)s"), code=error.code, params={"line": number, "message": error.messages[0]}
    )


def callback_url_error(url, seen, *, public=False):
    """Return the ValidationError of one callback URL (``seen``: the URLs before it), or None."""
    if public and is_private_use_uri(url):
        return private_use_scheme_error(url) or _duplicate_error(url, seen)
    if not _is_http_url(url):
        return ValidationError(CALLBACK_URL_MESSAGE, code="invalid_url")
    parts = urlsplit(url)
    if parts.fragment or url.endswith("#"):
        # RFC 6749 section 3.1.2: the redirection endpoint URI MUST NOT include a fragment.
        return ValidationError(
            _("Callback URL %(url)s must not contain a fragment (#)."), code="fragment", params={"url": url}
        )
    if "@" in parts.netloc:
        # Credentials never belong in a redirect URI (RFC 3986 section 3.2.1 deprecates
        # them in URLs), and "https://trusted.example@evil.example/" reads as the wrong host.
        return ValidationError(
            _("Callback URL %(url)s must not contain a user name or password."), code="userinfo", params={"url": url}
        )
    if not _secure_enough(url):
        return ValidationError(
            _(
                "Callback URL %(url)s must start with https://; plain http:// is allowed only for "
                "loopback addresses (127.0.0.1, [::1], localhost)."
            ),
            code="insecure",
            params={"url": url},
        )
    return _duplicate_error(url, seen)


def _duplicate_error(url, seen):
    if url in seen:
        return ValidationError(_("Callback URL %(url)s is listed twice."), code="duplicate", params={"url": url})
    return None


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


# RFC 3986 section 3.1: a scheme is a letter followed by letters, digits, "+", "-" or ".".
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
# Schemes that run or read something in the browser itself: never a redirect target.
FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "file", "vbscript", "about", "blob", "filesystem"})
PRIVATE_USE_MESSAGE = _(
    "Callback URL %(url)s: a native app's private-use scheme must be a reverse domain name with a dot, "
    "followed by a single slash and a path, such as com.example.app:/callback (RFC 8252 section 7.1)."
)


def is_private_use_uri(url):
    """Return whether ``url`` names a scheme other than http(s), which only a native app may register."""
    scheme = urlsplit(url).scheme.lower() if ":" in url else ""
    return bool(scheme) and scheme not in ("http", "https")


def private_use_scheme_error(url):
    """Return the ValidationError of a private-use URI scheme redirect (RFC 8252 section 7.1), or None.

    The scheme is a reverse domain name (it holds a dot, so it cannot be
    ``javascript:``, ``data:`` or ``file:``, which are refused by name too);
    no authority (``com.example.app://host`` is an http-like URL the browser
    may treat as one), no fragment, no whitespace, a path after one slash.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in FORBIDDEN_SCHEMES:
        return ValidationError(
            _("Callback URL %(url)s uses the %(scheme)s: scheme, which is never allowed."),
            code="forbidden_scheme",
            params={"url": url, "scheme": scheme},
        )
    well_formed = (
        _SCHEME.match(scheme)
        and "." in scheme
        and not parts.netloc
        and url[len(parts.scheme) + 1 :].startswith("/")
        and not url[len(parts.scheme) + 1 :].startswith("//")
        and "#" not in url
        and not any(ch.isspace() for ch in url)
    )
    if not well_formed:
        return ValidationError(PRIVATE_USE_MESSAGE, code="private_use_scheme", params={"url": url})
    return None


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


# Dynamic client registration (RFC 7591): which redirect URIs a client registering itself may use.
# Loopback redirects (RFC 8252 section 7.3) reach only the machine the client runs on, so they need
# no allowlist; "localhost" is left out, as RFC 8252 section 8.3 advises.
REGISTRATION_LOOPBACK_HOSTS = ("127.0.0.1", "::1")
_DEFAULT_PORTS = {"http": 80, "https": 443}
ALLOWLIST_FIELD = _("Redirect URI allowlist")


@dataclass(frozen=True)
class RedirectPattern:
    """One allowlist line, parsed: matched against a redirect URI part by part, never as a string prefix."""

    scheme: str
    host: str = ""  # empty for a private-use scheme; for "*.example.com", "example.com"
    wildcard: bool = False  # any subdomain of ``host`` (not ``host`` itself)
    port: int | None = None  # None: the scheme's default port
    path: str = ""  # a prefix of whole path segments; "" or "/" for any path

    def matches(self, uri):
        """Return whether the redirect URI ``uri`` falls under this pattern."""
        parts = urlsplit(uri)
        if parts.scheme.lower() != self.scheme or "@" in parts.netloc:
            return False
        if self.host and not self._host_and_port_match(parts):
            return False
        if not self.host and parts.netloc:
            return False
        return _path_under(parts.path, self.path)

    def _host_and_port_match(self, parts):
        host = (parts.hostname or "").lower()
        if self.wildcard:
            if not host.endswith("." + self.host):
                return False
        elif host != self.host:
            return False
        try:
            port = parts.port
        except ValueError:
            return False
        default = _DEFAULT_PORTS.get(self.scheme)
        return (port or default) == (self.port or default)


def _path_under(path, prefix):
    if prefix in ("", "/"):
        return True
    if prefix.endswith("/"):
        return path.startswith(prefix)
    return path == prefix or path.startswith(prefix + "/")


def parse_redirect_pattern(line):
    """Return the RedirectPattern of one allowlist line; raise ValueError saying what is wrong."""
    parts = urlsplit(line)
    scheme = parts.scheme.lower()
    if not scheme or not _SCHEME.match(scheme) or scheme in FORBIDDEN_SCHEMES:
        raise ValueError(_("it needs a scheme such as https:// or com.example.app:/ (not javascript:, data:, file:)"))
    if "?" in line or "#" in line or any(ch.isspace() for ch in line):
        raise ValueError(_("a pattern has no query (?), fragment (#) or spaces"))
    if scheme not in _DEFAULT_PORTS:
        if "." not in scheme or parts.netloc:
            raise ValueError(
                _("a private-use scheme is a reverse domain name followed by :/, such as com.example.app:/")
            )
        return RedirectPattern(scheme=scheme, path=parts.path)
    return _parse_http_pattern(parts, scheme)


def _parse_http_pattern(parts, scheme):
    if "@" in parts.netloc:
        raise ValueError(_("a pattern has no user name or password"))
    host = (parts.hostname or "").lower()
    wildcard = host.startswith("*.")
    if wildcard:
        host = host[2:]
    if not host or "*" in host or (wildcard and "." not in host):
        raise ValueError(_("it needs a host, optionally starting with *. (such as *.example.com)"))
    try:
        port = parts.port
    except ValueError:
        raise ValueError(_("the port must be a number from 0 to 65535")) from None
    return RedirectPattern(scheme=scheme, host=host, wildcard=wildcard, port=port, path=parts.path)


def redirect_patterns(text):
    """Return the patterns of an allowlist (one per line; blank lines skipped, invalid lines too)."""
    patterns = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        try:
            patterns.append(parse_redirect_pattern(line.strip()))
        except ValueError:
            continue
    return patterns


def validate_redirect_uri_allowlist(text):
    """Refuse an allowlist with a line that is not a valid pattern, naming the line and the rule."""
    errors = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parse_redirect_pattern(line.strip())
        except ValueError as exc:
            errors.append(
                ValidationError(
                    _("%(field)s, line %(line)d (%(pattern)s): %(problem)s."),
                    code="invalid_pattern",
                    params={
                        "field": ALLOWLIST_FIELD,
                        "line": number,
                        "pattern": line.strip()[:80],
                        "problem": exc.args[0],
                    },
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


def is_registration_loopback(uri):
    """Return whether ``uri`` is an http loopback redirect by IP literal (RFC 8252 section 7.3), any port."""
    parts = urlsplit(uri)
    return parts.scheme.lower() == "http" and "@" not in parts.netloc and parts.hostname in REGISTRATION_LOOPBACK_HOSTS


def registration_redirect_allowed(uri, allowlist):
    """Return whether a client registering itself may use ``uri``: loopback, or matched by a line of ``allowlist``."""
    return is_registration_loopback(uri) or any(pattern.matches(uri) for pattern in redirect_patterns(allowlist))
