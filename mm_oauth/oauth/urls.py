"""The protocol endpoints at Mattermost's paths (README: Endpoints).

Included by ``mm_oauth.urls``; the paths are relative to the site root.
"""

from django.urls import path

from . import oidc, registration, resource_metadata, views
from .authorize import AuthorizeView
from .switch_account import SwitchAccountView

urlpatterns = [
    path("oauth/authorize", AuthorizeView.as_view(), name="authorize"),
    path("oauth/authorize/switch-account", SwitchAccountView.as_view(), name="authorize-switch-account"),
    path("oauth/access_token", views.TokenView.as_view(), name="token"),
    path("oauth/token", views.TokenView.as_view(), name="token-alias"),
    path("oauth/revoke", views.RevokeView.as_view(), name="revoke"),
    path("oauth/introspect", views.IntrospectView.as_view(), name="introspect"),
    # RFC 7591/7592 at Mattermost's path. mm_oauth.urls includes these before the API's
    # api/v4/oauth/apps/<client_id>, which would otherwise take "register" for a client ID.
    path("api/v4/oauth/apps/register", registration.RegisterView.as_view(), name="api-oauth-app-register"),
    path(
        "api/v4/oauth/apps/register/<str:client_id>",
        registration.RegistrationManagementView.as_view(),
        name="api-oauth-app-registration",
    ),
    path(
        ".well-known/oauth-authorization-server",
        views.ServerMetadataView.as_view(),
        name="server-metadata",
    ),
    # RFC 9728: the site's API as a protected resource (mm_oauth.resources), also path-suffixed.
    path(
        ".well-known/oauth-protected-resource",
        resource_metadata.ProtectedResourceMetadataView.as_view(),
        name="protected-resource-metadata",
    ),
    path(
        ".well-known/oauth-protected-resource/<path:resource_path>",
        resource_metadata.ProtectedResourceMetadataView.as_view(),
        name="protected-resource-metadata-path",
    ),
    # OpenID Connect (404 unless OAUTH2_PROVIDER["OIDC_ENABLED"]): mm_oauth.oauth.oidc.
    path(".well-known/openid-configuration", oidc.DiscoveryView.as_view(), name="oidc-discovery"),
    path(".well-known/jwks.json", oidc.JwksView.as_view(), name="jwks"),
    path("oauth/userinfo", oidc.UserInfoView.as_view(), name="userinfo"),
    path("oauth/logout", oidc.LogoutView.as_view(), name="oidc-logout"),
]
