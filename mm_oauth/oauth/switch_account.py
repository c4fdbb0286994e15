""" "Not you?" on the consent page: sign out, then sign in as someone else and come back to the same request.

A POST with the CSRF token (a sign-out by GET could be triggered by any page
that embeds a link). Only the authorize request's query is taken from the
form: the way back is always this site's authorize endpoint, so no ``next``
can point elsewhere (no open redirect).
"""

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.shortcuts import resolve_url
from django.urls import reverse
from django.views import View


class SwitchAccountView(View):
    """POST only: sign the user out, then send them to the login page with ``next`` = the authorize request."""

    http_method_names = ["post"]

    def post(self, request):
        query = QueryDict(request.POST.get("query", ""))  # parsed and re-encoded: only parameters survive
        back = reverse("mm_oauth:authorize")
        if query:
            back = f"{back}?{query.urlencode()}"
        logout(request)
        return redirect_to_login(back, resolve_url(settings.LOGIN_URL))
