"""Organizations, memberships and third-party application access."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mm_oauth', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Organization',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('slug', models.SlugField(unique=True, verbose_name='slug')),
                ('restrict_third_party_apps', models.BooleanField(default=True, help_text="When on, only applications an owner approved can reach the organization's private resources.", verbose_name='restrict third-party application access')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'organization',
                'verbose_name_plural': 'organizations',
                'ordering': ['name', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='application',
            name='organization',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_apps', to='mm_oauth.organization', verbose_name='owning organization'),
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('owner', 'owner'), ('member', 'member')], default='member', max_length=16, verbose_name='role')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='joined at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='org_memberships', to=settings.AUTH_USER_MODEL)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='mm_oauth.organization')),
            ],
            options={
                'verbose_name': 'membership',
                'verbose_name_plural': 'memberships',
                'constraints': [models.UniqueConstraint(fields=('organization', 'user'), name='mm_oauth_one_membership')],
            },
        ),
        migrations.CreateModel(
            name='AppAccess',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('requested', 'requested'), ('approved', 'approved'), ('denied', 'denied')], max_length=16, verbose_name='state')),
                ('requested_at', models.DateTimeField(blank=True, null=True, verbose_name='requested at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='org_access', to='mm_oauth.application')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='app_access', to='mm_oauth.organization')),
            ],
            options={
                'verbose_name': 'third-party application access',
                'verbose_name_plural': 'third-party application access',
                'constraints': [models.UniqueConstraint(fields=('organization', 'application'), name='mm_oauth_one_access_per_app')],
            },
        ),
    ]
