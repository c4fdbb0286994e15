"""Keep third-party apps out of organizations that have not approved them.

Host projects protect organization-owned resources with two pieces:

``visible_to(request, queryset)``
    Filter a queryset of resources to those the request may see: every public
    resource, and the private ones of organizations where the request acts as
    a member.

``OrganizationResourcePermission``
    A DRF permission: full access (as far as the host's other permissions
    allow) where the request acts as a member; elsewhere public resources are
    read-only and private ones do not exist (404).

A request "acts as a member" of an organization when its user is a member and
either it is a first-party request (session), or the organization does not
restrict third-party apps, or the app behind the access token is approved for
it (or owned by it). A restricted organization thus sees an unapproved app as
if the user were not a member, exactly as GitHub does.

Resources name their organization and privacy with ``organization`` and
``private`` fields; set ``org_field`` / ``private_field`` (the helper's
arguments, or the view's attributes) for other names.
"""

from django.db.models import Q
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ...models import AppAccess, Organization
from .authentication import is_token_request


def _acting_app(request):
    """Return the app behind an OAuth token request, or None for a first-party (session) request."""
    return request.auth.application if is_token_request(request) else None


def member_org_ids(request):
    """Return a queryset of the ids of organizations where ``request`` acts as a member."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Organization.objects.none().values("pk")
    return AppAccess.objects.admitting_org_ids(user, _acting_app(request))


def acts_as_member(request, org):
    """Return whether ``request`` acts as a member of ``org`` (see the module docstring)."""
    return member_org_ids(request).filter(pk=org.pk).exists()


def visible_to(request, queryset, org_field="organization", private_field="private"):
    """Filter ``queryset`` to the resources ``request`` may see."""
    return queryset.filter(Q(**{private_field: False}) | Q(**{f"{org_field}__in": member_org_ids(request)}))


class OrganizationResourcePermission(BasePermission):
    """Object permission for organization-owned resources (see the module docstring)."""

    message = (
        "This application is not approved by the organization: its resources are read-only "
        "to it. Ask an owner to approve the application."
    )

    def has_object_permission(self, request, view, obj):
        org = getattr(obj, getattr(view, "org_field", "organization"))
        if acts_as_member(request, org):
            return True
        if getattr(obj, getattr(view, "private_field", "private")):
            raise exceptions.NotFound()
        return request.method in SAFE_METHODS
