"""Organizations and their third-party application restrictions.

Owners turn restrictions on and off and approve or deny applications; members
ask for approval. Every decision is audited and signalled, owners are emailed
about requests and requesters about decisions. Denying removes the
organization's access only: the user's tokens stay valid for everything else.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notifications, policy, signals
from ..models import AppAccess, AuditEvent, Membership, Organization
from ..models.app_access import owns
from . import audit
from .users import get_user_by_id, parse_user_pk

Role = Membership.Role
State = AppAccess.State


# --- reading -----------------------------------------------------------------


def membership_of(user, org):
    """Return the user's Membership in ``org``, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(organization=org, user=user).first()


def organizations_of(user):
    """Return the organizations ``user`` belongs to, with ``my_role`` annotated."""
    return Organization.objects.filter(memberships__user=user).annotate(my_role=F("memberships__role"))


def get_org_for(user, slug):
    """Return ``(organization, membership)`` for a member; Http404 for anyone else (outsiders learn nothing)."""
    org = Organization.objects.filter(slug=slug).first()
    membership = membership_of(user, org) if org is not None else None
    if membership is None:
        raise Http404(_("No such organization."))
    return org, membership


def require_owner(user, org):
    """Return the owner's membership (None for a site admin acting as owner); refuse everyone else.

    Site admins (superusers, ``mm_oauth.manage_system_wide_oauth``) may act as
    owners, e.g. from the Django admin.
    """
    membership = membership_of(user, org)
    if membership is not None and membership.is_owner:
        return membership
    if policy.manages_all_apps(user):
        return None
    if membership is None:
        raise Http404(_("No such organization."))
    raise PermissionDenied(_("Only the organization's owners may do this."))


def access_list(org):
    """Return the org's applications as AppAccess rows: pending requests first, then approved, then denied."""
    return AppAccess.objects.listing(org)


def access_state(org, app):
    """Return the app's state in ``org``: an AppAccess.State value, or None when never requested."""
    return AppAccess.objects.state(org, app)


def states_for_user(user, app):
    """Return ``[(organization, membership role, state)]`` for each of the user's organizations."""
    return AppAccess.objects.member_states(user, [app])[app.pk]


# --- changing ----------------------------------------------------------------


def create_organization(*, actor, name, slug, request=None):
    """Create an organization (restrictions on) with ``actor`` as its first owner."""
    org = Organization(name=name, slug=slug)
    org.full_clean()
    try:
        with transaction.atomic():
            org.save()
            Membership.objects.create(organization=org, user=actor, role=Role.OWNER)
            audit.record_for(
                AuditEvent.Action.ORG_CREATED, org, actor=actor, request=request, changes={"name": name, "slug": slug}
            )
    except IntegrityError:
        raise ValidationError({"slug": [_("An organization with this slug already exists.")]}) from None
    return org


def add_member(*, actor, org, user_id, role, request=None):
    """Add a user to ``org`` (or change their role); owners only. The last owner cannot step down.

    Return ``(membership, created)``: created is False when an existing member's role was set.
    """
    require_owner(actor, org)
    if role not in Role.values:
        raise ValidationError({"role": [_("Must be one of: %(roles)s.") % {"roles": ", ".join(Role.values)}]})
    user = get_user_by_id(user_id)
    if user is None:
        raise ValidationError({"user_id": [_("No such user.")]})
    with transaction.atomic():
        owners = Membership.objects.select_for_update().filter(organization=org, role=Role.OWNER)
        if role != Role.OWNER and [m.user_id for m in owners] == [user.pk]:
            raise ValidationError({"role": [_("An organization needs at least one owner.")]})
        membership, created = Membership.objects.update_or_create(organization=org, user=user, defaults={"role": role})
        audit.record_for(
            AuditEvent.Action.ORG_MEMBER_ADDED,
            org,
            actor=actor,
            request=request,
            changes={"user": user.get_username(), "role": role},
        )
    return membership, created


def members_of(org):
    """Return the org's memberships, owners first, then by username."""
    owners_first = Case(When(role=Role.OWNER, then=0), default=1)
    username = f"user__{get_user_model().USERNAME_FIELD}"
    return Membership.objects.filter(organization=org).select_related("user").order_by(owners_first, username)


