"""Dynamic client registration (RFC 7591): the provider settings that switch it on and bound its redirect
URIs, and the token endpoint authentication method a registered client chose."""

import mm_oauth.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mm_oauth", "0007_app_allowed_scopes"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="token_endpoint_auth_method",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=32,
                verbose_name="token endpoint authentication method",
            ),
        ),
        migrations.AddField(
            model_name="providersettings",
            name="enable_dynamic_client_registration",
            field=models.BooleanField(
                default=False,
                help_text="When on, anyone may register an OAuth 2.0 client at /api/v4/oauth/apps/register (RFC 7591); such clients are never trusted and need each user's consent.",
                verbose_name="enable dynamic client registration",
            ),
        ),
        migrations.AddField(
            model_name="providersettings",
            name="registration_redirect_uri_allowlist",
            field=models.TextField(
                blank=True,
                default="",
                help_text="One pattern per line, matched by parts: scheme, host (a leading *. allows any subdomain), port, path prefix. Examples: https://app.example.com/callback, https://*.example.com/, com.example.app:/. Loopback redirects (http://127.0.0.1 and http://[::1], any port) are always allowed; with an empty list, only they are.",
                validators=[mm_oauth.validators.validate_redirect_uri_allowlist],
                verbose_name="redirect URI allowlist for dynamic client registration",
            ),
        ),
    ]
