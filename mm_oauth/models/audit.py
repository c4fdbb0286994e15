"""The audit trail: who did what, when, and from where. Never a secret."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        APP_CREATED = "oauth_app.created", _("application created")
        APP_UPDATED = "oauth_app.updated", _("application updated")
        APP_DELETED = "oauth_app.deleted", _("application deleted")
        APP_REGISTERED = "oauth_app.registered", _("application registered dynamically")
        APP_SECRET_REGENERATED = "oauth_app.secret_regenerated", _("client secret regenerated")
        CODE_REPLAYED = "oauth_code.replayed", _("used authorization code presented again; its tokens revoked")
        SETTINGS_CHANGED = "oauth_settings.changed", _("provider settings changed")
        AUTHORIZATION_GRANTED = "oauth_authorization.granted", _("application authorized by a user")
        AUTHORIZATION_REVOKED = "oauth_authorization.revoked", _("application deauthorized by a user")
        ORG_CREATED = "org.created", _("organization created")
        ORG_MEMBER_ADDED = "org.member_added", _("organization member added")
        ORG_MEMBER_REMOVED = "org.member_removed", _("organization member removed")
        ORG_RESTRICTIONS_ENABLED = "org.oauth_app_restrictions_enabled", _("third-party app restrictions enabled")
        ORG_RESTRICTIONS_DISABLED = "org.oauth_app_restrictions_disabled", _("third-party app restrictions disabled")
        APP_ACCESS_REQUESTED = "org.oauth_app_access_requested", _("third-party app access requested")
        APP_ACCESS_APPROVED = "org.oauth_app_access_approved", _("third-party app access approved")
        APP_ACCESS_DENIED = "org.oauth_app_access_denied", _("third-party app access denied")

    # No ``choices`` on the column: new kinds of event need no migration.
    action = models.CharField(_("action"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too, so the record survives the actor's or the target's deletion.
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    target_type = models.CharField(_("target type"), max_length=32)
    target_id = models.CharField(_("target id"), max_length=255, blank=True, db_index=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    changes = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=256, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action_label}: {self.target_label or self.target_id} by {self.actor_label or '-'}"

    @property
    def action_label(self):
        """Return the action in words ("application created")."""
        try:
            return self.Action(self.action).label
        except ValueError:
            return self.action
