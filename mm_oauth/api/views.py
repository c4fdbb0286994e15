"""API views: users (Mattermost's user object), and the provider settings (superusers)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ..contrib.rest_framework.authentication import is_token_request
from ..services import provider_settings as provider
from ..services.user_object import user_object
from ..services.users import get_user_by_id
from .base import MMOAuthAPIView, PeopleOnlyAPIView
from .exceptions import field_errors
from .permissions import IsSuperuser, NotOAuthToken
from .schema import ErrorSerializer, error_responses, extend_schema
from .serializers import ProviderSettingsSerializer, UserSerializer


def token_scopes(request):
    """Return the scopes of the request's access token, or None for a signed-in person."""
    return request.auth.scope.split() if is_token_request(request) else None


class MeView(MMOAuthAPIView):
    """``GET /api/v4/users/me``: the user behind the session or the access token."""

    serializer_class = UserSerializer

    @extend_schema(
        summary="The signed-in user, or the user behind the access token",
        tags=["users"],
        responses={200: UserSerializer, **error_responses(401, 403)},
    )
    def get(self, request):
        return Response(user_object(request.user, scopes=token_scopes(request)))


class UserView(MMOAuthAPIView):
    """``GET /api/v4/users/{user_id}``: a user as Mattermost shows them to others (no email address)."""

    serializer_class = UserSerializer

    @extend_schema(
        summary="A user, without what Mattermost hides from other users (email, sign-in service)",
        tags=["users"],
        responses={
            200: UserSerializer,
            **error_responses(401, 403),
            404: OpenApiResponse(ErrorSerializer, description="No such user."),
        },
    )
    def get(self, request, user_id):
        user = get_user_by_id(user_id)
        if user is None:
            raise NotFound("No such user.")
        return Response(user_object(user, viewer=request.user, scopes=token_scopes(request)))


class ProviderSettingsView(PeopleOnlyAPIView):
    """``GET/PUT /api/v4/oauth/settings``: the provider switch and registration policy."""

    permission_classes = [IsAuthenticated, NotOAuthToken, IsSuperuser]
    serializer_class = ProviderSettingsSerializer

    @extend_schema(
        summary="Read the provider settings (superusers)",
        tags=["oauth-settings"],
        responses={200: ProviderSettingsSerializer, **error_responses(401, 403)},
    )
    def get(self, request):
        return Response(ProviderSettingsSerializer(provider.get_settings_row()).data)

    @extend_schema(
        summary="Change provider settings (superusers); flags left out stay as they are",
        tags=["oauth-settings"],
        request=ProviderSettingsSerializer,
        responses={200: ProviderSettingsSerializer, **error_responses(400, 401, 403)},
    )
    def put(self, request):
        serializer = ProviderSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with field_errors({}):  # an invalid host allowlist: 400 naming the field and line
            row = provider.update_provider_settings(actor=request.user, request=request, **serializer.validated_data)
        return Response(ProviderSettingsSerializer(row).data)
