"""A user's authorized applications: list them, and deauthorize one.

- ``GET /api/v4/users/{user_id|me}/oauth/apps/authorized``: yourself, or anyone
  for holders of ``mm_oauth.manage_system_wide_oauth``; public fields only.
- ``POST /oauth/deauthorize`` with ``{"client_id": ...}``: the signed-in user
  withdraws an app's access (session with CSRF; never with an OAuth token).

Both work while the provider is switched off: withdrawing access must never be blocked.
"""

from django.http import Http404
from oauth2_provider.models import get_application_model
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .. import policy
from .. import scopes as scope_registry
from ..services import authorizations
from ..services.users import get_user_by_id
from .app_serializers import AppPublicSerializer
from .base import PeopleOnlyAPIView
from .permissions import NotOAuthToken
from .schema import error_responses, extend_schema
from .serializers import epoch_ms


class AuthorizedAppSerializer(AppPublicSerializer):
    """An app the user authorized: its public fields (Mattermost's names) and the grant's details."""

    is_trusted = serializers.BooleanField(read_only=True)
    scopes = serializers.SerializerMethodField()
    scope_descriptions = serializers.SerializerMethodField(
        help_text="The granted scopes in plain words (in the request's language), in the order of ``scopes``."
    )
    authorized_at = serializers.SerializerMethodField()
    last_used_at = serializers.SerializerMethodField()

    def to_representation(self, authorization):
        self.authorization = authorization
        return super().to_representation(authorization.application)

    def get_scopes(self, app) -> list[str]:
        return [scope.name for scope in scope_registry.describe(self.authorization.scopes)]

    def get_scope_descriptions(self, app) -> list[str]:
        return [str(scope.description) for scope in scope_registry.describe(self.authorization.scopes)]

    def get_authorized_at(self, app) -> int:
        return epoch_ms(self.authorization.created_at)

    def get_last_used_at(self, app) -> int:
        return epoch_ms(self.authorization.last_used_at)


class DeauthorizeSerializer(serializers.Serializer):
    client_id = serializers.CharField(max_length=255)


class RevokedCountsSerializer(serializers.Serializer):
    access_tokens = serializers.IntegerField()
    refresh_tokens = serializers.IntegerField()
    id_tokens = serializers.IntegerField()
    grants = serializers.IntegerField()


class DeauthorizeResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    revoked = RevokedCountsSerializer()


class AuthorizedAppsView(PeopleOnlyAPIView):
    permission_classes = [IsAuthenticated, NotOAuthToken]
    serializer_class = AuthorizedAppSerializer

    @extend_schema(
        summary="List the applications a user authorized (yourself, or anyone for system-wide managers)",
        tags=["authorized apps"],
        responses={200: AuthorizedAppSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request, user_id):
        """Return the user's authorized applications, newest first (public fields only)."""
        user = self.get_user(request, user_id)
        return Response(AuthorizedAppSerializer(authorizations.authorized_apps(user), many=True).data)

    @staticmethod
    def get_user(request, user_id):
        """Return the user named in the URL, or raise Http404 (also for one the caller may not see)."""
        user = request.user if user_id == "me" else get_user_by_id(user_id)
        if user is None or not policy.may_view_authorizations(request.user, user):
            raise Http404("No such user.")
        return user


class DeauthorizeView(PeopleOnlyAPIView):
    permission_classes = [IsAuthenticated, NotOAuthToken]
    serializer_class = DeauthorizeSerializer

    @extend_schema(
        summary="Deauthorize an application: revoke your tokens, pending codes and authorization of it",
        tags=["authorized apps"],
        request=DeauthorizeSerializer,
        responses={200: DeauthorizeResultSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        """Withdraw the signed-in user's authorization of an application, at once."""
        serializer = DeauthorizeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        app = get_application_model().objects.filter(client_id=serializer.validated_data["client_id"]).first()
        if app is None:
            raise Http404("No such OAuth 2.0 application.")
        revoked = authorizations.deauthorize(request.user, app, request=request)
        return Response({"status": "OK", "revoked": revoked})
