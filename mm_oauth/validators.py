"""The field rules of an OAuth 2.0 application, in one place.

The model's ``clean()`` applies them; forms, serializers and the admin reach
them through the model (``full_clean``), so a rule changes here only.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 64
DESCRIPTION_MAX_LENGTH = 512
HOMEPAGE_MAX_LENGTH = 256
ICON_URL_MAX_LENGTH = 512
# Mattermost's bound on all callback URLs together (joined by one separator).
CALLBACK_URLS_MAX_TOTAL_LENGTH = 1024

HOMEPAGE_MESSAGE = _("Homepage must be a valid URL and start with http:// or https://.")
ICON_URL_MESSAGE = _("Icon URL must be a valid URL and start with http:// or https://.")
CALLBACK_URL_MESSAGE = _("Callback URL must be a valid URL and start with http:// or https://.")

_http_url = URLValidator(schemes=["http", "https"])


def _is_http_url(value):
    if value != value.strip() or any(ch.isspace() for ch in value):
        return False
    try:
        _http_url(value)
    except ValidationError:
        return False
    return True


def validate_homepage(value):
    """Require an absolute http(s) URL."""
    if not _is_http_url(value):
        raise ValidationError(HOMEPAGE_MESSAGE, code="invalid_url")


def validate_icon_url(value):
    """Require an absolute http(s) URL (the field itself may be left empty)."""
    if value and not _is_http_url(value):
        raise ValidationError(ICON_URL_MESSAGE, code="invalid_url")


def validate_callback_urls(urls):
    """Check a list of callback URLs; raise one ValidationError listing every problem.

    Rules: at least one; each an absolute http(s) URL without a fragment
    (RFC 6749 section 3.1.2); no duplicates; all together at most 1024
    characters.
    """
    errors = []
    if not urls:
        raise ValidationError(_("At least one callback URL is required."), code="required")
    seen = set()
    for url in urls:
        if not _is_http_url(url):
            errors.append(ValidationError(CALLBACK_URL_MESSAGE, code="invalid_url"))
            continue
        if urlsplit(url).fragment or url.endswith("#"):
            # RFC 6749 section 3.1.2: the redirection endpoint URI MUST NOT include a fragment.
            errors.append(
                ValidationError(
                    _("Callback URL %(url)s must not contain a fragment (#)."), code="fragment", params={"url": url}
                )
            )
            continue
        if url in seen:
            errors.append(
                ValidationError(_("Callback URL %(url)s is listed twice."), code="duplicate", params={"url": url})
            )
        seen.add(url)
    total = len(" ".join(urls))
    if total > CALLBACK_URLS_MAX_TOTAL_LENGTH:
        errors.append(
            ValidationError(
                _("Callback URLs must be at most %(max)d characters in total (they are %(total)d)."),
                code="max_length",
                params={"max": CALLBACK_URLS_MAX_TOTAL_LENGTH, "total": total},
            )
        )
    if errors:
        raise ValidationError(errors)


def split_callback_urls(text):
    """Split a textarea's content (one URL per line) into a list, dropping blank lines."""
    return [line.strip() for line in text.splitlines() if line.strip()]
