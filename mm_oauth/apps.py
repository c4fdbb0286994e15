"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MMOAuthConfig(AppConfig):
    name = "mm_oauth"
    verbose_name = _("OAuth 2.0 Applications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from .log_filters import install as keep_credentials_out_of_logs

        keep_credentials_out_of_logs()
