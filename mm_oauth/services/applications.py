"""Register, change, delete applications and regenerate their secrets.

Every operation takes ``actor`` (the user doing it, or None for the system: a
management command) and ``request`` (for the audit trail), enforces
``mm_oauth.policy``, records an audit event and sends its signal. HTML views,
API views, the admin and management commands all call these.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from .. import policy, signals, validators
from ..conf import app_settings
from ..errors import merge_messages
from ..models.audit import AuditEvent
from . import audit
from .tokens import revoke_all_tokens

EDITABLE_FIELDS = ("name", "description", "homepage", "icon_url", "callback_urls", "is_trusted", "scopes")
# Fields given as lists, checked item by item before they are joined into one column.
LIST_FIELDS = ("callback_urls", "scopes")
NOT_ALLOWED_MESSAGE = "You may not register OAuth 2.0 applications on this site."


def get_app_for(actor, client_id, queryset=None):
    """Return the application ``actor`` may manage, or raise Http404 (never reveal others' apps)."""
    Application = get_application_model()
    queryset = queryset if queryset is not None else Application.objects.select_related("user")
    app = queryset.filter(client_id=client_id).first()
    if app is None or (actor is not None and not policy.may_manage_app(actor, app)):
        raise Http404("No such OAuth 2.0 application.")
    return app


def register_application(
    *,
    name,
    description,
    homepage,
    callback_urls,
    icon_url="",
    client_type="confidential",
    is_trusted=False,
    scopes=(),
    creator=None,
    actor=None,
    request=None,
):
    """Create an application and return ``(app, client_secret)``.

    ``scopes``: the registered scopes it may ask for (none: every one).

    The secret is generated here (never typed by a person) and is returned in
    plain text only now: the database keeps its hash. Public clients get no
    secret (``""``). Raises ValidationError, keyed by field, and saves nothing
    when a field breaks a rule; PermissionDenied when ``actor`` may not register.
    """
    if actor is not None:
        if not policy.may_register_apps(actor):
            raise PermissionDenied(NOT_ALLOWED_MESSAGE)
        creator = actor if creator is None else creator
        if not policy.may_set_trusted(actor):
            is_trusted = False  # ignored, as in Mattermost: only system admins decide
    Application = get_application_model()
    app = Application(
        user=creator,
        name=name,
        description=description,
        homepage=homepage,
        icon_url=icon_url or "",
        client_type=client_type,
        is_trusted=bool(is_trusted),
    )
    app.callback_urls = list(callback_urls)
    app.scopes = list(scopes)
    secret = "" if app.is_public else generate_client_secret()
    app.client_secret = secret
    _validate(app, callback_urls, scopes)
    with transaction.atomic():
        app.save()
        audit.record_for(AuditEvent.Action.APP_CREATED, app, actor=actor, request=request, changes=describe(app))
    signals.app_created.send(sender=Application, app=app, actor=actor, request=request)
    return app, secret


def _validate(app, callback_urls=None, scopes=None):
    """Run the model's rules, checking ``callback_urls`` and ``scopes`` as given (before they are joined).

    Joining with spaces would turn one URL containing a space into two valid
    ones, and the scope "read write" into two registered scopes.
    """
    errors = {}
    rules = (
        ("redirect_uris", validators.validate_callback_urls, callback_urls),
        ("allowed_scopes", validators.validate_scope_names, scopes),
    )
    for field, validate, value in rules:
        if value is None:
            continue
        try:
            if field == "redirect_uris":
                validate(list(value), public=app.is_public)
            else:
                validate(list(value))
        except ValidationError as exc:
            errors[field] = exc.messages
    try:
        app.full_clean(exclude=["client_secret"])
    except ValidationError as exc:
        merge_messages(errors, exc)
    if errors:
        raise ValidationError(errors)


def describe(app):
    """Return the application's public fields, as recorded in the audit trail."""
    return {
        "name": app.name,
        "description": app.description,
        "homepage": app.homepage,
        "icon_url": app.icon_url,
        "callback_urls": app.callback_urls,
        "client_type": app.client_type,
        "is_trusted": app.is_trusted,
        "scopes": app.scopes,
    }


def update_application(app, *, actor=None, request=None, **changes):
    """Change editable fields; return ``{field: [old, new]}`` of what changed.

    ``is_trusted`` from someone other than a superuser is ignored (kept as is).
    The client type is fixed at registration. Raises ValidationError keyed by
    field and changes nothing on bad input.
    """
    if actor is not None and not policy.may_manage_app(actor, app):
        raise Http404("No such OAuth 2.0 application.")
    if "client_type" in changes:
        if changes.pop("client_type") != app.client_type:
            raise ValidationError(
                {"client_type": ["The client type is fixed at registration; register a new application instead."]}
            )
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    if actor is not None and not policy.may_set_trusted(actor):
        changes.pop("is_trusted", None)
    if app.registration_source == app.RegistrationSource.DCR:
        changes.pop("is_trusted", None)  # a client that registered itself is never trusted (RFC 7591 section 5)
    before = describe(app)
    for field, value in changes.items():
        setattr(app, field, list(value) if field in LIST_FIELDS else value)
    if "icon_url" in changes and app.icon_url is None:
        app.icon_url = ""
    try:
        _validate(app, changes.get("callback_urls"), changes.get("scopes"))
    except ValidationError:
        app.refresh_from_db()
        raise
    after = describe(app)
    changed = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
    if changed:
        with transaction.atomic():
            app.save()
            audit.record_for(AuditEvent.Action.APP_UPDATED, app, actor=actor, request=request, changes=changed)
        signals.app_updated.send(sender=type(app), app=app, actor=actor, request=request, changes=changed)
    return changed


def callbacks_would_change(app, callback_urls):
    """Return whether saving ``callback_urls`` removes or changes a registered callback."""
    return list(callback_urls) != app.callback_urls


def delete_application(app, *, actor=None, request=None):
    """Delete ``app`` and every token, refresh token, code and authorization of it, for all users, atomically."""
    if actor is not None and not policy.may_manage_app(actor, app):
        raise Http404("No such OAuth 2.0 application.")
    summary = describe(app)
    with transaction.atomic():
        summary["revoked"] = revoke_all_tokens(app)
        audit.record_for(AuditEvent.Action.APP_DELETED, app, actor=actor, request=request, changes=summary)
        client_id = app.client_id
        app.delete()
    app.client_id = client_id
    signals.app_deleted.send(sender=type(app), app=app, actor=actor, request=request)
    return summary["revoked"]


def regenerate_secret(app, *, actor=None, request=None, grace_seconds=None):
    """Give ``app`` a new secret and return it (the only time it is shown).

    Tokens already issued stay valid. The old secret stops working for new
    token requests at once, or after ``grace_seconds`` (default:
    ``MM_OAUTH["SECRET_ROTATION_GRACE_SECONDS"]``, 0) for zero-downtime rotation.
    """
    if actor is not None and not policy.may_manage_app(actor, app):
        raise Http404("No such OAuth 2.0 application.")
    if app.is_public:
        raise ValidationError({"client_type": ["Public clients have no secret to regenerate."]})
    grace = app_settings.SECRET_ROTATION_GRACE_SECONDS if grace_seconds is None else grace_seconds
    if grace < 0:
        raise ValidationError({"grace_period": ["The grace period cannot be negative."]})
    secret = generate_client_secret()
    if grace > 0:
        app.previous_client_secret = app.client_secret  # already a hash
        app.previous_secret_expires_at = timezone.now() + timedelta(seconds=grace)
    else:
        app.previous_client_secret = ""
        app.previous_secret_expires_at = None
    app.client_secret = secret
    app.hash_client_secret = True
    with transaction.atomic():
        app.save()
        audit.record_for(
            AuditEvent.Action.APP_SECRET_REGENERATED,
            app,
            actor=actor,
            request=request,
            changes={"grace_seconds": grace},
        )
    signals.app_secret_regenerated.send(sender=type(app), app=app, actor=actor, request=request)
    return secret


# The same rules for clients that register themselves (mm_oauth.services.registration).
validate_fields = _validate
