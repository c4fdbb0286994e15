"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MMOAuthConfig(AppConfig):
    name = "mm_oauth"
    verbose_name = _("OAuth 2.0 Applications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401  (registers the system checks)
        from .log_filters import install as keep_credentials_out_of_logs
        from .oauth.sessions import record_login_time

        keep_credentials_out_of_logs()
        user_logged_in.connect(record_login_time, dispatch_uid="mm_oauth_record_login_time")
