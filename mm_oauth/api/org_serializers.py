"""Serializers for ``/api/v4/organizations``, in Mattermost's style: ids as strings, times in ms.

An organization reads as::

    {"id": "<pk>", "name": "Acme", "slug": "acme", "role": "owner",
     "restrict_third_party_apps": true, "create_at": <ms>}

and an application's standing with it as::

    {"app": {"id": "<client ID>", "name", "description", "homepage", "icon_url"},
     "state": "requested" | "approved" | "denied",
     "requested_by": "<user id or ''>", "requested_at": <ms or 0>,
     "decided_by": "<user id or ''>", "decided_at": <ms or 0>}

Input serializers check the shape of a body only (types, unknown keys); the
rules (slug format and uniqueness, who may do what) are the services'.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import AppAccess, Membership
from .app_serializers import AppPublicSerializer, StrictCharField
from .serializers import StrictBooleanField, StrictInputSerializer, epoch_ms


def _user_id(user_id):
    return str(user_id) if user_id is not None else ""


class OrganizationSerializer(serializers.Serializer):
    """An organization as its members read it, with the reader's role."""

    id = serializers.SerializerMethodField()
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)
    role = serializers.SerializerMethodField(help_text="Your role: owner or member.")
    restrict_third_party_apps = serializers.BooleanField(read_only=True)
    create_at = serializers.SerializerMethodField(help_text="Milliseconds since the epoch.")

    def get_id(self, org) -> str:
        return str(org.pk)

    def get_role(self, org) -> str:
        # ``organizations_of`` annotates ``my_role``; a view may pass the role in context instead.
        return getattr(org, "my_role", None) or self.context.get("role", "")

    def get_create_at(self, org) -> int:
        return epoch_ms(org.created_at)


class OrganizationCreateSerializer(StrictInputSerializer):
    """A new organization: you become its first owner; restrictions start on."""

    name = StrictCharField(help_text="At most 100 characters.")
    slug = StrictCharField(help_text="Letters, digits, hyphens and underscores; unique; at most 50 characters.")


@extend_schema_field(OpenApiTypes.STR)
class UserIdField(serializers.Field):
    """A user ID: a string of digits (Mattermost sends ids as strings) or a JSON integer."""

    default_error_messages = {"invalid": "Must be a user ID (a string of digits)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("invalid")
        return str(data).strip()

    def to_representation(self, value):
        return str(value)


class MemberInputSerializer(StrictInputSerializer):
    """Add a user to the organization, or change their role."""

    user_id = UserIdField(help_text="The user's ID.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MembershipSerializer(serializers.Serializer):
    organization_id = serializers.SerializerMethodField()
    user_id = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=Membership.Role.choices, read_only=True)
    create_at = serializers.SerializerMethodField(help_text="When the user joined; milliseconds since the epoch.")

    def get_organization_id(self, membership) -> str:
        return str(membership.organization_id)

    def get_user_id(self, membership) -> str:
        return str(membership.user_id)

    def get_create_at(self, membership) -> int:
        return epoch_ms(membership.created_at)


class PolicySerializer(StrictInputSerializer):
    """The organization's third-party application policy."""

    restrict_third_party_apps = StrictBooleanField(
        help_text="On: only applications an owner approved reach the organization's private resources."
    )


class AppAccessSerializer(serializers.Serializer):
    """One application's standing with the organization, with who asked and who decided, and when."""

    app = AppPublicSerializer(source="application", read_only=True)
    state = serializers.ChoiceField(choices=AppAccess.State.choices, read_only=True)
    requested_by = serializers.SerializerMethodField(help_text="The requester's user ID; empty if none.")
    requested_at = serializers.SerializerMethodField(help_text="Milliseconds since the epoch; 0 if never requested.")
    decided_by = serializers.SerializerMethodField(help_text="The deciding owner's user ID; empty if undecided.")
    decided_at = serializers.SerializerMethodField(help_text="Milliseconds since the epoch; 0 if undecided.")
    owned = serializers.SerializerMethodField(
        help_text="The application belongs to the organization, so it is always approved and cannot be denied."
    )

    def get_requested_by(self, access) -> str:
        return _user_id(access.requested_by_id)

    def get_requested_at(self, access) -> int:
        return epoch_ms(access.requested_at)

    def get_decided_by(self, access) -> str:
        return _user_id(access.decided_by_id)

    def get_decided_at(self, access) -> int:
        return epoch_ms(access.decided_at)

    def get_owned(self, access) -> bool:
        return access.owned
