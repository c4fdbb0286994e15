"""Remember, list and withdraw users' authorizations of applications."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone

from .. import notifications, signals
from .. import scopes as scope_registry
from ..conf import app_settings
from ..models import AuditEvent, Authorization
from . import audit
from .tokens import revoke_all_tokens


def remembered_authorization(user, app):
    """Return the user's Authorization for ``app``, or None."""
    return Authorization.objects.filter(user=user, application=app).first()


def authorization_covers(user, app, scopes):
    """Return whether ``user`` already granted ``app`` every scope in ``scopes``."""
    authorization = remembered_authorization(user, app)
    return authorization is not None and authorization.covers(scopes)


def record_authorization(user, app, scopes, request=None, refused=()):
    """Remember that ``user`` granted ``scopes`` to ``app`` and refused ``refused`` (merged with earlier grants).

    A scope refused now is dropped from what was granted before, so a later
    request for it asks again. The first grant is audited, signalled and, when
    ``MM_OAUTH["NOTIFY_NEW_AUTHORIZATION"]`` is on, announced to the user by email.
    """
    scopes = set(scopes)
    authorization = remembered_authorization(user, app)
    if authorization is not None:
        merged = (authorization.scopes - set(refused)) | scopes
        if merged != authorization.scopes:
            authorization.scope = " ".join(sorted(merged))
            authorization.save(update_fields=["scope", "updated_at"])
        return authorization, False
    try:
        with transaction.atomic():
            authorization = Authorization.objects.create(user=user, application=app, scope=" ".join(sorted(scopes)))
            audit.record_for(
                AuditEvent.Action.AUTHORIZATION_GRANTED,
                app,
                actor=user,
                request=request,
                changes={"scopes": sorted(scopes)},
            )
    except IntegrityError:  # a concurrent first grant won the race: merge into it
        return record_authorization(user, app, scopes, request, refused)
    signals.authorization_granted.send(sender=Authorization, authorization=authorization, actor=user, request=request)
    if app_settings.NOTIFY_NEW_AUTHORIZATION:
        notify_new_authorization(authorization, request)
    return authorization, True


def notify_new_authorization(authorization, request=None):
    """Email the user, once the grant is committed, that a new application can now act on their account."""
    context = {
        "user": authorization.user,
        "app": authorization.application,
        "scopes": scope_registry.descriptions(authorization.scopes),
        "site_url": notifications.site_url(request),
    }
    notifications.notify("new_authorization", context, [notifications.email_of(authorization.user)])


# "Last used" is shown to the minute: a client that obtains tokens more often than
# that does not rewrite the authorization row on every token request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def last_used_at(user_ref="user_id", app_ref="application_id"):
    """Return a subquery: when the outer row's app last obtained tokens for its user (None if never).

    The token endpoint reads it with the row it locks anyway (the grant or the
    refresh token), so that ``touch()`` can skip a write without a query of its own.
    """
    rows = Authorization.objects.filter(user_id=OuterRef(user_ref), application_id=OuterRef(app_ref))
    return Subquery(rows.values("last_used_at")[:1])


def touch(user, app, last_used=None):
    """Note that ``app`` just obtained tokens for ``user`` (the "last used" date).

    ``last_used`` is the date the caller already read: within
    ``LAST_USED_RESOLUTION`` of now, nothing is written.
    """
    now = timezone.now()
    if last_used is not None and now - last_used < LAST_USED_RESOLUTION:
        return
    Authorization.objects.filter(user=user, application=app).update(last_used_at=now)


def authorized_apps(user):
    """Return the user's authorizations with their applications, newest first."""
    return Authorization.objects.filter(user=user).select_related("application").order_by("-created_at")


def deauthorize(user, app, request=None):
    """Withdraw ``user``'s authorization of ``app``, at once and atomically.

    Deletes the user's access tokens, refresh tokens and pending codes for the
    app and the remembered authorization; the next sign-in asks again (unless the
    app is trusted). Raises Http404 when the user had not authorized the app
    and holds none of its tokens.
    """
    with transaction.atomic():
        revoked = revoke_all_tokens(app, user=user)
        deleted, _ = Authorization.objects.filter(user=user, application=app).delete()
        if not deleted and not any(revoked.values()):
            raise Http404("You have not authorized this application.")
        audit.record_for(
            AuditEvent.Action.AUTHORIZATION_REVOKED, app, actor=user, request=request, changes={"revoked": revoked}
        )
    signals.authorization_revoked.send(sender=Authorization, user=user, app=app, actor=user, request=request)
    return revoked
