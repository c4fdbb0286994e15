"""The provider switch: 501 everywhere while off, tokens refused but kept, cached reads."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from mm_oauth.models import ProviderSettings
from mm_oauth.models import provider_settings as settings_cache
from mm_oauth.services import provider_settings
from tests.oauth_helpers import obtain_tokens

REASON = "The system admin has turned off the OAuth 2.0 service provider."


def switch(on):
    provider_settings.update_provider_settings(enable_provider=on)


@pytest.mark.django_db
def test_provider_is_off_by_default():
    assert ProviderSettings.objects.count() == 0
    config = provider_settings.get_provider_settings()
    assert config.enable_provider is False
    assert config.restrict_to_admins is True
    assert config.allow_username_override is False and config.allow_icon_override is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/oauth/access_token"),
        ("post", "/oauth/token"),
        ("post", "/oauth/revoke"),
        ("post", "/oauth/introspect"),
        ("get", "/.well-known/oauth-authorization-server"),
    ],
)
def test_protocol_endpoints_answer_501_with_the_reason_while_off(method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 501
    assert response.json() == {"error": "temporarily_unavailable", "error_description": REASON}


@pytest.mark.django_db
def test_authorize_page_renders_html_501_even_before_login():
    response = Client().get("/oauth/authorize", {"client_id": "x", "response_type": "code"})
    assert response.status_code == 501
    assert response["Content-Type"].startswith("text/html")
    assert REASON in response.content.decode()


@pytest.mark.django_db
def test_the_off_page_links_a_superuser_to_the_switch_and_others_back_home(make_user):
    admin = Client()
    admin.force_login(make_user("root", is_superuser=True, is_staff=True))
    page = admin.get("/integrations/oauth2-apps/").content.decode()
    assert 'href="/admin/mm_oauth/providersettings/"' in page and 'href="/"' in page
    settings_page = admin.get("/admin/mm_oauth/providersettings/", follow=True)
    assert settings_page.status_code == 200 and "enable_provider" in settings_page.content.decode()
    person = Client()
    person.force_login(make_user("plain"))
    for answer in (person.get("/integrations/oauth2-apps/"), Client().get("/oauth/authorize", {"client_id": "x"})):
        body = answer.content.decode()
        assert answer.status_code == 501
        assert "/admin/" not in body and 'href="/"' in body
        assert "Ask the system admin of this site" in body


@pytest.mark.django_db
def test_bearer_tokens_are_refused_while_off_and_work_again_when_on(client, user, make_app):
    switch(True)
    app = make_app(is_trusted=True)
    client.force_login(user)
    token = obtain_tokens(client, app)["access_token"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v4/users/me", **bearer).status_code == 200

    switch(False)
    response = Client().get("/api/v4/users/me", **bearer)
    assert response.status_code == 401
    assert response.json()["message"] == REASON
    assert response.json()["id"] == "api.oauth.provider_disabled"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    # The session (first-party) keeps working: only apps are switched off.
    assert client.get("/api/v4/users/me").status_code == 200

    switch(True)
    assert Client().get("/api/v4/users/me", **bearer).status_code == 200


@pytest.mark.django_db
def test_warm_reads_make_no_database_query():
    switch(True)
    provider_settings.clear_cache()
    with CaptureQueriesContext(connection) as cold:
        assert provider_settings.provider_enabled() is True
    assert len(cold) == 1
    with CaptureQueriesContext(connection) as warm:
        for _ in range(100):
            assert provider_settings.provider_enabled() is True
    assert len(warm) == 0


@pytest.mark.django_db
def test_a_change_made_elsewhere_is_seen_once_the_local_copy_expires(monkeypatch):
    """Another process wrote the database: this process notices within SETTINGS_CACHE_SECONDS.

    The module's clock is driven by hand, so a slow machine cannot make the test pass or fail.
    """
    now = [1000.0]
    monkeypatch.setattr(settings_cache, "_clock", lambda: now[0])
    with override_settings(MM_OAUTH={"SETTINGS_CACHE_SECONDS": 2}):
        switch(True)
        assert provider_settings.provider_enabled() is True
        ProviderSettings.objects.update(enable_provider=False)  # bypasses this process's cache
        now[0] += 1.9
        assert provider_settings.provider_enabled() is True  # still within the bound
        now[0] += 0.2
        assert provider_settings.provider_enabled() is False


SHARED_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": None},
}


@pytest.mark.django_db
def test_with_a_shared_cache_other_processes_read_it_without_a_query(tmp_path, django_capture_on_commit_callbacks):
    caches_setting = {
        "default": SHARED_CACHE["default"],
        "shared": {**SHARED_CACHE["shared"], "LOCATION": str(tmp_path)},
    }
    with override_settings(CACHES=caches_setting, MM_OAUTH={"SETTINGS_CACHE_ALIAS": "shared"}):
        with django_capture_on_commit_callbacks(execute=True):
            switch(True)  # on commit, writes through to the shared (file) cache
        settings_cache._memo = None  # a fresh process: nothing in memory
        with CaptureQueriesContext(connection) as queries:
            assert provider_settings.provider_enabled() is True
        assert len(queries) == 0
        assert caches["shared"].get(provider_settings.CACHE_KEY)["enable_provider"] is True
        provider_settings.clear_cache()


@pytest.mark.django_db
def test_update_rejects_unknown_names_and_changes_nothing():
    with pytest.raises(ValueError, match="nonsense"):
        provider_settings.update_provider_settings(nonsense=True)
    assert not ProviderSettings.objects.exists()


@pytest.mark.django_db
def test_changes_send_a_signal_with_old_and_new_values(superuser):
    from mm_oauth.signals import provider_settings_changed

    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    provider_settings_changed.connect(receiver)
    try:
        provider_settings.update_provider_settings(actor=superuser, enable_provider=True, restrict_to_admins=True)
    finally:
        provider_settings_changed.disconnect(receiver)
    assert len(seen) == 1
    assert seen[0]["actor"] == superuser
    assert seen[0]["changes"] == {"enable_provider": (False, True)}
    assert ProviderSettings.objects.get().updated_by == superuser


@pytest.mark.django_db
def test_admin_edits_go_through_the_service_and_publish(client, superuser, django_capture_on_commit_callbacks):
    client.force_login(superuser)
    response = client.get("/admin/mm_oauth/providersettings/")
    assert response.status_code == 302
    change_url = response["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url, {"enable_provider": "on", "restrict_to_admins": "on"})
    assert response.status_code == 302, response.content[:400]
    # Published: this process sees it without waiting for the cache to expire.
    with CaptureQueriesContext(connection) as queries:
        assert provider_settings.provider_enabled() is True
    assert len(queries) == 0
    assert ProviderSettings.objects.get().updated_by == superuser


@pytest.mark.django_db
def test_admin_settings_page_is_for_superusers_only(client, make_user):
    staff = make_user("staff", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/mm_oauth/providersettings/1/change/").status_code == 403


def dead_redis():
    """Return CACHES whose shared cache is a Redis server nobody runs: every call raises ConnectionError."""
    from tests.e2e.servers import free_port

    return {
        "default": SHARED_CACHE["default"],
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        },
    }


def file_cache(location):
    """Return CACHES whose shared cache stores files under ``location`` (every call raises if it is unusable)."""
    return {"default": SHARED_CACHE["default"], "shared": {**SHARED_CACHE["shared"], "LOCATION": str(location)}}


@pytest.fixture
def cache_warnings(monkeypatch, caplog):
    """Capture the module's warnings, the once-per-interval limit starting afresh."""
    monkeypatch.setattr(settings_cache, "_warned_at", None)
    caplog.set_level("WARNING", logger="mm_oauth.provider_settings")
    return caplog


