"""The hot paths' database work, statement by statement (exact counts; README: Performance).

Savepoints are left out: they come from the test's own transaction around the
token endpoint's atomic block, and cost nothing in production.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mm_oauth.models import Authorization
from mm_oauth.services import authorizations
from tests.oauth_helpers import authorize

pytestmark = pytest.mark.usefixtures("provider_on")


def statements(run):
    """Run ``run()``; return its response and its SQL statements as (verb, table) pairs."""
    with CaptureQueriesContext(connection) as captured:
        response = run()
    found = []
    for query in captured.captured_queries:
        sql = query["sql"]
        verb = sql.split()[0].upper()
        if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
            continue
        marker = {"SELECT": " FROM ", "INSERT": "INSERT INTO ", "UPDATE": "UPDATE ", "DELETE": "DELETE FROM "}[verb]
        table = outside_parentheses(sql).split(marker, 1)[1].split()[0].strip('"`')
        found.append((verb, table))
    return response, found


def outside_parentheses(sql):
    """Return ``sql`` without its parenthesised parts (subqueries), so the main FROM is the first one."""
    kept, depth = [], 0
    for char in sql:
        depth += char == "("
        if depth == 0:
            kept.append(char)
        depth -= char == ")"
    return "".join(kept)


def token_request(app, **data):
    return Client().post("/oauth/access_token", {"client_id": app.client_id, "client_secret": app.plain_secret, **data})


def exchange(app, code):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": app.callback_urls[0]}
    return token_request(app, **data)


def test_a_code_exchange_takes_six_statements(signed_in_client, trusted_app):
    code = authorize(signed_in_client, trusted_app)["code"]
    response, found = statements(lambda: exchange(trusted_app, code))
    assert response.status_code == 200
    assert found == [
        ("SELECT", "oauth2_provider_grant"),  # the code, locked, with its client, user and "last used"
        ("INSERT", "oauth2_provider_accesstoken"),
        ("INSERT", "oauth2_provider_refreshtoken"),
        ("UPDATE", "mm_oauth_authorization"),  # "last used": never before
        ("DELETE", "oauth2_provider_grant"),  # single use
        ("INSERT", "mm_oauth_redeemedcode"),  # so a replay can revoke these tokens
    ]


def test_last_used_is_written_at_most_once_a_minute(signed_in_client, trusted_app, user):
    exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"])
    code = authorize(signed_in_client, trusted_app)["code"]
    response, found = statements(lambda: exchange(trusted_app, code))
    assert response.status_code == 200
    assert ("UPDATE", "mm_oauth_authorization") not in found and len(found) == 5
    authorization = Authorization.objects.get(user=user, application=trusted_app)
    a_minute_ago = timezone.now() - authorizations.LAST_USED_RESOLUTION
    Authorization.objects.filter(pk=authorization.pk).update(last_used_at=a_minute_ago)
    code = authorize(signed_in_client, trusted_app)["code"]
    response, found = statements(lambda: exchange(trusted_app, code))
    assert ("UPDATE", "mm_oauth_authorization") in found
    authorization.refresh_from_db()
    assert authorization.last_used_at > a_minute_ago


def test_a_code_of_another_client_still_costs_its_own_lookup(signed_in_client, app, trusted_app):
    code = authorize(signed_in_client, trusted_app)["code"]
    response, found = statements(lambda: exchange(app, code))
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert found[:2] == [("SELECT", "oauth2_provider_grant"), ("SELECT", "mm_oauth_application")]
    assert exchange(trusted_app, code).status_code == 200  # the code is still good for its own client


def test_a_refresh_takes_six_statements(signed_in_client, trusted_app):
    tokens = exchange(trusted_app, authorize(signed_in_client, trusted_app)["code"]).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    response, found = statements(lambda: token_request(trusted_app, **refresh))
    assert response.status_code == 200
    assert found == [
        ("SELECT", "oauth2_provider_refreshtoken"),  # locked, with its client, access token, user, "last used"
        ("UPDATE", "oauth2_provider_refreshtoken"),  # the old one becomes a tombstone
        ("DELETE", "oauth2_provider_accesstoken"),  # its access token goes
        ("INSERT", "oauth2_provider_accesstoken"),
        ("INSERT", "oauth2_provider_refreshtoken"),
    ]  # "last used" was written by the exchange a moment ago


def test_a_bearer_request_takes_one_statement(bearer_token, user, trusted_app):
    me = Client(**bearer_token(user, trusted_app))
    me.get("/api/v4/users/me")  # warm: the provider settings are cached in this process
    response, found = statements(lambda: me.get("/api/v4/users/me"))
    assert response.status_code == 200
    assert found == [("SELECT", "oauth2_provider_accesstoken")]  # with its application and user


def test_a_code_exchange_with_a_resource_still_takes_six_statements(signed_in_client, trusted_app):
    """RFC 8707: checking ``resource`` against this site's resources reads no table."""
    resource = "http://testserver/api/v4/"
    code = authorize(signed_in_client, trusted_app, extra={"resource": resource})["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": trusted_app.callback_urls[0]}
    response, found = statements(lambda: token_request(trusted_app, resource=resource, **data))
    assert response.status_code == 200
    assert len(found) == 6
    tokens = response.json()
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "resource": resource}
    response, found = statements(lambda: token_request(trusted_app, **refresh))
    assert response.status_code == 200
    assert len(found) == 5  # "last used" was written a moment ago
    me = Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    me.get("/api/v4/users/me")
    response, found = statements(lambda: me.get("/api/v4/users/me"))  # the audience checked too
    assert response.status_code == 200
    assert found == [("SELECT", "oauth2_provider_accesstoken")]
