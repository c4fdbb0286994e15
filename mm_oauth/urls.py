"""Every mm_oauth URL at its Mattermost-compatible path. A host pastes one line::

    urlpatterns = [
        path("", include("mm_oauth.urls")),
        ...
    ]

which serves ``/oauth/…``, ``/.well-known/oauth-authorization-server``,
``/api/v4/…``, the app management pages at ``/integrations/oauth2-apps/``,
the user's authorized apps at ``/account/security/oauth-apps/`` and the
organization pages at ``/organizations/``.
To mount a part elsewhere, include ``mm_oauth.oauth.urls``,
``mm_oauth.api.urls``, ``mm_oauth.web.urls``, ``mm_oauth.web.account_urls``
or ``mm_oauth.web.org_urls`` in the ``mm_oauth`` namespace
under a prefix of your choice::

    path("developers/apps/", include(("mm_oauth.web.urls", "mm_oauth")))
"""

from django.urls import include, path

app_name = "mm_oauth"

urlpatterns = [
    path("", include("mm_oauth.oauth.urls")),
    path("", include("mm_oauth.api.urls")),
    path("integrations/oauth2-apps/", include("mm_oauth.web.urls")),
    path("account/security/oauth-apps/", include("mm_oauth.web.account_urls")),
    path("organizations/", include("mm_oauth.web.org_urls")),
]
