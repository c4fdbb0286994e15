"""Provider settings for client ID metadata documents: the switch and the allowed hosts."""

import mm_oauth.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mm_oauth', '0005_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='providersettings',
            name='client_metadata_document_hosts',
            field=models.TextField(blank=True, default='', help_text='Hosts whose metadata documents are fetched, one per line; *.example.com allows its subdomains. Empty: none.', validators=[mm_oauth.validators.validate_host_allowlist], verbose_name='client metadata document hosts'),
        ),
        migrations.AddField(
            model_name='providersettings',
            name='enable_client_id_metadata_documents',
            field=models.BooleanField(default=False, help_text='When on, a client whose client_id is an https URL on an allowed host is described by the JSON document at that URL, without registering.', verbose_name='enable client ID metadata documents'),
        ),
    ]
