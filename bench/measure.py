"""Time the token endpoint and ``users/me``, and count the queries of a protected request.

Every request goes through Django's test client and is checked to have
succeeded. Import this module only once Django is set up
(``bench.environment.setup_django``).
"""

import gc
import platform
import re
import statistics
import time
from importlib import metadata
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from oauth2_provider.settings import oauth2_settings

from mm_oauth.conf import app_settings
from mm_oauth.models import ProviderSettings
from mm_oauth.services import provider_settings

from .environment import ME_PATH, TOKEN_PATH, describe_database
from .fixtures import CALLBACK, PRODUCTION_HASHERS, issue_codes, make_apps, make_user

FORM = "application/x-www-form-urlencoded"


def measure_all(counts, progress):
    """Run every measurement under production's hashers; return environment, token, users_me and queries.

    ``counts``: timed and warm-up requests (keys as in ``bench.run.FULL_COUNTS``).
    ``progress``: called with a short message before each long step.
    """
    try:
        with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
            provider_settings.update_provider_settings(enable_provider=True)
            user = make_user()
            apps = make_apps(user)
            progress("measuring the token endpoint…")
            token_counts = {"mm_oauth": counts["token"], "pbkdf2": counts["pbkdf2"], "plain": counts["token"]}
            token, access_token = measure_token_endpoint(apps, user, token_counts, counts["warmup"])
            progress("measuring users/me…")
            me, clients = measure_users_me(user, access_token, counts["me"], counts["me_warmup"])
            queries = measure_queries(apps, user, clients)
            env = describe_environment()
    finally:
        provider_settings.clear_cache()
    return {"environment": env, "token": token, "users_me": me, "queries": queries}


# --------------------------------------------------------------------------- requests


def token_request(client, bench_app):
    """POST one code to the token endpoint; return (elapsed ns, response)."""
    body = urlencode(
        {
            "grant_type": "authorization_code",
            "code": bench_app.codes.pop(),
            "redirect_uri": CALLBACK,
            "client_id": bench_app.app.client_id,
            "client_secret": bench_app.secret,
        }
    )
    start = time.perf_counter_ns()
    response = client.post(TOKEN_PATH, body, content_type=FORM)
    elapsed = time.perf_counter_ns() - start
    return elapsed, response


def check_token_response(response, label):
    """Check that the token endpoint issued a token; return the access token."""
    assert response.status_code == 200, f"{label}: token endpoint answered {response.status_code}: {response.content!r}"
    payload = response.json()
    assert payload.get("access_token"), f"{label}: no access_token in {sorted(payload)}"
    return payload["access_token"]


def me_request(client, user):
    """GET users/me; return elapsed ns (after checking the answer)."""
    start = time.perf_counter_ns()
    response = client.get(ME_PATH)
    elapsed = time.perf_counter_ns() - start
    assert response.status_code == 200, f"users/me answered {response.status_code}: {response.content!r}"
    assert response.json()["id"] == str(user.pk)
    return elapsed


def interleaved(counts):
    """Return the keys of ``counts`` spread evenly over one schedule (each key ``counts[key]`` times).

    Interleaving keeps slow drift (database growth, CPU frequency, caches) from
    favouring whichever configuration would otherwise run first.
    """
    slots = [((i + 0.5) / n, key) for key, n in counts.items() for i in range(n)]
    return [key for _pos, key in sorted(slots)]


