"""``mm_oauth_clear_expired``: every kind deleted in batches, live tokens kept, audit retention."""

import re
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.crypto import get_random_string
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
    set_token_value,
)

from mm_oauth.models import AuditEvent, RedeemedCode

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
Grant = get_grant_model()
IDToken = get_id_token_model()

AGO = timezone.now() - timedelta(days=40)
AHEAD = timezone.now() + timedelta(hours=1)


def clear(*args):
    out = StringIO()
    call_command("mm_oauth_clear_expired", *args, stdout=out)
    return out.getvalue()


def make_grants(user, app, count, expires):
    Grant.objects.bulk_create(
        Grant(user=user, application=app, code=uuid.uuid4().hex, expires=expires, redirect_uri="https://x/cb")
        for _ in range(count)
    )


def access_token(user, app, expires, **fields):
    token = AccessToken(user=user, application=app, expires=expires, scope="read", **fields)
    set_token_value(token, get_random_string(40))
    token.save()
    return token


def refresh_token(user, app, access=None, revoked=None):
    token = RefreshToken(user=user, application=app, access_token=access, revoked=revoked, token_family=uuid.uuid4())
    set_token_value(token, get_random_string(40))
    token.save()
    return token


def deletes_from(queries, table):
    return [query["sql"] for query in queries if query["sql"].startswith("DELETE") and table in query["sql"]]


def ids_in(sql):
    return len(re.search(r"IN \(([^)]*)\)", sql).group(1).split(","))


def test_no_delete_touches_more_than_a_batch(user, app):
    make_grants(user, app, 10, AGO)
    make_grants(user, app, 2, AHEAD)
    with CaptureQueriesContext(connection) as queries:
        out = clear("--batch-size", "3")
    deletes = deletes_from(queries.captured_queries, Grant._meta.db_table)
    assert len(deletes) == 4
    assert [ids_in(sql) for sql in deletes] == [3, 3, 3, 1]
    assert "authorization codes: 10 deleted" in out
    assert Grant.objects.count() == 2


def test_expired_access_tokens_go_and_live_ones_stay(user, app):
    expired = [access_token(user, app, AGO) for _ in range(5)]
    live = access_token(user, app, AHEAD)
    # An expired access token a live refresh token points at is kept: the client refreshes through it.
    refreshable = access_token(user, app, timezone.now() - timedelta(minutes=5))
    live_refresh = refresh_token(user, app, access=refreshable)
    with CaptureQueriesContext(connection) as queries:
        out = clear("--batch-size", "2")
    assert all(ids_in(sql) <= 2 for sql in deletes_from(queries.captured_queries, AccessToken._meta.db_table))
    assert "access tokens: 5 deleted" in out
    assert not AccessToken.objects.filter(pk__in=[token.pk for token in expired]).exists()
    assert set(AccessToken.objects.values_list("pk", flat=True)) == {live.pk, refreshable.pk}
    assert RefreshToken.objects.filter(pk=live_refresh.pk).exists()


def test_revoked_refresh_tokens_are_kept_while_reuse_protection_needs_them(user, app):
    revoked = refresh_token(user, app, revoked=AGO)
    out = clear()
    assert "revoked refresh tokens" not in out
    assert RefreshToken.objects.filter(pk=revoked.pk).exists()


def test_refresh_tokens_past_their_expiry_go_and_what_they_minted_stays(settings, user, app):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "REFRESH_TOKEN_EXPIRE_SECONDS": 3600}
    revoked = refresh_token(user, app, revoked=AGO)
    minted = access_token(user, app, AHEAD, source_refresh_token=revoked)
    live = refresh_token(user, app, access=minted)
    idle = refresh_token(user, app, access=access_token(user, app, AGO))
    out = clear()
    assert "revoked refresh tokens: 1 deleted" in out
    assert "expired refresh tokens: 1 deleted" in out
    assert "access tokens: 1 deleted" in out  # the idle token's, once nothing needs it
    assert set(RefreshToken.objects.values_list("pk", flat=True)) == {live.pk}
    minted.refresh_from_db()
    assert minted.source_refresh_token is None
    assert not RefreshToken.objects.filter(pk=idle.pk).exists()


def test_expired_id_tokens_and_old_redeemed_codes_go(user, app):
    IDToken.objects.create(user=user, application=app, expires=AGO)
    held = IDToken.objects.create(user=user, application=app, expires=AGO)
    access_token(user, app, AHEAD, id_token=held)
    old = RedeemedCode.objects.create(code_checksum="a" * 64, application=app, redeemed_at=AGO)
    recent = RedeemedCode.objects.create(code_checksum="b" * 64, application=app)
    out = clear()
    assert "ID tokens: 1 deleted" in out
    assert "redeemed-code records: 1 deleted" in out
    assert set(IDToken.objects.values_list("pk", flat=True)) == {held.pk}
    assert not RedeemedCode.objects.filter(pk=old.pk).exists()
    assert RedeemedCode.objects.filter(pk=recent.pk).exists()


def make_events(count, days_ago):
    AuditEvent.objects.bulk_create(AuditEvent(action=AuditEvent.Action.APP_CREATED) for _ in range(count))
    AuditEvent.objects.filter(created_at__gt=timezone.now() - timedelta(minutes=1)).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_audit_events_are_kept_forever_by_default(db):
    make_events(3, days_ago=1000)
    out = clear()
    assert "audit events" not in out
    assert AuditEvent.objects.count() == 3


def test_audit_events_past_the_retention_go_in_batches(db, mm_oauth_settings):
    mm_oauth_settings(AUDIT_RETENTION_DAYS=30)
    make_events(5, days_ago=31)
    make_events(2, days_ago=0)
    with CaptureQueriesContext(connection) as queries:
        out = clear("--batch-size", "2")
    assert len(deletes_from(queries.captured_queries, AuditEvent._meta.db_table)) == 3
    assert "audit events: 5 deleted" in out
    assert AuditEvent.objects.count() == 2


def test_dry_run_counts_and_deletes_nothing(user, app):
    make_grants(user, app, 4, AGO)
    access_token(user, app, AGO)
    out = clear("--dry-run")
    assert "authorization codes: 4 would be deleted" in out
    assert "access tokens: 1 would be deleted" in out
    assert Grant.objects.count() == 4
    assert AccessToken.objects.count() == 1


def test_batch_size_must_be_positive(db):
    with pytest.raises(CommandError, match="--batch-size"):
        clear("--batch-size", "0")
