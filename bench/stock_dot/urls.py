"""DOT's own views at DOT's paths (``/o/token/``, ``/o/introspect/``, ``/o/authorize/``), and ``users/me``."""

from django.urls import include, path

from .views import MeView

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("api/v4/users/me", MeView.as_view(), name="users-me"),
]
