"""The OpenAPI 3 schema of mm_oauth's API (drf-spectacular), served at ``GET /api/v4/schema``.

Hosts need not add ``drf_spectacular`` to ``INSTALLED_APPS`` nor change
``REST_FRAMEWORK``: mm_oauth's views carry their own ``AutoSchema`` and the
schema view below its own generator. The schema describes mm_oauth's views
only, at the paths where the host mounted them.
"""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import EndpointEnumerator
from drf_spectacular.generators import SchemaGenerator as SpectacularSchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_spectacular.utils import extend_schema as spectacular_extend_schema
from drf_spectacular.views import SpectacularAPIView
from oauth2_provider.scopes import get_scopes_backend
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny

from .. import __version__
from .exceptions import exception_handler
from .permissions import NotOAuthToken

TITLE = "mm_oauth API"
DESCRIPTION = """\
Mattermost-compatible REST API of an OAuth 2.0 provider (Mattermost v4 paths and field names).

People authenticate with their site session; requests that change something must send the
site's CSRF token in the `X-CSRFToken` header. Applications authenticate with an OAuth 2.0
bearer token, and may never manage OAuth applications or settings (403, with the reason).
Every error has one shape: `{"id", "message", "status_code", "errors"}`.
"""

_ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` lists the problems under each field's name.",
    401: "Not signed in.",
    403: "Not allowed: see `message` (lacking a right, an OAuth access token used, or no CSRF token).",
    404: "No such application, or one that is not yours.",
    501: "The system admin has turned off the OAuth 2.0 service provider.",
}


class ErrorSerializer(serializers.Serializer):
    """Every error of the API has this shape."""

    id = serializers.CharField(read_only=True, help_text="Stable identifier, e.g. api.invalid_request.")
    message = serializers.CharField(read_only=True, help_text="For people.")
    status_code = serializers.IntegerField(read_only=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,  # not read_only: drf-spectacular lists every read-only field as required
        help_text="Invalid input only: the problems per field.",
    )


def extend_schema(**kwargs):
    """Decorate a view method like drf-spectacular's ``extend_schema``, whatever the host's DEFAULT_SCHEMA_CLASS.

    drf-spectacular builds the decorated method's schema class on
    ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` (DRF's own AutoSchema unless the
    host changed it), which cannot describe the operation. A schema class
    already set on the method is used as the base instead: set spectacular's.
    """
    decorate = spectacular_extend_schema(**kwargs)

    def decorator(method):
        if not hasattr(method, "kwargs"):
            method.kwargs = {}
        method.kwargs.setdefault("schema", AutoSchema)
        return decorate(method)

    return decorator


def error_responses(*status_codes):
    """Return extend_schema ``responses`` entries in the error shape for ``status_codes``."""
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code]) for code in status_codes}


def _url(name, fallback):
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describe mm_oauth's bearer-token authentication (the authorization code flow, DOT's scopes)."""

    target_class = "mm_oauth.contrib.rest_framework.authentication.OAuth2Authentication"
    match_subclasses = True
    name = "oauth2"

    def get_security_requirement(self, auto_schema):
        if any(isinstance(permission, NotOAuthToken) for permission in auto_schema.view.get_permissions()):
            return None  # the view refuses access tokens
        return {self.name: ["read" if auto_schema.method in SAFE_METHODS else "write"]}

    def get_security_definition(self, auto_schema):
        token_url = _url("mm_oauth:token", "/oauth/access_token")
        return {
            "type": "oauth2",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": _url("mm_oauth:authorize", "/oauth/authorize"),
                    "tokenUrl": token_url,
                    "refreshUrl": token_url,
                    "scopes": dict(get_scopes_backend().get_all_scopes()),
                }
            },
        }


class _MMOAuthEndpoints(EndpointEnumerator):
    def should_include_endpoint(self, path, callback):
        view_class = getattr(callback, "cls", None)
        return (
            view_class is not None
            and view_class.__module__.startswith("mm_oauth.")
            and super().should_include_endpoint(path, callback)
        )


class SchemaGenerator(SpectacularSchemaGenerator):
    """Describe mm_oauth's API views only, wherever the host's URLconf put them."""

    endpoint_inspector_cls = _MMOAuthEndpoints

    def get_schema(self, request=None, public=False):
        schema = super().get_schema(request=request, public=public)
        schema["info"] = {"title": TITLE, "version": __version__, "description": DESCRIPTION}
        return schema


class SchemaView(SpectacularAPIView):
    """``GET /api/v4/schema``: this API's OpenAPI 3 schema; JSON, or YAML with ``?format=yaml``. Public."""

    # JSON first: the default for clients that accept anything.
    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer, OpenApiYamlRenderer, OpenApiYamlRenderer2]
    # Public, like the OAuth server metadata: it describes the API, nothing about its data.
    authentication_classes = []
    permission_classes = [AllowAny]
    generator_class = SchemaGenerator
    serve_public = True
    urlconf = None
    custom_settings = None
    schema = AutoSchema()

    @extend_schema(
        summary="This API's OpenAPI 3 schema",
        tags=["schema"],
        parameters=[OpenApiParameter("format", str, enum=["json", "yaml"], description="Default: json.")],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="The OpenAPI 3 document.")},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_exception_handler(self):
        return exception_handler