def summary(samples_ns):
    """Return the count, median, mean, minimum and maximum of ``samples_ns``, in milliseconds."""
    ms = [sample / 1e6 for sample in samples_ns]
    return {
        "n": len(ms),
        "median_ms": statistics.median(ms),
        "mean_ms": statistics.fmean(ms),
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


# --------------------------------------------------------------------------- timings


def measure_token_endpoint(apps, user, counts, warmup):
    """Time the token endpoint for each configuration; return (summaries, one access token)."""
    client = Client()
    for key, bench_app in apps.items():
        issue_codes(bench_app, user, counts[key] + warmup + 1)
    for bench_app in apps.values():
        for _ in range(warmup):
            check_token_response(token_request(client, bench_app)[1], bench_app.label)
    samples = {key: [] for key in apps}
    gc.collect()
    for key in interleaved(counts):
        elapsed, response = token_request(client, apps[key])
        check_token_response(response, apps[key].label)
        samples[key].append(elapsed)
    results = {
        key: {"label": bench_app.label, "stored_secret": bench_app.stored_form, **summary(samples[key])}
        for key, bench_app in apps.items()
    }
    token = check_token_response(token_request(client, apps["mm_oauth"])[1], apps["mm_oauth"].label)
    return results, token


def measure_users_me(user, access_token, count, warmup):
    """Time users/me with a bearer token and with a session, interleaved."""
    clients = {
        "bearer": Client(headers={"authorization": f"Bearer {access_token}"}),
        "session": Client(),
    }
    clients["session"].force_login(user)
    for client in clients.values():
        for _ in range(warmup):
            me_request(client, user)
    samples = {key: [] for key in clients}
    gc.collect()
    for key in interleaved({key: count for key in clients}):
        samples[key].append(me_request(clients[key], user))
    return {key: summary(values) for key, values in samples.items()}, clients


# --------------------------------------------------------------------------- queries


def captured_sql(request):
    """Run ``request()`` under CaptureQueriesContext; return the SQL of each query."""
    with CaptureQueriesContext(connection) as context:
        request()
    return [query["sql"] for query in context.captured_queries]


def tables_of(sql):
    """Return the tables one SQL statement reads or writes, sorted."""
    return sorted(set(re.findall(r'(?:FROM|JOIN|INTO|UPDATE)\s+["`]?(\w+)["`]?', sql, flags=re.IGNORECASE)))


def described(sqls):
    """Return each statement with the tables it touches."""
    return [{"sql": sql, "tables": tables_of(sql)} for sql in sqls]


def warm_me_queries(client, user):
    """Return the queries of a users/me request made right after another one."""
    # Reload the provider settings now, so they are surely cached (for SETTINGS_CACHE_SECONDS)
    # when the measured request runs: an older copy could expire between the two requests.
    provider_settings.clear_cache()
    me_request(client, user)
    return described(captured_sql(lambda: me_request(client, user)))


def measure_queries(apps, user, clients):
    """Count the database queries of warm protected requests (and a few for comparison)."""
    settings_table = ProviderSettings._meta.db_table
    bearer = warm_me_queries(clients["bearer"], user)
    session = warm_me_queries(clients["session"], user)
    provider_settings.clear_cache()
    bearer_cold = described(captured_sql(lambda: me_request(clients["bearer"], user)))
    mm_app = apps["mm_oauth"]
    issue_codes(mm_app, user, 1)
    token_queries = described(
        captured_sql(lambda: check_token_response(token_request(Client(), mm_app)[1], mm_app.label))
    )
    return {
        "bearer_warm": bearer,
        "session_warm": session,
        "bearer_provider_settings_queries": sum(settings_table in q["tables"] for q in bearer),
        "bearer_cold": bearer_cold,
        "token_endpoint": token_queries,
        "provider_settings_table": settings_table,
    }


# --------------------------------------------------------------------------- environment


def describe_environment():
    """Return the versions and settings the figures were taken under."""
    return {
        "python": platform.python_version(),
        "django": metadata.version("django"),
        "django_oauth_toolkit": metadata.version("django-oauth-toolkit"),
        "database": describe_database(connection),
        "cache": type(caches[app_settings.SETTINGS_CACHE_ALIAS]).__name__,
        "debug": settings.DEBUG,
        "client_secret_hasher": oauth2_settings.CLIENT_SECRET_HASHER,
        "pbkdf2_iterations": PBKDF2PasswordHasher.iterations,
        "settings_cache_seconds": app_settings.SETTINGS_CACHE_SECONDS,
    }
