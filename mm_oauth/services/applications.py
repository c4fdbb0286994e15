"""Register applications: validate every field, generate the secret, return it once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model


def register_application(
    *,
    creator,
    name,
    description,
    homepage,
    callback_urls,
    icon_url="",
    client_type="confidential",
    is_trusted=False,
):
    """Create an application and return ``(app, client_secret)``.

    The secret is generated here (never typed by a person) and is returned
    in plain text only now: the database keeps its hash. Public clients get
    no secret (``""``). Raises ValidationError, keyed by field, and saves
    nothing when a field breaks a rule.
    """
    Application = get_application_model()
    app = Application(
        user=creator,
        name=name,
        description=description,
        homepage=homepage,
        icon_url=icon_url,
        client_type=client_type,
        is_trusted=bool(is_trusted),
    )
    app.callback_urls = list(callback_urls)
    secret = "" if app.is_public else generate_client_secret()
    app.client_secret = secret
    app.full_clean(exclude=["client_secret"])
    with transaction.atomic():
        app.save()
    return app, secret


__all__ = ["register_application", "ValidationError"]
