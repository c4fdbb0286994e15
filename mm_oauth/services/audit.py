"""Record audit events. Callers pass only what may be kept: never a secret or a token."""

from ..models.audit import AuditEvent
from ..models.organization import Organization

SECRET_FIELDS = frozenset({"client_secret", "previous_client_secret", "token", "code", "password"})


def client_address(request):
    """Return the address of the peer that reached Django (None without a request)."""
    # REMOTE_ADDR is the peer that reached Django; behind a proxy, configure the
    # proxy (or a middleware) to set it from X-Forwarded-For: a header a client
    # can forge must not be trusted here.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(action, *, actor=None, request=None, target_type, target_id="", target_label="", changes=None):
    """Store one AuditEvent and return it."""
    changes = {key: value for key, value in (changes or {}).items() if key not in SECRET_FIELDS}
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        action=action,
        actor=actor if authenticated else None,
        actor_label=actor.get_username() if authenticated else "",
        target_type=target_type,
        target_id=str(target_id),
        target_label=str(target_label)[:255],
        changes=changes,
        ip_address=client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:256],
    )


def record_for(action, target, *, actor=None, request=None, changes=None):
    """Record an event about an application (by client ID) or an organization (by slug)."""
    if isinstance(target, Organization):
        kind, ident = "organization", target.slug
    else:
        kind, ident = "application", target.client_id
    return record(
        action,
        actor=actor,
        request=request,
        target_type=kind,
        target_id=ident,
        target_label=target.name,
        changes=changes,
    )
