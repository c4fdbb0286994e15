"""Revoke everything an application holds (for all users, or for one), in a few bulk queries.

Django's cascading ``delete()`` loads every row to follow the links between
tokens (and deletes in batches of 100); an app with 10,000 tokens would take
hundreds of queries. Here the links between DOT's tables are cut with one
UPDATE each, then each table is emptied with one DELETE, whatever the count.
"""

from datetime import timedelta

from django.db import connections, router, transaction
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_device_grant_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
    revoke_access_token,
)

from ..models.audit import AuditEvent
from ..models.redeemed_code import RedeemedCode
from . import audit


def _delete_rows(model, filters):
    """DELETE the rows of ``model`` matching ``filters`` with one statement (no signals, no cascade)."""
    queryset = model.objects.filter(**filters)
    using = router.db_for_write(model)
    sql, params = queryset.values("pk").query.sql_with_params()
    table = connections[using].ops.quote_name(model._meta.db_table)
    pk = connections[using].ops.quote_name(model._meta.pk.column)
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)
        return cursor.rowcount


def revoke_all_tokens(app, user=None):
    """Delete ``app``'s access tokens, refresh tokens, ID tokens and pending codes.

    For every user, or only for ``user``. Runs in one transaction; returns the
    number of rows deleted per kind.
    """
    filters = {"application": app}
    if user is not None:
        filters["user"] = user
    AccessToken = get_access_token_model()
    RefreshToken = get_refresh_token_model()
    IDToken = get_id_token_model()
    Grant = get_grant_model()
    # savepoint=False: when called inside a larger operation, it commits or rolls back with it.
    with transaction.atomic(using=router.db_for_write(AccessToken), savepoint=False):
        # Cut the links between the tables first, so no DELETE trips a foreign key.
        AccessToken.objects.filter(**filters).update(source_refresh_token=None, id_token=None)
        RefreshToken.objects.filter(**filters).update(access_token=None)
        counts = {
            "refresh_tokens": _delete_rows(RefreshToken, filters),
            "access_tokens": _delete_rows(AccessToken, filters),
            "id_tokens": _delete_rows(IDToken, filters),
            "grants": _delete_rows(Grant, filters),
        }
        if user is None:
            # Device grants belong to the app as a whole.
            counts["device_grants"] = _delete_rows(get_device_grant_model(), {"client_id": app.client_id})
    return counts


def revoke_replayed_code(redeemed):
    """Revoke what a redeemed authorization code produced, now that it came again, and audit it.

    RFC 6749 section 4.1.2: the second use is refused and the tokens issued
    from the code SHOULD be revoked, because one of the two users of the code
    is not the client it was issued to. Every rotation of the refresh token
    shares its family, so they all go.
    """
    revoked = {"refresh_token_family": str(redeemed.token_family) if redeemed.token_family else None}
    with transaction.atomic(using=router.db_for_write(get_access_token_model()), savepoint=False):
        if redeemed.token_family is not None:
            get_refresh_token_model().revoke_family(redeemed.token_family)
        first_access_token = get_access_token_model().objects.filter(pk=redeemed.access_token_id).first()
        if first_access_token is not None:  # when no refresh token came with it
            revoke_access_token(first_access_token)
        audit.record_for(
            AuditEvent.Action.CODE_REPLAYED,
            redeemed.application,
            changes={"redeemed_at": redeemed.redeemed_at.isoformat(), **revoked},
        )


# Long past any code's lifetime (DOT's default is 60 s): a replay detected a day
# later still revokes; older records only fill the table.
REDEEMED_CODE_RETENTION = timedelta(days=1)


def clear_redeemed_codes(now=None):
    """Delete the records of codes redeemed more than REDEEMED_CODE_RETENTION ago; return how many."""
    cutoff = (now or timezone.now()) - REDEEMED_CODE_RETENTION
    deleted, _ = RedeemedCode.objects.filter(redeemed_at__lt=cutoff).delete()
    return deleted
