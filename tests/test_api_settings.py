"""``GET/PUT /api/v4/oauth/settings`` (superusers) and the API's error shape."""

import json

import pytest
from django.test import Client

from mm_oauth.models import ProviderSettings
from mm_oauth.services import provider_settings

URL = "/api/v4/oauth/settings"


def put(client, body, **headers):
    return client.put(URL, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def superuser_csrf_client(superuser):
    """A superuser's browser session, with CSRF enforced as in production."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    client.get("/admin/")  # a page with a form: sets the csrftoken cookie
    return client


def csrf(client):
    token = client.cookies["csrftoken"].value
    return {"HTTP_X_CSRFTOKEN": token}


@pytest.mark.django_db
def test_superuser_reads_the_defaults(superuser_csrf_client):
    response = superuser_csrf_client.get(URL)
    assert response.status_code == 200
    data = response.json()
    assert {k: data[k] for k in ProviderSettings.FLAGS} == {
        "enable_provider": False,
        "restrict_to_admins": True,
        "allow_username_override": False,
        "allow_icon_override": False,
        "enable_client_id_metadata_documents": False,
        "enable_dynamic_client_registration": False,
    }
    assert data["registration_redirect_uri_allowlist"] == ""


@pytest.mark.django_db
def test_superuser_changes_settings_and_every_read_sees_it(superuser_csrf_client, superuser):
    response = put(
        superuser_csrf_client, {"enable_provider": True, "allow_icon_override": True}, **csrf(superuser_csrf_client)
    )
    assert response.status_code == 200, response.content
    assert response.json()["enable_provider"] is True
    assert response.json()["updated_by"] == str(superuser.pk)
    assert response.json()["update_at"] > 0
    row = ProviderSettings.objects.get()
    assert row.enable_provider and row.allow_icon_override and row.restrict_to_admins
    assert provider_settings.provider_enabled() is True


@pytest.mark.django_db
def test_put_without_csrf_token_is_refused(superuser_csrf_client):
    response = put(superuser_csrf_client, {"enable_provider": True})
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert not ProviderSettings.objects.filter(enable_provider=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"enable_provider": "yes"}, "enable_provider"),
        ({"enable_provider": 1}, "enable_provider"),
        ({"enable_provider": None}, "enable_provider"),
        ({"enable_provider": True, "surprise": True}, "surprise"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(superuser_csrf_client, body, field):
    response = put(superuser_csrf_client, body, **csrf(superuser_csrf_client))
    assert response.status_code == 400
    data = response.json()
    assert data["id"] == "api.invalid_request"
    assert data["status_code"] == 400
    assert field in data["errors"]
    assert field in data["message"]
    assert not ProviderSettings.objects.filter(enable_provider=True).exists()


@pytest.mark.django_db
def test_malformed_json_is_a_clear_400(superuser_csrf_client):
    response = superuser_csrf_client.put(
        URL, "{not json", content_type="application/json", **csrf(superuser_csrf_client)
    )
    assert response.status_code == 400
    assert response.json()["id"] == "api.invalid_json"


@pytest.mark.django_db
def test_anonymous_gets_401_or_403_in_the_error_shape():
    response = Client().get(URL)
    assert response.status_code in (401, 403)
    assert response.json()["id"] == "api.unauthenticated"


@pytest.mark.django_db
def test_staff_who_are_not_superusers_are_refused(client, make_user):
    client.force_login(make_user("staff", is_staff=True))
    response = client.get(URL)
    assert response.status_code == 403
    assert response.json()["id"] == "api.forbidden"
    assert "superuser" in response.json()["message"]


@pytest.mark.django_db
def test_oauth_tokens_may_not_manage_settings_even_a_superusers(superuser, trusted_app, bearer_token, provider_on):
    response = Client().get(URL, **bearer_token(superuser, trusted_app))
    assert response.status_code == 403
    assert "OAuth 2.0 applications" in response.json()["message"]
