"""A user's remembered decision to let an application act for them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Authorization(models.Model):
    """One per user and application: the scopes granted, when, and when last used.

    Survives token expiry and refresh; removed only by deauthorizing (or by
    deleting the application). Trusted applications get one too, so they show
    in the user's list of authorized apps.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="oauth_authorizations"
    )
    # mm_oauth's own model (system check E001 makes sure it is the swapped-in one),
    # so migrations need no setting name that a host might lack.
    application = models.ForeignKey(
        "mm_oauth.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="authorizations",
    )
    scope = models.TextField(_("granted scopes"), blank=True, help_text=_("Space-separated scope names."))
    created_at = models.DateTimeField(_("authorized at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last granted at"), auto_now=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("authorization")
        verbose_name_plural = _("authorizations")
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="mm_oauth_one_authorization_per_app")
        ]

    def __str__(self):
        return f"{self.user} → {self.application}"

    @property
    def scopes(self):
        return set(self.scope.split())

    def covers(self, scopes):
        """Return whether every scope in ``scopes`` was granted."""
        return set(scopes) <= self.scopes
