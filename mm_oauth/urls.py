"""Every mm_oauth URL at its Mattermost-compatible path. A host pastes one line::

    urlpatterns = [
        path("", include("mm_oauth.urls")),
        ...
    ]

which serves ``/oauth/…``, ``/.well-known/oauth-authorization-server`` and
``/api/v4/…``. To mount a part elsewhere, include ``mm_oauth.oauth.urls`` or
``mm_oauth.api.urls`` with ``namespace="mm_oauth"`` under a prefix of your choice.
"""

from django.urls import include, path

app_name = "mm_oauth"

urlpatterns = [
    path("", include("mm_oauth.oauth.urls")),
    path("", include("mm_oauth.api.urls")),
]
