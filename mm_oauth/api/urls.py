"""The REST API's URLs, relative to the site root (included by ``mm_oauth.urls``).

``POST /oauth/deauthorize`` (Mattermost's path for a user withdrawing an app) is
an API view too, so it is served from here rather than with the protocol endpoints.
"""

from django.urls import path

from . import apps, authorized, organizations, views
from .schema import SchemaView

urlpatterns = [
    path("api/v4/users/me", views.MeView.as_view(), name="api-users-me"),
    path("api/v4/users/<str:user_id>", views.UserView.as_view(), name="api-user"),
    path("api/v4/oauth/settings", views.ProviderSettingsView.as_view(), name="api-oauth-settings"),
    path("api/v4/oauth/apps", apps.AppListView.as_view(), name="api-oauth-apps"),
    path("api/v4/oauth/apps/<str:client_id>", apps.AppDetailView.as_view(), name="api-oauth-app"),
    path(
        "api/v4/oauth/apps/<str:client_id>/regen_secret",
        apps.AppRegenerateSecretView.as_view(),
        name="api-oauth-app-regen-secret",
    ),
    path("api/v4/oauth/apps/<str:client_id>/info", apps.AppInfoView.as_view(), name="api-oauth-app-info"),
    path(
        "api/v4/users/<str:user_id>/oauth/apps/authorized",
        authorized.AuthorizedAppsView.as_view(),
        name="api-user-authorized-apps",
    ),
    path("api/v4/organizations", organizations.OrganizationListView.as_view(), name="api-organizations"),
    path(
        "api/v4/organizations/<slug:slug>/members",
        organizations.MembersView.as_view(),
        name="api-organization-members",
    ),
    path(
        "api/v4/organizations/<slug:slug>/members/<str:user_id>",
        organizations.MemberView.as_view(),
        name="api-organization-member",
    ),
    path(
        "api/v4/organizations/<slug:slug>/oauth/policy",
        organizations.PolicyView.as_view(),
        name="api-organization-oauth-policy",
    ),
    path(
        "api/v4/organizations/<slug:slug>/oauth/apps",
        organizations.AppAccessListView.as_view(),
        name="api-organization-oauth-apps",
    ),
    path(
        "api/v4/organizations/<slug:slug>/oauth/apps/<str:client_id>/request",
        organizations.AppAccessRequestView.as_view(),
        name="api-organization-oauth-app-request",
    ),
    path(
        "api/v4/organizations/<slug:slug>/oauth/apps/<str:client_id>/approve",
        organizations.AppAccessApproveView.as_view(),
        name="api-organization-oauth-app-approve",
    ),
    path(
        "api/v4/organizations/<slug:slug>/oauth/apps/<str:client_id>/deny",
        organizations.AppAccessDenyView.as_view(),
        name="api-organization-oauth-app-deny",
    ),
    path("api/v4/schema", SchemaView.as_view(), name="api-schema"),
    path("oauth/deauthorize", authorized.DeauthorizeView.as_view(), name="deauthorize"),
]
