"""The example site's organization resources: ``/api/v4/organizations/{slug}/projects``.

It shows how a host protects organization data with mm_oauth.contrib.rest_framework.organizations: the
queryset helper for what is visible, the permission class for what may change.
"""

from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListCreateAPIView, RetrieveUpdateDestroyAPIView

from mm_oauth.api.base import MMOAuthAPIView
from mm_oauth.contrib.rest_framework.organizations import OrganizationResourcePermission, acts_as_member, visible_to
from mm_oauth.models import Organization

from .models import Project


class ProjectSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="pk", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = serializers.CharField(max_length=100)
    private = serializers.BooleanField(default=True)

    class Meta:
        model = Project
        fields = ["id", "organization", "name", "private"]


class OrganizationProjectsMixin(MMOAuthAPIView):
    serializer_class = ProjectSerializer

    def get_organization(self):
        return get_object_or_404(Organization, slug=self.kwargs["slug"])

    def get_queryset(self):
        return visible_to(self.request, Project.objects.filter(organization__slug=self.kwargs["slug"]))


class ProjectListView(OrganizationProjectsMixin, ListCreateAPIView):
    """List the projects you may see in an organization; create one (members, approved apps)."""

    def perform_create(self, serializer):
        org = self.get_organization()
        if not acts_as_member(self.request, org):
            raise PermissionDenied(OrganizationResourcePermission.message)
        serializer.save(organization=org, created_by=self.request.user)


class ProjectDetailView(OrganizationProjectsMixin, RetrieveUpdateDestroyAPIView):
    """Read, change or delete one project."""

    permission_classes = [*MMOAuthAPIView.permission_classes, OrganizationResourcePermission]

    def get_queryset(self):
        # Look the object up among all of the organization's projects so the
        # permission decides: private → 404, public → read-only, member → full.
        return Project.objects.filter(organization__slug=self.kwargs["slug"]).select_related("organization")
