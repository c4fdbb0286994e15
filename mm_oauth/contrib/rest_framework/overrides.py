"""Integration display overrides (Mattermost's "override usernames / icons").

A host calls ``display_for(request, ...)`` when an app creates content through
its API. The requested display name and icon are honoured only when the request
was authenticated by an OAuth access token and the system admin has switched on
``allow_username_override`` / ``allow_icon_override``; content made with a token
is always marked as coming from that app.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ...models.provider_settings import get_provider_settings
from ...validators import NAME_MAX_LENGTH, validate_icon_url
from .authentication import is_token_request


@dataclass(frozen=True)
class Display:
    """How to show a piece of content: the app it came from, and any display overrides."""

    app: object = None
    username: str = ""
    icon_url: str = ""

    @property
    def from_app(self):
        return self.app is not None


def display_for(request, *, override_username=None, override_icon_url=None):
    """Return the Display for content created by ``request`` (a DRF request).

    Raises ValidationError keyed ``override_username`` / ``override_icon_url``
    for a bad value that would have been honoured; ignored values are not checked.
    """
    if not is_token_request(request):
        return Display()
    config = get_provider_settings()
    errors = {}
    username = ""
    if config.allow_username_override and override_username:
        username = " ".join(str(override_username).split())
        if len(username) > NAME_MAX_LENGTH:
            errors["override_username"] = [f"Ensure this value has at most {NAME_MAX_LENGTH} characters."]
    icon_url = ""
    if config.allow_icon_override and override_icon_url:
        icon_url = str(override_icon_url)
        try:
            validate_icon_url(icon_url)
        except ValidationError as exc:
            errors["override_icon_url"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return Display(app=request.auth.application, username=username, icon_url=icon_url)