@pytest.mark.django_db
def test_reads_fall_back_to_the_database_while_the_shared_cache_is_down(cache_warnings):
    switch(True)
    with override_settings(CACHES=dead_redis(), MM_OAUTH={"SETTINGS_CACHE_ALIAS": "shared"}):
        settings_cache._memo = None
        with CaptureQueriesContext(connection) as queries:
            assert provider_settings.provider_enabled() is True
        assert len(queries) == 1
    assert "ConnectionError" in cache_warnings.text


@pytest.mark.django_db
def test_a_change_commits_and_is_seen_here_while_the_shared_cache_is_down(django_capture_on_commit_callbacks):
    with override_settings(CACHES=dead_redis(), MM_OAUTH={"SETTINGS_CACHE_ALIAS": "shared"}):
        with django_capture_on_commit_callbacks(execute=True):
            switch(True)  # neither the delete inside the transaction nor the write-through may roll it back
        assert ProviderSettings.objects.get().enable_provider is True
        assert provider_settings.provider_enabled() is True


@pytest.mark.django_db
def test_cache_failures_are_logged_once_per_interval_not_per_read(monkeypatch, cache_warnings):
    now = [1000.0]
    monkeypatch.setattr(settings_cache, "_clock", lambda: now[0])
    mm_oauth = {"SETTINGS_CACHE_ALIAS": "shared", "SETTINGS_CACHE_SECONDS": 2}
    with override_settings(CACHES=dead_redis(), MM_OAUTH=mm_oauth):
        for _ in range(20):  # 40 s of reads, each after the local copy expired
            assert provider_settings.provider_enabled() is False
            now[0] += 2.0
        assert len(cache_warnings.records) == 1
        now[0] += settings_cache.WARNING_INTERVAL
        provider_settings.provider_enabled()
        assert len(cache_warnings.records) == 2
    assert {record.name for record in cache_warnings.records} == {"mm_oauth.provider_settings"}


@pytest.mark.django_db
def test_a_copy_left_from_before_a_failed_write_through_is_replaced_when_the_cache_returns(
    tmp_path, django_capture_on_commit_callbacks
):
    """The cache comes back holding "on" (it kept its data, or only this process lost it); the database says "off"."""
    location, kept = tmp_path / "cache", tmp_path / "kept"
    with override_settings(CACHES=file_cache(location), MM_OAUTH={"SETTINGS_CACHE_ALIAS": "shared"}):
        with django_capture_on_commit_callbacks(execute=True):
            switch(True)
        location.rename(kept)
        location.write_text("")  # the cache is down: every read and write raises NotADirectoryError
        with django_capture_on_commit_callbacks(execute=True):
            switch(False)
        location.unlink()
        kept.rename(location)  # back, with the copy from before the change
        assert caches["shared"].get(provider_settings.CACHE_KEY)["enable_provider"] is True

        settings_cache._memo = None
        assert provider_settings.provider_enabled() is False
        assert caches["shared"].get(provider_settings.CACHE_KEY)["enable_provider"] is False  # overwritten
        settings_cache._memo = None
        with CaptureQueriesContext(connection) as queries:
            assert provider_settings.provider_enabled() is False
        assert len(queries) == 0  # trusted again
        provider_settings.clear_cache()
