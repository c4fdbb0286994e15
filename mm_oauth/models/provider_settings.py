"""The provider settings singleton (DESIGN F1), edited in the admin and the API.

Read it through ``mm_oauth.services.provider_settings.get_provider_settings()``,
which caches it; never query this model on a request's hot path.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderSettings(models.Model):
    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    enable_provider = models.BooleanField(
        _("enable OAuth 2.0 service provider"),
        default=False,
        help_text=_("When off, every OAuth endpoint and app-management page answers 501 and tokens are refused."),
    )
    restrict_to_admins = models.BooleanField(
        _("restrict app registration to admins"),
        default=True,
        help_text=_("When on, only admins may register OAuth 2.0 applications."),
    )
    allow_username_override = models.BooleanField(
        _("allow integrations to override usernames"),
        default=False,
    )
    allow_icon_override = models.BooleanField(
        _("allow integrations to override profile picture icons"),
        default=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("OAuth 2.0 provider settings")
        verbose_name_plural = _("OAuth 2.0 provider settings")

    FLAGS = ("enable_provider", "restrict_to_admins", "allow_username_override", "allow_icon_override")

    def __str__(self):
        return str(_("OAuth 2.0 provider settings"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    def as_dict(self):
        return {flag: getattr(self, flag) for flag in self.FLAGS}
