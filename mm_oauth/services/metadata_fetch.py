"""Fetch a client ID metadata document without letting a client aim this server at internal hosts.

draft-ietf-oauth-client-id-metadata-document section 6.5: the authorization
server fetches a URL the client chose, so the fetch is a server-side request
forgery risk. The rules, each refusal a ``MetadataFetchError`` whose message
names the problem:

- ``https`` only, a host, a path, no userinfo, fragment or dot segments (DOT's
  URL checks);
- the host is resolved once and **every** address it resolves to must be
  public: no private, loopback, link-local (169.254.169.254, cloud metadata),
  shared, multicast, reserved or unspecified address, nor an IPv6 form that
  embeds one (IPv4-mapped, 6to4, Teredo, NAT64). ``MM_OAUTH["CIMD_ALLOW_LOOPBACK"]``
  admits loopback, for tests and the demo;
- the connection goes to the checked address (TLS still verifies the
  certificate for the host name), so a second DNS answer cannot rebind it;
- no redirects; ``Content-Type`` JSON; at most ``CIMD_MAX_DOCUMENT_BYTES``,
  read in chunks and abandoned past the limit; ``CIMD_CONNECT_TIMEOUT_SECONDS``
  to connect, ``CIMD_READ_TIMEOUT_SECONDS`` for the whole answer;
- a document is cached in Django's cache (``CIMD_CACHE_ALIAS``) for its
  ``Cache-Control: max-age``, bounded by ``CIMD_CACHE_MIN_SECONDS`` and
  ``CIMD_CACHE_MAX_SECONDS``; ``no-store`` (and ``no-cache``) documents are
  fetched again every time.

``MetadataFetcher`` is DOT's ``CIMD_METADATA_FETCHER`` interface
(``fetch(client_id) -> (document, max_age_seconds)``), set by
``mm_oauth.defaults``.
"""

import hashlib
import ipaddress
import json
import logging
import socket
import ssl
import time

import urllib3
from django.core.cache import caches
from oauth2_provider import cimd

from ..conf import app_settings

logger = logging.getLogger("mm_oauth.client_metadata")

CACHE_PREFIX = "mm_oauth:cimd:document:"
CHUNK_BYTES = 1024
JSON_TYPE = "application/json"


class MetadataFetchError(cimd.CIMDError):
    """A document could not be fetched or is not acceptable; the message says why, for people."""


class MetadataFetcher(cimd.SafeMetadataFetcher):
    """DOT's SSRF-hardened fetcher, with mm_oauth's settings and cache.

    Replaces DOT's ``fetch``: DOT's fetcher has no loopback switch for tests and
    demos, trusts only the system CA store, has one timeout for everything, and
    keeps ``no-store`` documents for its minimum age instead of not at all.
    """

    def fetch(self, client_id):
        """Return ``(document, seconds it may be kept)`` for ``client_id``, from the cache or the network."""
        cache = caches[app_settings.CIMD_CACHE_ALIAS]
        key = _cache_key(client_id)
        cached = cache.get(key)
        if cached is not None:
            document, expires_at = cached
            return document, max(0, int(expires_at - time.time()))
        document, max_age = self._download(client_id)
        if max_age > 0:
            cache.set(key, (document, time.time() + max_age), max_age)
        return document, max_age

    def _download(self, client_id):
        try:
            parsed = cimd._validate_client_id_url(client_id)
        except cimd.CIMDError as exc:
            raise MetadataFetchError(f"The client_id {exc}.") from None
        port = parsed.port or 443
        addresses = checked_addresses(parsed.hostname, port)
        deadline = time.monotonic() + app_settings.CIMD_CONNECT_TIMEOUT_SECONDS + app_settings.CIMD_READ_TIMEOUT_SECONDS
        problem = None
        for address in addresses:
            try:
                return self._get(address, parsed, deadline)
            except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError) as exc:
                problem = exc  # another address of the host may answer
        raise MetadataFetchError(f"{parsed.hostname} could not be reached ({_reason(problem)}).")

    def _get(self, address, parsed, deadline):
        pool = urllib3.HTTPSConnectionPool(
            host=address,
            port=parsed.port or 443,
            timeout=urllib3.Timeout(
                connect=app_settings.CIMD_CONNECT_TIMEOUT_SECONDS, read=app_settings.CIMD_READ_TIMEOUT_SECONDS
            ),
            retries=False,
            maxsize=1,
            ssl_context=_ssl_context(),
            server_hostname=parsed.hostname,  # SNI and certificate checks use the name; the socket uses `address`
        )
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        headers = {"Host": parsed.netloc, "Accept": JSON_TYPE, "User-Agent": "mm_oauth client metadata fetcher"}
        try:
            response = pool.urlopen("GET", path, headers=headers, redirect=False, preload_content=False)
            try:
                return self._document(response, parsed, deadline)
            finally:
                response.release_conn()
        except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError):
            raise
        except urllib3.exceptions.ReadTimeoutError:
            raise MetadataFetchError(_too_slow(parsed)) from None
        except urllib3.exceptions.SSLError as exc:
            raise MetadataFetchError(f"{parsed.hostname}: TLS failed ({_reason(exc)}).") from None
        except urllib3.exceptions.HTTPError as exc:
            raise MetadataFetchError(f"{parsed.hostname}: the request failed ({_reason(exc)}).") from None
        finally:
            pool.close()

    def _document(self, response, parsed, deadline):
        if 300 <= response.status < 400:
            raise MetadataFetchError(
                f"The metadata document answered with a redirect (HTTP {response.status}); redirects are not followed."
            )
        if response.status != 200:
            raise MetadataFetchError(f"The metadata document answered HTTP {response.status}, not 200.")
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type != JSON_TYPE and not (media_type.startswith("application/") and media_type.endswith("+json")):
            raise MetadataFetchError(f'The metadata document is served as "{media_type}", not {JSON_TYPE}.')
        body = _read_limited(response, parsed, deadline)
        try:
            document = json.loads(body)
        except ValueError:
            raise MetadataFetchError("The metadata document is not valid JSON.") from None
        if not isinstance(document, dict):
            raise MetadataFetchError("The metadata document must be a JSON object.")
        return document, cache_seconds(response.headers.get("Cache-Control"))


