"""Revoke everything an application holds (for all users, or for one), in a few bulk queries.

Django's cascading ``delete()`` loads every row to follow the links between
tokens (and deletes in batches of 100); an app with 10,000 tokens would take
hundreds of queries. Here the links between DOT's tables are cut with one
UPDATE each, then each table is emptied with one DELETE, whatever the count.
"""

from datetime import timedelta

from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_device_grant_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
    refresh_token_expire_timedelta,
    revoke_access_token,
)
from oauth2_provider.settings import oauth2_settings

from ..conf import app_settings
from ..models.audit import AuditEvent
from ..models.redeemed_code import RedeemedCode
from . import audit


def delete_rows(model, filters):
    """DELETE the rows of ``model`` matching ``filters`` with one statement (no signals, no cascade)."""
    queryset = model.objects.filter(**filters)
    using = router.db_for_write(model)
    sql, params = queryset.values("pk").query.sql_with_params()
    table = connections[using].ops.quote_name(model._meta.db_table)
    pk = connections[using].ops.quote_name(model._meta.pk.column)
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)
        return cursor.rowcount


def delete_row(model, pk):
    """DELETE one row of ``model`` by primary key, in one statement (no signals, no cascade).

    For rows nothing points at and nobody listens to, such as a redeemed grant:
    ``Model.delete()`` would first collect related rows (none) at the cost of
    a Collector on the token endpoint's hot path.
    """
    using = router.db_for_write(model)
    ops = connections[using].ops
    table, column = ops.quote_name(model._meta.db_table), ops.quote_name(model._meta.pk.column)
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [pk])
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
        # Only rows that hold a link: rewriting a row (and its index entries) to the same NULL costs as much.
        linked = Q(source_refresh_token__isnull=False) | Q(id_token__isnull=False)
        AccessToken.objects.filter(linked, **filters).update(source_refresh_token=None, id_token=None)
        RefreshToken.objects.filter(access_token__isnull=False, **filters).update(access_token=None)
        counts = {
            "refresh_tokens": delete_rows(RefreshToken, filters),
            "access_tokens": delete_rows(AccessToken, filters),
            "id_tokens": delete_rows(IDToken, filters),
            "grants": delete_rows(Grant, filters),
        }
        if user is None:
            # Device grants belong to the app as a whole.
            counts["device_grants"] = delete_rows(get_device_grant_model(), {"client_id": app.client_id})
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
CLEANUP_BATCH_SIZE = 10_000


def clear_redeemed_codes(now=None, batch_size=CLEANUP_BATCH_SIZE):
    """Delete the records of codes redeemed more than REDEEMED_CODE_RETENTION ago, in batches; return how many."""
    cutoff = (now or timezone.now()) - REDEEMED_CODE_RETENTION
    return delete_in_batches(RedeemedCode.objects.filter(redeemed_at__lt=cutoff).order_by("redeemed_at"), batch_size)


def delete_in_batches(queryset, batch_size=CLEANUP_BATCH_SIZE, unlink=()):
    """Delete the rows of ``queryset`` ``batch_size`` at a time; return how many went.

    Each batch is its own short transaction: select up to ``batch_size`` primary
    keys (skipping rows another transaction holds locked, where the database
    can), clear the ``unlink`` foreign keys — ``(model, field name)`` pairs —
    that point at them, then DELETE them by primary key. No statement touches
    more than a batch, so locks stay short and memory bounded whatever the
    table's size. No signals, no cascade: the callers pick rows nothing else
    needs.
    """
    model = queryset.model
    using = router.db_for_write(model)
    deleted = 0
    while True:
        with transaction.atomic(using=using):
            pks = list(_lockable(queryset, using).values_list("pk", flat=True)[:batch_size])
            for other, field in unlink:
                other.objects.using(using).filter(**{f"{field}__in": pks}).update(**{field: None})
            deleted += _delete_pks(model, pks, using)
        if len(pks) < batch_size:
            return deleted


def _lockable(queryset, using):
    """Lock the selected rows until their batch commits, skipping those a request holds (PostgreSQL)."""
    features = connections[using].features
    if features.has_select_for_update_skip_locked and features.has_select_for_update_of:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def _delete_pks(model, pks, using):
    if not pks:
        return 0
    ops = connections[using].ops
    table, pk = ops.quote_name(model._meta.db_table), ops.quote_name(model._meta.pk.column)
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({', '.join(['%s'] * len(pks))})", pks)
        return cursor.rowcount


