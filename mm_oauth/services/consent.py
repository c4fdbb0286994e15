"""Remember, list and withdraw users' authorizations of applications."""

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from .. import notifications, signals
from ..conf import app_settings
from ..models import AuditEvent, Consent
from . import audit
from .tokens import revoke_all_tokens


def remembered_consent(user, app):
    """Return the user's Consent for ``app``, or None."""
    return Consent.objects.filter(user=user, application=app).first()


def consent_covers(user, app, scopes):
    """Return whether ``user`` already granted ``app`` every scope in ``scopes``."""
    consent = remembered_consent(user, app)
    return consent is not None and consent.covers(scopes)


def record_grant(user, app, scopes, request=None):
    """Remember that ``user`` granted ``scopes`` to ``app`` (merged with earlier grants).

    The first grant is audited, signalled and, when
    ``MM_OAUTH["NOTIFY_NEW_AUTHORIZATION"]`` is on, announced to the user by email.
    """
    scopes = set(scopes)
    consent = remembered_consent(user, app)
    if consent is not None:
        if not consent.covers(scopes):
            consent.scope = " ".join(sorted(consent.scopes | scopes))
            consent.save(update_fields=["scope", "updated_at"])
        return consent, False
    try:
        with transaction.atomic():
            consent = Consent.objects.create(user=user, application=app, scope=" ".join(sorted(scopes)))
            audit.record_for(
                AuditEvent.Action.AUTHORIZATION_GRANTED,
                app,
                actor=user,
                request=request,
                changes={"scopes": sorted(scopes)},
            )
    except IntegrityError:  # a concurrent first grant won the race: merge into it
        return record_grant(user, app, scopes, request)
    signals.authorization_granted.send(sender=Consent, consent=consent, actor=user, request=request)
    if app_settings.NOTIFY_NEW_AUTHORIZATION:
        notify_new_authorization(consent, request)
    return consent, True


def notify_new_authorization(consent, request=None):
    """Email the user, once the grant is committed, that a new application can now act on their account."""
    context = {
        "user": consent.user,
        "app": consent.application,
        "scopes": sorted(consent.scopes),
        "site_url": notifications.site_url(request),
    }
    notifications.notify("new_authorization", context, [notifications.email_of(consent.user)])


def touch(user, app):
    """Note that ``app`` just obtained tokens for ``user`` (the "last used" date)."""
    Consent.objects.filter(user=user, application=app).update(last_used_at=timezone.now())


def authorized_apps(user):
    """Return the user's consents with their applications, newest first."""
    return Consent.objects.filter(user=user).select_related("application").order_by("-created_at")


def deauthorize(user, app, request=None):
    """Withdraw ``user``'s authorization of ``app``, at once and atomically.

    Deletes the user's access tokens, refresh tokens and pending codes for the
    app and the remembered consent; the next sign-in asks again (unless the
    app is trusted). Raises Http404 when the user had not authorized the app
    and holds none of its tokens.
    """
    with transaction.atomic():
        revoked = revoke_all_tokens(app, user=user)
        deleted, _ = Consent.objects.filter(user=user, application=app).delete()
        if not deleted and not any(revoked.values()):
            raise Http404("You have not authorized this application.")
        audit.record_for(
            AuditEvent.Action.AUTHORIZATION_REVOKED, app, actor=user, request=request, changes={"revoked": revoked}
        )
    signals.authorization_revoked.send(sender=Consent, user=user, app=app, actor=user, request=request)
    return revoked
