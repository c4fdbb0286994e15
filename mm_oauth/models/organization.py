"""Organizations and their third-party application restrictions (DESIGN F9).

Modelled on GitHub's OAuth App access restrictions: while an organization
restricts third-party apps (the default), an app its members authorized sees
the organization as if the user were not a member, until an owner approves it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    restrict_third_party_apps = models.BooleanField(
        _("restrict third-party application access"),
        default=True,
        help_text=_("When on, only applications an owner approved can reach the organization's private resources."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        MEMBER = "member", _("member")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="mm_oauth_one_membership")]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def is_owner(self):
        return self.role == self.Role.OWNER


class AppAccess(models.Model):
    """One application's standing with one organization: requested, approved or denied."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        DENIED = "denied", _("denied")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="app_access")
    application = models.ForeignKey("mm_oauth.Application", on_delete=models.CASCADE, related_name="org_access")
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("third-party application access")
        verbose_name_plural = _("third-party application access")
        constraints = [
            models.UniqueConstraint(fields=["organization", "application"], name="mm_oauth_one_access_per_app")
        ]

    def __str__(self):
        return f"{self.application} in {self.organization}: {self.state}"
