"""Redeemed authorization codes, so a replayed code revokes what it produced (RFC 6749 section 4.1.2)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mm_oauth', '0002_organizations'),
    ]

    operations = [
        migrations.CreateModel(
            name='RedeemedCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code_checksum', models.CharField(max_length=64, unique=True, verbose_name='code checksum')),
                ('token_family', models.UUIDField(blank=True, null=True, verbose_name='refresh token family')),
                ('access_token_id', models.BigIntegerField(blank=True, null=True, verbose_name='access token')),
                ('redeemed_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='redeemed at')),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mm_oauth.application', verbose_name='application')),
            ],
            options={
                'verbose_name': 'redeemed authorization code',
                'verbose_name_plural': 'redeemed authorization codes',
            },
        ),
    ]
