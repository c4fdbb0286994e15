"""A user's remembered authorization of an application is called ``Authorization`` everywhere (was ``Consent``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mm_oauth", "0003_redeemed_codes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="consent", name="mm_oauth_one_consent_per_app"),
        migrations.RenameModel(old_name="Consent", new_name="Authorization"),
        migrations.AlterField(
            model_name="authorization",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="oauth_authorizations",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AlterField(
            model_name="authorization",
            name="application",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="authorizations",
                to="mm_oauth.application",
                verbose_name="application",
            ),
        ),
        migrations.AddConstraint(
            model_name="authorization",
            constraint=models.UniqueConstraint(fields=("user", "application"), name="mm_oauth_one_authorization_per_app"),
        ),
    ]
