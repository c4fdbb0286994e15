"""API views: the signed-in user, and the provider settings (superusers)."""

from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ..services import provider_settings as provider
from .base import MMOAuthAPIView, PeopleOnlyAPIView
from .permissions import IsSuperuser, NotOAuthToken
from .serializers import ProviderSettingsSerializer, UserSerializer


class MeView(MMOAuthAPIView):
    """``GET /api/v4/users/me``: the user behind the session or the access token."""

    serializer_class = UserSerializer

    def get(self, request):
        return Response(UserSerializer(request.user).data)


class ProviderSettingsView(PeopleOnlyAPIView):
    """``GET/PUT /api/v4/oauth/settings``: the provider switch and registration policy."""

    permission_classes = [IsAuthenticated, NotOAuthToken, IsSuperuser]
    serializer_class = ProviderSettingsSerializer

    def get(self, request):
        return Response(ProviderSettingsSerializer(provider.get_settings_row()).data)

    def put(self, request):
        serializer = ProviderSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = provider.update_provider_settings(actor=request.user, request=request, **serializer.validated_data)
        return Response(ProviderSettingsSerializer(row).data)
