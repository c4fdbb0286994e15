"""The provider switch at the door of every protocol endpoint and app-management view (F1)."""

from http import HTTPStatus

from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, get_script_prefix, reverse

from .models.provider_settings import PROVIDER_DISABLED_MESSAGE, provider_enabled


def provider_disabled_json():
    """Answer a protocol request in RFC 6749's error shape, with status 501."""
    response = JsonResponse(
        {"error": "temporarily_unavailable", "error_description": str(PROVIDER_DISABLED_MESSAGE)},
        status=HTTPStatus.NOT_IMPLEMENTED,
    )
    response["Cache-Control"] = "no-store"
    return response


def provider_disabled_page(request):
    """Answer a browser with an HTML page, with status 501: the switch for a superuser, a way back for others."""
    context = {
        "message": PROVIDER_DISABLED_MESSAGE,
        "settings_url": provider_settings_url(request.user),
        "home_url": get_script_prefix(),
    }
    return TemplateResponse(request, "mm_oauth/provider_disabled.html", context, status=HTTPStatus.NOT_IMPLEMENTED)


def provider_settings_url(user):
    """Return the admin page of the provider switch for a superuser, when the site has Django's admin; else None."""
    if not getattr(user, "is_superuser", False):
        return None
    try:
        return reverse("admin:mm_oauth_providersettings_changelist")
    except NoReverseMatch:
        return None


class ProviderRequiredMixin:
    """Answer 501 before anything else (even the login redirect) while the provider is off."""

    provider_disabled_as_html = False

    def dispatch(self, request, *args, **kwargs):
        if not provider_enabled():
            if self.provider_disabled_as_html:
                return provider_disabled_page(request)
            return provider_disabled_json()
        return super().dispatch(request, *args, **kwargs)
