"""This server's issuer identifier, and the RFC 9207 ``iss`` authorization-response parameter.

RFC 9207 (and RFC 9700 section 4.4) has the authorization server name itself in
every authorization response, success or error, so a client that talks to more
than one server can tell which one answered (the mix-up attack). The value must
equal the ``issuer`` of the RFC 8414 metadata document: ``OIDC_ISS_ENDPOINT``
when the host sets it, otherwise the URL the metadata document is served under,
minus ``/.well-known/oauth-authorization-server`` (this keeps a mount prefix).
"""

from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from oauth2_provider.settings import oauth2_settings

WELL_KNOWN = "/.well-known/oauth-authorization-server"
METADATA_URL_NAME = "mm_oauth:server-metadata"


def issuer(request):
    """Return the issuer identifier, as published in the metadata document for ``request``'s host."""
    if oauth2_settings.OIDC_ISS_ENDPOINT:
        return oauth2_settings.OIDC_ISS_ENDPOINT
    try:
        path = reverse(METADATA_URL_NAME)
    except NoReverseMatch:  # metadata not mounted: the site root, as DOT does
        path = WELL_KNOWN
    base, _marker, _rest = request.build_absolute_uri(path).partition(WELL_KNOWN)
    return base


class _RequestFromHeaders(HttpRequest):
    """Just enough of a Django request to build absolute URLs from an oauthlib request's headers."""

    def __init__(self, headers):
        super().__init__()
        self.META = dict(headers)  # DOT passes a copy of request.META as the headers
        self._secure = bool(self.META.get("X_DJANGO_OAUTH_TOOLKIT_SECURE"))

    def _get_scheme(self):
        return "https" if self._secure else "http"


def as_django_request(request):
    """Return a stand-in Django request for an oauthlib request, to build this site's URLs as it saw them."""
    return _RequestFromHeaders(request.headers)


def issuer_for_oauthlib(request):
    """Return the issuer for an oauthlib request (the ``iss`` of ID tokens), the same as :func:`issuer`."""
    return issuer(as_django_request(request))


def with_issuer(url, value):
    """Return ``url`` with ``iss=value`` in its query, replacing any ``iss`` already there.

    The rest of the query (the client's own parameters, ``code``, ``state``,
    ``error``) is kept byte for byte, in order.
    """
    parts = urlsplit(url)
    kept = [field for field in parts.query.split("&") if field and unquote_plus(field.split("=", 1)[0]) != "iss"]
    kept.append(urlencode({"iss": value}))
    return urlunsplit(parts._replace(query="&".join(kept)))
