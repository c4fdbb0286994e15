"""Account settings > Security > OAuth 2.0 Applications: the apps a user authorized.

Always available, even while the provider is switched off: people must be able
to see who can act for them and withdraw that access at any time.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.generic import View

from .. import scopes as scope_registry
from ..models import AppAccess
from ..models.provider_settings import provider_enabled
from ..services import authorizations

LIST_URL = "mm_oauth:authorized-apps"


def scope_words(scopes):
    """Return each scope described in plain words, as on the consent page."""
    return scope_registry.descriptions(scopes)


class AuthorizedAppsView(LoginRequiredMixin, View):
    """List the applications the signed-in user authorized."""

    def get(self, request):
        authorized = list(authorizations.authorized_apps(request.user))
        # Each organization's stance on each app, with Request (members) and Grant (owners) buttons.
        org_access = AppAccess.objects.member_rows(
            request.user, [authorization.application for authorization in authorized]
        )
        rows = [
            {
                "authorization": authorization,
                "app": authorization.application,
                "scopes": scope_words(authorization.scopes),
                "org_access": org_access[authorization.application.pk],
            }
            for authorization in authorized
        ]
        context = {"rows": rows, "provider_enabled": provider_enabled(), "next": request.get_full_path()}
        return TemplateResponse(request, "mm_oauth/authorized/list.html", context)


class DeauthorizeView(LoginRequiredMixin, View):
    """Confirm (GET), then withdraw the user's authorization of one app (POST)."""

    def get_authorization(self, request, client_id):
        authorization = authorizations.authorized_apps(request.user).filter(application__client_id=client_id).first()
        if authorization is None:
            raise Http404("You have not authorized this application.")
        return authorization

    def get(self, request, client_id):
        authorization = self.get_authorization(request, client_id)
        context = {"app": authorization.application, "scopes": scope_words(authorization.scopes)}
        return TemplateResponse(request, "mm_oauth/authorized/deauthorize.html", context)

    def post(self, request, client_id):
        app = self.get_authorization(request, client_id).application
        authorizations.deauthorize(request.user, app, request=request)
        messages.success(
            request,
            _("%(name)s can no longer access your account.") % {"name": app.name},
            fail_silently=True,
        )
        return redirect(LIST_URL)