def _read_limited(response, parsed, deadline):
    """Read the body in chunks; stop past the size limit or the deadline."""
    limit = app_settings.CIMD_MAX_DOCUMENT_BYTES
    too_big = MetadataFetchError(f"The metadata document is larger than {limit} bytes.")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    body = bytearray()
    while chunk := response.read1(CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            raise too_big
        if time.monotonic() > deadline:  # a server that drips bytes just inside the read timeout
            raise MetadataFetchError(_too_slow(parsed))
    return bytes(body)


def _too_slow(parsed):
    limit = app_settings.CIMD_CONNECT_TIMEOUT_SECONDS + app_settings.CIMD_READ_TIMEOUT_SECONDS
    return f"{parsed.hostname} did not send the metadata document within {limit:g} seconds."


def _reason(exc):
    return type(exc).__name__ if exc is None or not getattr(exc, "args", None) else str(exc.args[-1])[:200]


def _ssl_context():
    # Verification stays on: a private CA (or a test's certificate) is trusted through a bundle, never by skipping it.
    return ssl.create_default_context(cafile=app_settings.CIMD_CA_BUNDLE or None)


def _cache_key(client_id):
    return CACHE_PREFIX + hashlib.sha256(client_id.encode("utf-8")).hexdigest()


def cache_seconds(cache_control):
    """Return how long a document may be kept under ``cache_control`` (RFC 9111 section 5.2.2), bounded."""
    directives = {}
    for part in (cache_control or "").lower().split(","):
        name, _sep, value = part.strip().partition("=")
        directives[name] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return 0
    floor, ceiling = app_settings.CIMD_CACHE_MIN_SECONDS, app_settings.CIMD_CACHE_MAX_SECONDS
    max_age = directives.get("max-age", "")
    return min(max(int(max_age), floor), ceiling) if max_age.isdigit() else floor


# --- addresses ----------------------------------------------------------------


def checked_addresses(host, port):
    """Resolve ``host`` once; return its addresses if every one may be fetched from, else refuse naming the first."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise MetadataFetchError(f"{host} could not be resolved ({exc}).") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        kind = internal_kind(address)
        if kind:
            logger.info("Client metadata document host %s resolves to %s (%s): refused", host, address, kind)
            raise MetadataFetchError(
                f"{host} resolves to {address}, an internal address ({kind}); metadata documents are fetched "
                "from public addresses only."
            )
    if not addresses:
        raise MetadataFetchError(f"{host} did not resolve to any address.")
    return addresses


def internal_kind(address):
    """Return what kind of internal address ``address`` is ("private", "loopback", ...), or "" for a public one."""
    ip = ipaddress.ip_address(address.split("%")[0])
    embedded = _embedded_ipv4(ip)
    # DOT's test is is_global (after unwrapping IPv6 forms), which passes multicast: check that too.
    if cimd._ip_is_public(str(ip)) and not (embedded or ip).is_multicast:
        return ""
    if app_settings.CIMD_ALLOW_LOOPBACK and (embedded or ip).is_loopback:
        return ""
    if embedded is not None:
        return f"{_kind(embedded)} {embedded} inside an IPv6 address"
    return _kind(ip)


def _embedded_ipv4(ip):
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in cimd.NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _kind(ip):
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return "non-public"