def expired_rows(now=None):
    """Return ``[(kind, queryset, unlink)]``: what ``clear_expired`` deletes, in order.

    DOT's rules (``oauth2_provider.models.clear_expired``): refresh tokens
    revoked before the grace period (kept until they expire while
    ``REFRESH_TOKEN_REUSE_PROTECTION`` needs them to spot a replay), orphaned
    and idle-expired refresh tokens, expired access tokens no refresh token
    points at, expired ID tokens no access token holds, expired codes. Then
    mm_oauth's: codes redeemed more than a day ago, and audit events past
    ``MM_OAUTH["AUDIT_RETENTION_DAYS"]``.

    Oldest first, by the date column each kind is selected by: the order lets
    the database read each batch from that column's index (migration 0005)
    rather than walk the table past rows earlier batches kept.
    """
    now = now or timezone.now()
    AccessToken, RefreshToken = get_access_token_model(), get_refresh_token_model()
    expired = {"refresh_token__isnull": True, "expires__lt": now}
    kinds = [
        *_refresh_token_rows(now),
        ("access tokens", AccessToken.objects.filter(**expired).order_by("expires"), [(RefreshToken, "access_token")]),
        ("ID tokens", _oldest(get_id_token_model(), "expires", now, access_token__isnull=True), []),
        ("authorization codes", _oldest(get_grant_model(), "expires", now), []),
        ("redeemed-code records", _oldest(RedeemedCode, "redeemed_at", now - REDEEMED_CODE_RETENTION), []),
    ]
    if app_settings.AUDIT_RETENTION_DAYS is not None:
        cutoff = now - timedelta(days=app_settings.AUDIT_RETENTION_DAYS)
        kinds.append(("audit events", _oldest(AuditEvent, "created_at", cutoff), []))
    return kinds


def _oldest(model, column, before, **filters):
    """Return ``model``'s rows whose ``column`` is before ``before``, oldest first."""
    return model.objects.filter(**{f"{column}__lt": before}, **filters).order_by(column)


def _refresh_token_rows(now):
    """Return the refresh-token kinds of ``expired_rows``, as DOT's settings allow."""
    RefreshToken = get_refresh_token_model()
    unlink = [(get_access_token_model(), "source_refresh_token")]
    revoked_before, idle_before = _refresh_cutoffs(now)
    live = RefreshToken.objects.filter(revoked__isnull=True)
    kinds = []
    if revoked_before is not None:
        revoked = RefreshToken.objects.filter(revoked__lte=revoked_before).order_by("revoked")
        kinds.append(("revoked refresh tokens", revoked, unlink))
    kinds.append(("orphaned refresh tokens", live.filter(access_token__isnull=True), unlink))
    if idle_before is not None:
        idle = live.filter(access_token__expires__lte=idle_before).order_by("access_token__expires")
        kinds.append(("expired refresh tokens", idle, unlink))
    return kinds


def _refresh_cutoffs(now):
    """Return (revoked before, idle-expired before) for refresh tokens, as DOT's ``clear_expired`` computes them."""
    expire_delta = refresh_token_expire_timedelta()
    idle_before = now - expire_delta if expire_delta else None
    if oauth2_settings.REFRESH_TOKEN_REUSE_PROTECTION:
        # A revoked token is what lets a replay of it be caught: keep it until it expires.
        return idle_before, idle_before
    grace = oauth2_settings.REFRESH_TOKEN_GRACE_PERIOD_SECONDS or 0
    return now - timedelta(seconds=grace), idle_before


def clear_expired(batch_size=CLEANUP_BATCH_SIZE, dry_run=False, now=None):
    """Delete (or, with ``dry_run``, count) each kind of ``expired_rows``, in batches; return ``{kind: count}``."""
    if dry_run:
        return {kind: queryset.count() for kind, queryset, _unlink in expired_rows(now)}
    return {kind: delete_in_batches(queryset, batch_size, unlink) for kind, queryset, unlink in expired_rows(now)}
