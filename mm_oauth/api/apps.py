"""Application management at Mattermost's v4 paths.

- ``GET/POST /api/v4/oauth/apps``: list (``page`` from 0, ``per_page`` 1-200,
  default 60) your apps, or everyone's for system-wide managers; register one.
- ``GET/PUT/DELETE /api/v4/oauth/apps/{client_id}``: read, change, delete.
- ``POST /api/v4/oauth/apps/{client_id}/regen_secret``: a new secret, returned once.
- ``GET /api/v4/oauth/apps/{client_id}/info``: public fields, for consent pages.

For signed-in people only (session with CSRF): an OAuth access token gets 403
with the reason. Anonymous requests get 401; while the provider is switched
off, signed-in people get 501. The rules live in ``mm_oauth.services`` and
``mm_oauth.policy``; these views translate HTTP to those calls.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from oauth2_provider.models import get_application_model
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .. import policy
from ..services import applications
from .app_serializers import (
    API_FIELD_NAMES,
    OAuthAppCreateSerializer,
    OAuthAppInfoSerializer,
    OAuthAppSerializer,
    OAuthAppUpdateSerializer,
    OAuthAppWithSecretSerializer,
    StatusOKSerializer,
)
from .base import PeopleOnlyAPIView
from .exceptions import field_errors
from .pagination import PageParametersSerializer, page_of
from .permissions import NotOAuthToken, ProviderEnabled
from .schema import error_responses, extend_schema

CLIENT_ID = OpenApiParameter("client_id", str, OpenApiParameter.PATH, description="The application's client ID.")
TAGS = ["oauth-apps"]


class AppAPIView(PeopleOnlyAPIView):
    """People only; 401 before 501, so anonymous callers learn nothing but that they must sign in."""

    permission_classes = [IsAuthenticated, NotOAuthToken, ProviderEnabled]

    def get_app(self, client_id):
        """Return the app the user may manage, or raise Http404 (someone else's app does not exist)."""
        return applications.get_app_for(self.request.user, client_id)


class AppListView(AppAPIView):
    """``GET/POST /api/v4/oauth/apps``."""

    @extend_schema(
        summary="List the applications you manage (everyone's for system-wide managers)",
        tags=TAGS,
        parameters=[PageParametersSerializer],
        responses={200: OAuthAppSerializer(many=True), **error_responses(400, 401, 403, 501)},
    )
    def get(self, request):
        """Return a page of the applications you manage, oldest first (a JSON list)."""
        self.check_may_register()
        apps = policy.manageable_apps(request.user, get_application_model().objects.order_by("created", "pk"))
        return Response(OAuthAppSerializer(page_of(request, apps), many=True).data)

    @extend_schema(
        summary="Register an application; the response holds its secret, shown this once",
        tags=TAGS,
        request=OAuthAppCreateSerializer,
        responses={201: OAuthAppWithSecretSerializer, **error_responses(400, 401, 403, 501)},
    )
    def post(self, request):
        """Register an application; return it with its client secret, shown only this once."""
        self.check_may_register()  # before reading the body: 403 says more than a 400 would
        serializer = OAuthAppCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with field_errors(API_FIELD_NAMES):
            app, secret = applications.register_application(
                actor=request.user, request=request, **serializer.validated_data
            )
        body = OAuthAppWithSecretSerializer(app, context={"client_secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def check_may_register(self):
        if not policy.may_register_apps(self.request.user):
            raise PermissionDenied(applications.NOT_ALLOWED_MESSAGE)


class AppDetailView(AppAPIView):
    """``GET/PUT/DELETE /api/v4/oauth/apps/{client_id}``."""

    @extend_schema(
        summary="Read an application (without its secret)",
        tags=TAGS,
        parameters=[CLIENT_ID],
        responses={200: OAuthAppSerializer, **error_responses(401, 403, 404, 501)},
    )
    def get(self, request, client_id):
        """Return one of the applications you manage."""
        return Response(OAuthAppSerializer(self.get_app(client_id)).data)

    @extend_schema(
        summary="Change an application; fields left out stay as they are",
        description=(
            "Send the whole app as read, or only the fields to change. `id`, if sent, must be this "
            "app's; `client_secret`, `creator_id`, `create_at` and `update_at` are set by the server "
            "and ignored. `is_trusted` from anyone but a superuser is ignored; `client_type` is fixed."
        ),
        tags=TAGS,
        parameters=[CLIENT_ID],
        request=OAuthAppUpdateSerializer,
        responses={200: OAuthAppSerializer, **error_responses(400, 401, 403, 404, 501)},
    )
    def put(self, request, client_id):
        """Change the fields sent; return the application."""
        app = self.get_app(client_id)
        serializer = OAuthAppUpdateSerializer(data=request.data, context={"client_id": app.client_id})
        serializer.is_valid(raise_exception=True)
        with field_errors(API_FIELD_NAMES):
            applications.update_application(app, actor=request.user, request=request, **serializer.validated_data)
        return Response(OAuthAppSerializer(app).data)

    @extend_schema(
        summary="Delete an application and every token, code and authorization of it, for all users",
        tags=TAGS,
        parameters=[CLIENT_ID],
        responses={200: StatusOKSerializer, **error_responses(401, 403, 404, 501)},
    )
    def delete(self, request, client_id):
        """Delete the application, revoking every token, code and authorization of it."""
        applications.delete_application(self.get_app(client_id), actor=request.user, request=request)
        return Response({"status": "OK"})


class AppRegenerateSecretView(AppAPIView):
    """``POST /api/v4/oauth/apps/{client_id}/regen_secret``."""

    @extend_schema(
        summary="Give an application a new secret, returned this once",
        description=(
            "The old secret stops working for new token requests at once (or after the site's "
            "grace period); tokens already issued stay valid. Public clients have no secret (400)."
        ),
        tags=TAGS,
        parameters=[CLIENT_ID],
        request=None,
        responses={200: OAuthAppWithSecretSerializer, **error_responses(400, 401, 403, 404, 501)},
    )
    def post(self, request, client_id):
        """Give the application a new client secret; return the application with it, this once."""
        app = self.get_app(client_id)
        with field_errors(API_FIELD_NAMES):
            secret = applications.regenerate_secret(app, actor=request.user, request=request)
        return Response(OAuthAppWithSecretSerializer(app, context={"client_secret": secret}).data)


class AppInfoView(AppAPIView):
    """``GET /api/v4/oauth/apps/{client_id}/info``: any signed-in person may read it."""

    @extend_schema(
        summary="Public information about an application, for consent pages",
        tags=TAGS,
        parameters=[CLIENT_ID],
        responses={
            200: OpenApiResponse(OAuthAppInfoSerializer, description="No secret, no creator."),
            **error_responses(401, 403, 404, 501),
        },
    )
    def get(self, request, client_id):
        """Return what a consent page shows about an application: no secret, no creator."""
        app = get_application_model().objects.filter(client_id=client_id).first()
        if app is None:
            raise Http404("No such OAuth 2.0 application.")
        return Response(OAuthAppInfoSerializer(app).data)
