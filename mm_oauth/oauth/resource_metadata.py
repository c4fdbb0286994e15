"""RFC 9728 protected resource metadata: what a client that knows only an API URL needs to get a token.

- ``GET /.well-known/oauth-protected-resource``: the site's first resource
  (``MM_OAUTH["RESOURCES"]``; by default the API, ``<site>/api/v4/``);
- ``GET /.well-known/oauth-protected-resource/<path>`` (RFC 9728 section 3.1):
  the resource ``<site>/<path>``, as long as it lies within one of the site's
  resources (404 otherwise), so ``…/oauth-protected-resource/api/v4/users/me``
  describes ``<site>/api/v4/users/me``, as section 3.3 requires.

Each names this server as its authorization server; the scopes and bearer methods
are DOT's (``OAUTH2_PROTECTED_RESOURCE_*`` settings). mm_oauth's DRF authentication
points every 401 at the document of the resource the request falls under.
"""

from http import HTTPStatus

from django.http import JsonResponse
from oauth2_provider import views as dot_views

from ..gate import ProviderRequiredMixin
from ..resources import absolute, is_site_resource, site_resources
from .issuer import issuer
from .views import client_endpoint


@client_endpoint
class ProtectedResourceMetadataView(ProviderRequiredMixin, dot_views.OAuthProtectedResourceMetadataView):
    """The metadata of one of this site's protected resources, chosen by the path after the well-known segment."""

    def get(self, request, resource_path=None, *args, **kwargs):
        self.resource = described_resource(request, resource_path)
        if self.resource is None:
            return JsonResponse(
                {"error": "not_found", "error_description": "This site serves no protected resource at that path."},
                status=HTTPStatus.NOT_FOUND,
            )
        return super().get(request, *args, **kwargs)

    def get_resource(self, request):
        return self.resource

    def get_authorization_servers(self, request):
        """This server's issuer (DOT's default reverses a URL name of its own namespace)."""
        return [issuer(request)]


def described_resource(request, resource_path):
    """Return the resource identifier a metadata URL names, or None when it is not one of this site's."""
    if resource_path is None:
        resources = site_resources(request)
        return resources[0] if resources else None
    resource = absolute(request, "/" + resource_path)
    return resource if is_site_resource(request, resource) else None
