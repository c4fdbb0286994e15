"""The authorized-apps pages, relative to their prefix.

``mm_oauth.urls`` mounts them at ``account/security/oauth-apps/``; names:
``mm_oauth:authorized-apps`` and ``mm_oauth:deauthorize-app``.
"""

from django.urls import path

from . import authorized

urlpatterns = [
    path("", authorized.AuthorizedAppsView.as_view(), name="authorized-apps"),
    path("<str:client_id>/deauthorize/", authorized.DeauthorizeView.as_view(), name="deauthorize-app"),
]
