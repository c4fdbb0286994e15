"""Indexes for large tables: the application lists' order, and the expiry columns the cleanup reads.

``bench/large.py`` ran ``EXPLAIN`` on every hot query with 1,000,000 access
tokens; these are the queries that scanned:

- the application list page and ``GET /api/v4/oauth/apps`` page through every
  application ordered by ``created, id`` (newest or oldest first): an index on
  exactly that order lets a page read 20 rows instead of sorting them all.
  mm_oauth owns ``Application``, so it is a ``Meta.indexes`` entry.
- ``mm_oauth_clear_expired`` selects each batch by an expiry column: access
  tokens, codes and ID tokens by ``expires``, refresh tokens by ``revoked``. DOT
  indexes none of them, so without these every batch scans the whole table.
  Those tables belong to django-oauth-toolkit (or to the host, when it swaps a
  token model), so mm_oauth cannot declare the indexes on their models and
  ``makemigrations`` knows nothing of them: they are created here with SQL,
  ``IF NOT EXISTS`` (a host or a later DOT may add the same), on PostgreSQL only
  — the database this is measured and supported on at that size — and only
  where the table exists. Reversing drops them.
"""

from django.db import migrations, models
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

# (index name, the model's getter, column, WHERE of a partial index)
DOT_INDEXES = [
    ("mm_oauth_accesstoken_expires_idx", get_access_token_model, "expires", ""),
    ("mm_oauth_grant_expires_idx", get_grant_model, "expires", ""),
    ("mm_oauth_idtoken_expires_idx", get_id_token_model, "expires", ""),
    # Live tokens (most rows) have no revocation date: leave them out of the index.
    ("mm_oauth_refreshtoken_revoked_idx", get_refresh_token_model, "revoked", "revoked IS NOT NULL"),
]


def _dot_indexes(schema_editor):
    """Yield (quoted index name, quoted table, quoted column, WHERE clause) for the tables that exist here."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    tables = set(connection.introspection.table_names())
    quote = schema_editor.quote_name
    for name, get_model, column, where in DOT_INDEXES:
        table = get_model()._meta.db_table
        if table in tables:
            yield quote(name), quote(table), quote(column), f" WHERE {where}" if where else ""


def create_dot_indexes(apps, schema_editor):
    for name, table, column, where in _dot_indexes(schema_editor):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column}){where}")


def drop_dot_indexes(apps, schema_editor):
    for name, _table, _column, _where in _dot_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("mm_oauth", "0004_consent_is_authorization"),
        # DOT's tables must exist before they are indexed.
        ("oauth2_provider", "0004_auto_20200902_2022"),  # the last of the tables indexed here (ID tokens)
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["created", "id"], name="mm_oauth_app_created_idx"),
        ),
        migrations.RunPython(create_dot_indexes, drop_dot_indexes),
    ]