def remove_member(*, actor, org, user_id, request=None):
    """Remove a user from ``org``: owners remove anyone, a member may leave. The last owner cannot.

    The user's tokens and authorizations are theirs and stay; only the
    organization's resources go out of their reach (and their apps' reach).
    """
    own = membership_of(actor, org)
    target_pk = parse_user_pk(user_id)
    leaving = own is not None and target_pk is not None and own.user_id == target_pk
    if not leaving:
        require_owner(actor, org)
    with transaction.atomic():
        memberships = list(Membership.objects.select_for_update().filter(organization=org).select_related("user"))
        membership = next((m for m in memberships if target_pk is not None and m.user_id == target_pk), None)
        if membership is None:
            raise Http404(_("No such member."))
        owners = [m for m in memberships if m.is_owner]
        if membership.is_owner and len(owners) == 1:
            raise ValidationError({"user_id": [_("An organization needs at least one owner.")]})
        membership.delete()
        audit.record_for(
            AuditEvent.Action.ORG_MEMBER_REMOVED,
            org,
            actor=actor,
            request=request,
            changes={"user": membership.user.get_username(), "role": membership.role},
        )
    return membership


def set_restrictions(*, actor, org, restricted, request=None):
    """Turn third-party app restrictions on or off; owners only. Earlier approvals are kept."""
    require_owner(actor, org)
    restricted = bool(restricted)
    if org.restrict_third_party_apps == restricted:
        return org
    with transaction.atomic():
        org.restrict_third_party_apps = restricted
        org.save(update_fields=["restrict_third_party_apps"])
        action = (
            AuditEvent.Action.ORG_RESTRICTIONS_ENABLED if restricted else AuditEvent.Action.ORG_RESTRICTIONS_DISABLED
        )
        audit.record_for(action, org, actor=actor, request=request, changes={})
    signals.org_restrictions_changed.send(
        sender=Organization, organization=org, restricted=restricted, actor=actor, request=request
    )
    return org


def request_access(*, actor, org, app, request=None):
    """Ask the owners to approve ``app`` for ``org``; members only.

    An app the organization owns is approved at once; an approved app stays
    approved; a pending request is not repeated. Owners are emailed.
    """
    if membership_of(actor, org) is None:
        raise Http404(_("No such organization."))
    if owns(org, app):
        return _decide(actor, org, app, State.APPROVED, request, notify=False)
    now = timezone.now()
    with transaction.atomic():
        access, created = AppAccess.objects.select_for_update().get_or_create(
            organization=org,
            application=app,
            defaults={"state": State.REQUESTED, "requested_by": actor, "requested_at": now},
        )
        if not created:
            if access.state in (State.APPROVED, State.REQUESTED):
                return access
            access.state, access.requested_by, access.requested_at = State.REQUESTED, actor, now
            access.decided_by = access.decided_at = None
            access.save()
        audit.record_for(
            AuditEvent.Action.APP_ACCESS_REQUESTED,
            org,
            actor=actor,
            request=request,
            changes={"application": app.client_id},
        )
    signals.app_access_requested.send(sender=AppAccess, access=access, actor=actor, request=request)
    _notify_owners(access, request)
    return access


def approve(*, actor, org, app, request=None):
    """Approve ``app`` for ``org``; owners only. Restores access without users re-authorizing."""
    require_owner(actor, org)
    return _decide(actor, org, app, State.APPROVED, request)


def deny(*, actor, org, app, request=None):
    """Deny ``app`` (also a previously approved one); owners only. Users' tokens are untouched."""
    require_owner(actor, org)
    if owns(org, app):
        raise ValidationError({"application": [_("An application owned by the organization is always approved.")]})
    return _decide(actor, org, app, State.DENIED, request)


def _decide(actor, org, app, state, request, notify=True):
    with transaction.atomic():
        access, _created = AppAccess.objects.select_for_update().get_or_create(
            organization=org, application=app, defaults={"state": state}
        )
        access.state, access.decided_by, access.decided_at = state, actor, timezone.now()
        access.save()
        approved = state == State.APPROVED
        action = AuditEvent.Action.APP_ACCESS_APPROVED if approved else AuditEvent.Action.APP_ACCESS_DENIED
        audit.record_for(action, org, actor=actor, request=request, changes={"application": app.client_id})
    signal = signals.app_access_approved if approved else signals.app_access_denied
    signal.send(sender=AppAccess, access=access, actor=actor, request=request)
    if notify:
        _notify_requester(access, request)
    return access


# --- notifications ---------------------------------------------------------------


def _notify_owners(access, request):
    owners = Membership.objects.filter(organization=access.organization, role=Role.OWNER).select_related("user")
    context = {
        "access": access,
        "org": access.organization,
        "app": access.application,
        "site_url": notifications.site_url(request),
    }
    notifications.notify("app_access_requested", context, [notifications.email_of(m.user) for m in owners])


def _notify_requester(access, request):
    if access.requested_by is None or access.requested_by == access.decided_by:
        return
    context = {
        "access": access,
        "org": access.organization,
        "app": access.application,
        "site_url": notifications.site_url(request),
    }
    notifications.notify("app_access_decided", context, [notifications.email_of(access.requested_by)])
