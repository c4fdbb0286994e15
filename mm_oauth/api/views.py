"""API views: the signed-in user, and the provider settings (superusers)."""

from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ..services import provider_settings as provider
from .base import MMOAuthAPIView, PeopleOnlyAPIView
from .exceptions import field_errors
from .permissions import IsSuperuser, NotOAuthToken
from .schema import error_responses, extend_schema
from .serializers import ProviderSettingsSerializer, UserSerializer


class MeView(MMOAuthAPIView):
    """``GET /api/v4/users/me``: the user behind the session or the access token."""

    serializer_class = UserSerializer

    @extend_schema(
        summary="The signed-in user, or the user behind the access token",
        tags=["users"],
        responses={200: UserSerializer, **error_responses(401, 403)},
    )
    def get(self, request):
        return Response(UserSerializer(request.user).data)


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
