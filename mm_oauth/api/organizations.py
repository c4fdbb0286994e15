"""Organizations and their third-party application restrictions.

- ``GET/POST /api/v4/organizations``: the organizations you belong to, with
  your role; create one (``{"name", "slug"}``), becoming its first owner.
- ``GET/POST /api/v4/organizations/{slug}/members``: the members with their
  roles (members read); add a user or change their role
  (``{"user_id", "role"}``; owners).
- ``DELETE /api/v4/organizations/{slug}/members/{user_id}``: owners remove a
  member, a member leaves; the last owner cannot.
- ``GET/PUT /api/v4/organizations/{slug}/oauth/policy``:
  ``{"restrict_third_party_apps": bool}``; members read, owners change.
- ``GET /api/v4/organizations/{slug}/oauth/apps``: each application's state
  with who asked and who decided, pending requests first; members.
- ``POST /api/v4/organizations/{slug}/oauth/apps/{client_id}/request``: a
  member asks the owners to approve an application (they are emailed).
- ``POST …/approve`` and ``…/deny``: an owner decides (the requester is emailed).

For signed-in people only (session with CSRF): an OAuth access token gets 403,
so an app can never approve itself. Anyone who is not a member gets 404 for
everything under an organization's slug; a member doing an owner's thing gets
403 with the reason. These endpoints work while the provider is switched off:
an owner must always be able to withdraw an organization's access.
The rules live in ``mm_oauth.services.organizations``; these views translate
HTTP to those calls.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from oauth2_provider.models import get_application_model
from rest_framework import status
from rest_framework.response import Response

from ..models import Membership
from ..services import organizations as orgs
from .app_serializers import StatusOKSerializer
from .base import PeopleOnlyAPIView
from .exceptions import field_errors
from .org_serializers import (
    AppAccessSerializer,
    MemberInputSerializer,
    MembershipSerializer,
    OrganizationCreateSerializer,
    OrganizationSerializer,
    PolicySerializer,
)
from .pagination import PageParametersSerializer, page_of
from .schema import ErrorSerializer, extend_schema
from .schema import error_responses as app_error_responses

SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The organization's slug.")
CLIENT_ID = OpenApiParameter("client_id", str, OpenApiParameter.PATH, description="The application's client ID.")
USER_ID = OpenApiParameter("user_id", str, OpenApiParameter.PATH, description="The user's ID.")
TAGS = ["organizations"]

_ERROR_DESCRIPTIONS = {
    403: ("Not allowed: see `message` (an owner's action by a member, an OAuth access token used, or no CSRF token)."),
    404: "No such organization, or you are not a member of it; or no such application.",
}


def error_responses(*status_codes):
    """Return extend_schema ``responses`` entries in the error shape, described for organizations."""
    responses = app_error_responses(*status_codes)
    for code, description in _ERROR_DESCRIPTIONS.items():
        if code in responses:
            responses[code] = OpenApiResponse(ErrorSerializer, description=description)
    return responses


# The model's field names where the API's differ.
API_FIELD_NAMES = {"application": "client_id", "user": "user_id"}


class OrganizationAPIView(PeopleOnlyAPIView):
    """An endpoint under ``/api/v4/organizations/{slug}``: members only, everyone else gets 404."""

    owners_only = False

    def initial(self, request, *args, **kwargs):
        # Authentication and permissions first (401 anonymous, 403 tokens), then
        # membership (404 outsiders), then the owner's rights (403 with the reason).
        super().initial(request, *args, **kwargs)
        self.organization, self.membership = orgs.get_org_for(request.user, kwargs["slug"])
        if self.owners_only:
            orgs.require_owner(request.user, self.organization)

    def get_app(self, client_id):
        app = get_application_model().objects.filter(client_id=client_id).first()
        if app is None:
            raise Http404("No such OAuth 2.0 application.")
        return app


class OrganizationListView(PeopleOnlyAPIView):
    """``GET/POST /api/v4/organizations``."""

    @extend_schema(
        summary="List the organizations you belong to, with your role",
        tags=TAGS,
        parameters=[PageParametersSerializer],
        responses={200: OrganizationSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        """Return a page of your organizations, by name."""
        organizations = orgs.organizations_of(request.user).order_by("name", "pk")
        return Response(OrganizationSerializer(page_of(request, organizations), many=True).data)

    @extend_schema(
        summary="Create an organization; you become its first owner, and third-party apps start restricted",
        tags=TAGS,
        request=OrganizationCreateSerializer,
        responses={201: OrganizationSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        """Create an organization with you as its owner; restrictions are on."""
        serializer = OrganizationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with field_errors(API_FIELD_NAMES):
            org = orgs.create_organization(actor=request.user, request=request, **serializer.validated_data)
        body = OrganizationSerializer(org, context={"role": Membership.Role.OWNER}).data
        return Response(body, status=status.HTTP_201_CREATED)


class MembersView(OrganizationAPIView):
    """``GET/POST /api/v4/organizations/{slug}/members``."""

    @extend_schema(
        summary="List the organization's members with their roles, owners first (members)",
        tags=TAGS,
        parameters=[SLUG],
        responses={200: MembershipSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request, slug):
        """Return every membership of the organization."""
        return Response(MembershipSerializer(orgs.members_of(self.organization), many=True).data)

    @extend_schema(
        summary="Add a user to the organization, or change their role (owners)",
        description="201 when the user joined, 200 when an existing member's role changed.",
        tags=TAGS,
        parameters=[SLUG],
        request=MemberInputSerializer,
        responses={
            200: MembershipSerializer,
            201: MembershipSerializer,
            **error_responses(400, 401, 403, 404),
        },
    )
    def post(self, request, slug):
        """Add the user with the role given; return the membership."""
        orgs.require_owner(request.user, self.organization)
        serializer = MemberInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_id, role = serializer.validated_data["user_id"], serializer.validated_data["role"]
        with field_errors(API_FIELD_NAMES):
            membership, created = orgs.add_member(
                actor=request.user, org=self.organization, user_id=user_id, role=role, request=request
            )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(MembershipSerializer(membership).data, status=code)


class MemberView(OrganizationAPIView):
    """``DELETE /api/v4/organizations/{slug}/members/{user_id}``."""

    @extend_schema(
        summary="Remove a member (owners), or leave the organization (yourself)",
        description=(
            "The last owner cannot leave or be removed (400). The user's own tokens and authorizations stay; "
            "the organization's resources go out of their reach."
        ),
        tags=TAGS,
        parameters=[SLUG, USER_ID],
        responses={200: StatusOKSerializer, **error_responses(400, 401, 403, 404)},
    )
    def delete(self, request, slug, user_id):
        """Remove the membership."""
        with field_errors(API_FIELD_NAMES):
            orgs.remove_member(actor=request.user, org=self.organization, user_id=user_id, request=request)
        return Response({"status": "OK"})


class PolicyView(OrganizationAPIView):
    """``GET/PUT /api/v4/organizations/{slug}/oauth/policy``."""

    def initial(self, request, *args, **kwargs):
        self.owners_only = request.method == "PUT"
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="Whether the organization restricts third-party applications (members)",
        tags=TAGS,
        parameters=[SLUG],
        responses={200: PolicySerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, slug):
        """Return the organization's third-party application policy."""
        return Response(PolicySerializer(self.organization).data)

    @extend_schema(
        summary="Turn third-party application restrictions on or off (owners)",
        description=(
            "Off: every application a member authorized reaches what that member may reach. "
            "On: only approved applications do; earlier approvals are kept and apply again."
        ),
        tags=TAGS,
        parameters=[SLUG],
        request=PolicySerializer,
        responses={200: PolicySerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request, slug):
        """Change the policy; return it."""
        serializer = PolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        org = orgs.set_restrictions(
            actor=request.user,
            org=self.organization,
            restricted=serializer.validated_data["restrict_third_party_apps"],
            request=request,
        )
        return Response(PolicySerializer(org).data)


class AppAccessListView(OrganizationAPIView):
    """``GET /api/v4/organizations/{slug}/oauth/apps``."""

    @extend_schema(
        summary="Each application's state in the organization: pending requests first, then approved, then denied",
        tags=TAGS,
        parameters=[SLUG],
        responses={200: AppAccessSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request, slug):
        """Return every application requested, approved or denied for the organization."""
        return Response(AppAccessSerializer(orgs.access_list(self.organization), many=True).data)


class AppAccessRequestView(OrganizationAPIView):
    """``POST /api/v4/organizations/{slug}/oauth/apps/{client_id}/request``."""

    @extend_schema(
        summary="Ask the organization's owners to approve an application (members)",
        description=(
            "The owners are emailed. Asking again for a pending or approved application changes nothing; "
            "a denied one may be asked for again. An application the organization owns is approved at once."
        ),
        tags=TAGS,
        parameters=[SLUG, CLIENT_ID],
        request=None,
        responses={200: AppAccessSerializer, **error_responses(401, 403, 404)},
    )
    def post(self, request, slug, client_id):
        """Request approval of the application; return its state."""
        access = orgs.request_access(
            actor=request.user, org=self.organization, app=self.get_app(client_id), request=request
        )
        return Response(AppAccessSerializer(access).data)


class AppAccessDecisionView(OrganizationAPIView):
    """``POST …/oauth/apps/{client_id}/approve`` and ``…/deny``: owners decide."""

    owners_only = True
    decide = None  # staticmethod(services.organizations.approve or deny)

    def post(self, request, slug, client_id):
        with field_errors(API_FIELD_NAMES):
            access = self.decide(
                actor=request.user, org=self.organization, app=self.get_app(client_id), request=request
            )
        return Response(AppAccessSerializer(access).data)


class AppAccessApproveView(AppAccessDecisionView):
    decide = staticmethod(orgs.approve)

    @extend_schema(
        summary="Approve an application for the organization (owners)",
        description="Members' existing tokens reach the organization's resources at once; nobody re-authorizes.",
        tags=TAGS,
        parameters=[SLUG, CLIENT_ID],
        request=None,
        responses={200: AppAccessSerializer, **error_responses(401, 403, 404)},
    )
    def post(self, request, slug, client_id):
        """Approve the application; return its state."""
        return super().post(request, slug, client_id)


class AppAccessDenyView(AppAccessDecisionView):
    decide = staticmethod(orgs.deny)

    @extend_schema(
        summary="Deny an application, also a previously approved one (owners)",
        description=(
            "The organization's private resources disappear from the application at once; members' tokens "
            "stay valid for everything else. An application the organization owns cannot be denied (400)."
        ),
        tags=TAGS,
        parameters=[SLUG, CLIENT_ID],
        request=None,
        responses={200: AppAccessSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, slug, client_id):
        """Deny the application; return its state."""
        return super().post(request, slug, client_id)
