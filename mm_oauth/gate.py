"""The provider switch at the door of every protocol endpoint and app-management view (F1)."""

from http import HTTPStatus

from django.http import JsonResponse
from django.template.response import TemplateResponse

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
    """Answer a browser with an HTML page, with status 501."""
    return TemplateResponse(
        request,
        "mm_oauth/provider_disabled.html",
        {"message": PROVIDER_DISABLED_MESSAGE},
        status=HTTPStatus.NOT_IMPLEMENTED,
    )


class ProviderRequiredMixin:
    """Answer 501 before anything else (even the login redirect) while the provider is off."""

    provider_disabled_as_html = False

    def dispatch(self, request, *args, **kwargs):
        if not provider_enabled():
            if self.provider_disabled_as_html:
                return provider_disabled_page(request)
            return provider_disabled_json()
        return super().dispatch(request, *args, **kwargs)
