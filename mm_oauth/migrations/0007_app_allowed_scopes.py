"""Per-application allowed scopes (empty: every registered scope, as before)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mm_oauth", "0006_client_metadata_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="allowed_scopes",
            field=models.TextField(
                blank=True,
                help_text="Space-separated scope names the application may ask for; empty allows every registered scope.",
                verbose_name="allowed scopes",
            ),
        ),
    ]
