"""The REST API's URLs, relative to the site root (included by ``mm_oauth.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("api/v4/users/me", views.MeView.as_view(), name="api-users-me"),
    path("api/v4/oauth/settings", views.ProviderSettingsView.as_view(), name="api-oauth-settings"),
]
