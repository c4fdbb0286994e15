"""Create the Application model (swapped into django-oauth-toolkit), consents, the provider settings
and the audit trail."""

import django.db.models.deletion
import mm_oauth.validators
import oauth2_provider.generators
import oauth2_provider.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # DOT's tables reference the swapped-in application model, so ours must exist
    # first. Never depend on an oauth2_provider migration: DOT's 0019 depends on
    # this app through its swappable dependency, and a dependency back would cycle.
    run_before = [
        ("oauth2_provider", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name='Application',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('client_id', models.CharField(db_index=True, default=oauth2_provider.generators.generate_client_id, max_length=255, unique=True, verbose_name='client ID')),
                ('redirect_uris', models.TextField(blank=True, help_text='Allowed URIs list, space separated', verbose_name='redirect URIs')),
                ('post_logout_redirect_uris', models.TextField(blank=True, default='', help_text='Allowed Post Logout URIs list, space separated', verbose_name='post logout redirect URIs')),
                ('client_secret', oauth2_provider.models.ClientSecretField(blank=True, db_index=True, default=oauth2_provider.generators.generate_client_secret, help_text='Client secret for authentication', max_length=255, verbose_name='client secret')),
                ('hash_client_secret', models.BooleanField(default=True, verbose_name='hash client secret')),
                ('skip_authorization', models.BooleanField(default=False, verbose_name='skip authorization')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('algorithm', models.CharField(blank=True, choices=[('', 'No OIDC support'), ('RS256', 'RSA with SHA-2 256'), ('HS256', 'HMAC with SHA-2 256')], default='', max_length=5, verbose_name='algorithm')),
                ('allowed_origins', models.TextField(blank=True, default='', help_text='Allowed origins list to enable CORS, space separated', verbose_name='allowed origins')),
                ('registration_source', models.CharField(choices=[('manual', 'Manual'), ('dcr', 'Dynamic Client Registration'), ('cimd', 'Client ID Metadata Document')], default='manual', help_text='How this application was registered (manual, DCR per RFC 7591, or CIMD)', max_length=32, verbose_name='registration source')),
                ('cimd_expires_at', models.DateTimeField(blank=True, default=None, help_text='When the cached Client ID Metadata Document should be re-fetched', null=True, verbose_name='CIMD expires at')),
                ('name', models.CharField(max_length=64, verbose_name='display name')),
                ('description', models.CharField(max_length=512, verbose_name='description')),
                ('homepage', models.CharField(max_length=256, validators=[mm_oauth.validators.validate_homepage], verbose_name='homepage')),
                ('icon_url', models.CharField(blank=True, max_length=512, validators=[mm_oauth.validators.validate_icon_url], verbose_name='icon URL')),
                ('client_type', models.CharField(choices=[('confidential', 'Confidential'), ('public', 'Public')], default='confidential', help_text='Confidential clients keep a secret; public clients (mobile, single-page) use PKCE instead.', max_length=32, verbose_name='client type')),
                ('authorization_grant_type', models.CharField(choices=[('authorization-code', 'Authorization code'), ('urn:ietf:params:oauth:grant-type:device_code', 'Device Code'), ('implicit', 'Implicit'), ('password', 'Resource owner password-based'), ('client-credentials', 'Client credentials'), ('openid-hybrid', 'OpenID connect hybrid')], default='authorization-code', editable=False, max_length=44, verbose_name='authorization grant type')),
                ('is_trusted', models.BooleanField(default=False, help_text='Trusted applications sign users in without showing the consent page.', verbose_name='is trusted')),
                ('previous_client_secret', models.CharField(blank=True, editable=False, max_length=255, verbose_name='previous client secret')),
                ('previous_secret_expires_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='previous secret valid until')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='%(app_label)s_%(class)s', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'OAuth 2.0 application',
                'verbose_name_plural': 'OAuth 2.0 applications',
                'permissions': [('manage_oauth', 'Can manage own OAuth 2.0 applications'), ('manage_system_wide_oauth', 'Can manage every OAuth 2.0 application')],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(db_index=True, max_length=64, verbose_name='action')),
                ('actor_label', models.CharField(blank=True, max_length=150, verbose_name='actor name')),
                ('target_type', models.CharField(max_length=32, verbose_name='target type')),
                ('target_id', models.CharField(blank=True, db_index=True, max_length=255, verbose_name='target id')),
                ('target_label', models.CharField(blank=True, max_length=255, verbose_name='target')),
                ('changes', models.JSONField(blank=True, default=dict, verbose_name='details')),
                ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                ('user_agent', models.CharField(blank=True, max_length=256, verbose_name='user agent')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='when')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
            ],
            options={
                'verbose_name': 'audit event',
                'verbose_name_plural': 'audit events',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ProviderSettings',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('enable_provider', models.BooleanField(default=False, help_text='When off, every OAuth endpoint and app-management page answers 501 and tokens are refused.', verbose_name='enable OAuth 2.0 service provider')),
                ('restrict_to_admins', models.BooleanField(default=True, help_text='When on, only admins may register OAuth 2.0 applications.', verbose_name='restrict app registration to admins')),
                ('allow_username_override', models.BooleanField(default=False, verbose_name='allow integrations to override usernames')),
                ('allow_icon_override', models.BooleanField(default=False, verbose_name='allow integrations to override profile picture icons')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
            ],
            options={
                'verbose_name': 'OAuth 2.0 provider settings',
                'verbose_name_plural': 'OAuth 2.0 provider settings',
            },
        ),
        migrations.CreateModel(
            name='Consent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.TextField(blank=True, help_text='Space-separated scope names.', verbose_name='granted scopes')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='authorized at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last granted at')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used at')),
                # mm_oauth's own model, named directly: consents belong to it even on a
                # misconfigured site (system check E001 reports that case).
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='mm_oauth.application', verbose_name='application')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='oauth_consents', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'authorization',
                'verbose_name_plural': 'authorizations',
                'constraints': [models.UniqueConstraint(fields=('user', 'application'), name='mm_oauth_one_consent_per_app')],
            },
        ),
    ]
