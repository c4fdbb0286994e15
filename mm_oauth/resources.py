"""This site's protected resources: the targets a token may be issued for (RFC 8707) and their metadata (RFC 9728).

``MM_OAUTH["RESOURCES"]`` lists them; by default one, the site's API (``<site>/api/v4/``
wherever ``mm_oauth.api.urls`` is mounted). An entry that starts with ``/`` is a path
on this site, made absolute for the host a request came to (or the host of
``OIDC_ISS_ENDPOINT`` when set, like the endpoints in the server metadata), so a
site behind several names or with no configuration at all gets it right.

A ``resource`` parameter is accepted when it is one of these URLs or lies beneath
one (same scheme, host and port, path under the resource's path: DOT's prefix
matching, ``validate_resource_as_url_prefix``); anything else is ``invalid_target``
(RFC 8707 section 2). A token issued for a resource is accepted only for requests
beneath its audience (DOT's bearer check). A token issued without ``resource``
(every client written for Mattermost) has no audience and reaches every API on this
site that mm_oauth's authentication protects, as before.
"""

from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse
from oauth2_provider.oauth2_validators import is_valid_resource_uri, validate_resource_as_url_prefix
from oauth2_provider.settings import oauth2_settings

from .conf import app_settings

API_URL_NAME = "mm_oauth:api-users-me"
API_SUFFIX = "users/me"
METADATA_URL_NAME = "mm_oauth:protected-resource-metadata"
METADATA_PATH_URL_NAME = "mm_oauth:protected-resource-metadata-path"


def api_root():
    """Return the path the site's API is mounted under (``/api/v4/``), or None when it is not mounted."""
    try:
        path = reverse(API_URL_NAME)
    except NoReverseMatch:
        return None
    return path[: -len(API_SUFFIX)] if path.endswith(API_SUFFIX) else path


def absolute(request, path):
    """Return ``path`` on this site as an absolute URL (on the issuer's host when ``OIDC_ISS_ENDPOINT`` is set)."""
    issuer = oauth2_settings.OIDC_ISS_ENDPOINT
    if issuer:
        parts = urlsplit(issuer)
        return f"{parts.scheme}://{parts.netloc}{path}"
    return request.build_absolute_uri(path)


def site_resources(request):
    """Return the absolute URLs of this site's protected resources, as seen from ``request``."""
    configured = app_settings.RESOURCES
    if configured is None:
        root = api_root()
        configured = [root] if root else []
    return [absolute(request, entry) if entry.startswith("/") else entry for entry in configured]


def is_site_resource(request, uri):
    """Return whether ``uri`` is an acceptable ``resource``: one of this site's resources, or beneath one."""
    resources = site_resources(request)
    # DOT's matcher lets everything through an empty list (an unrestricted token): here empty means none.
    return bool(resources) and is_valid_resource_uri(uri) and validate_resource_as_url_prefix(uri, resources)


def foreign_targets(request, uris):
    """Return the ones of ``uris`` this site does not serve (RFC 8707 ``invalid_target``)."""
    return [uri for uri in uris if not is_site_resource(request, uri)]


def invalid_target_description(uris):
    """Say, for the client's developer, which ``resource`` was refused and what is served here."""
    return (
        f"The resource '{uris[0]}' is not served by this site: "
        "ask for one of the resources in its protected resource metadata (RFC 9728)."
    )


def resource_covering(request, url):
    """Return the first of this site's resources that ``url`` lies beneath, or None."""
    for resource in site_resources(request):
        if validate_resource_as_url_prefix(url, [resource]):
            return resource
    return None


def metadata_url(request, resource=None):
    """Return the URL of ``resource``'s metadata document (RFC 9728 section 3.1), or the root document's.

    The well-known segment goes between the host and the resource's path, which
    keeps its trailing slash: ``https://h/api/v4/`` is described at
    ``https://h/.well-known/oauth-protected-resource/api/v4/``.
    """
    path = urlsplit(resource).path.lstrip("/") if resource else ""
    try:
        if path:
            return absolute(request, reverse(METADATA_PATH_URL_NAME, kwargs={"resource_path": path}))
        return absolute(request, reverse(METADATA_URL_NAME))
    except NoReverseMatch:
        return None


def metadata_url_for_request(request):
    """Return the metadata URL a 401 or 403 of ``request`` points at (RFC 9728 section 5.1).

    The document of the resource the request's URL lies under: its ``resource`` is a
    prefix of that URL, as MCP clients and draft-mcguinness-oauth-rfc9728bis accept
    (RFC 9728 section 3.3 asks for the request's URL itself).
    """
    resource = resource_covering(request, request.build_absolute_uri(request.path))
    return metadata_url(request, resource)
