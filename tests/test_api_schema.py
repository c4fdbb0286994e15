"""``GET /api/v4/schema``: a valid OpenAPI 3 document that says what the views really do."""

import pytest
import yaml
from django.conf import settings
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema
from rest_framework.schemas.generators import EndpointEnumerator

from mm_oauth.api.schema import SchemaGenerator
from tests.test_api_apps import URL, api_client, app_url, call

SCHEMA_URL = "/api/v4/schema"

# mm_oauth's API: every path with its methods.
EXPECTED_OPERATIONS = {
    "/api/v4/users/me": {"get"},
    "/api/v4/users/{user_id}": {"get"},
    "/api/v4/oauth/settings": {"get", "put"},
    "/api/v4/oauth/apps": {"get", "post"},
    "/api/v4/oauth/apps/{client_id}": {"get", "put", "delete"},
    "/api/v4/oauth/apps/{client_id}/regen_secret": {"post"},
    "/api/v4/oauth/apps/{client_id}/info": {"get"},
    "/api/v4/schema": {"get"},
}


@pytest.fixture(scope="module")
def schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular warned or failed while describing the API (see stderr)"
    return generated


def properties(schema, component):
    return set(schema["components"]["schemas"][component]["properties"])


def served_operations():
    """Return {path: methods} of every mm_oauth DRF view the URLconf serves, found without drf-spectacular."""
    operations = {}
    for path, method, callback in EndpointEnumerator().get_api_endpoints():
        if callback.cls.__module__.startswith("mm_oauth."):
            operations.setdefault(path, set()).add(method.lower())
    return operations


def test_hosts_need_not_install_drf_spectacular_nor_change_rest_framework_settings():
    assert "drf_spectacular" not in settings.INSTALLED_APPS
    assert "DEFAULT_SCHEMA_CLASS" not in settings.REST_FRAMEWORK


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "mm_oauth API"
    validate_schema(schema)


def test_every_served_operation_is_described_with_its_methods(schema):
    described = {path: {method for method in item if method != "parameters"} for path, item in schema["paths"].items()}
    assert described == served_operations()
    for path, methods in EXPECTED_OPERATIONS.items():
        assert described[path] == methods, path


@pytest.mark.django_db
def test_it_is_served_publicly_as_json_by_default_and_as_yaml_on_request():
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    served = response.json()
    validate_schema(served)
    assert set(EXPECTED_OPERATIONS) <= set(served["paths"])

    as_yaml = Client().get(SCHEMA_URL, {"format": "yaml"})
    assert as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content) == served


@pytest.mark.django_db
def test_an_unknown_format_is_a_404_in_the_error_shape():
    response = Client().get(SCHEMA_URL, {"format": "xml"})
    assert response.status_code == 404
    assert response.json()["id"] == "api.not_found"


@pytest.mark.django_db
def test_app_components_have_exactly_the_keys_the_api_returns(schema, superuser, provider_on):
    client = api_client(superuser)
    created = call(client, "create")
    app_id = created.json()["id"]
    assert set(created.json()) == properties(schema, "OAuthAppWithSecret")
    assert set(client.get(app_url(app_id)).json()) == properties(schema, "OAuthApp")
    assert set(client.get(URL).json()[0]) == properties(schema, "OAuthApp")
    assert set(call(client, "update", app_id).json()) == properties(schema, "OAuthApp")
    assert set(client.get(app_url(app_id, "/info")).json()) == properties(schema, "OAuthAppInfo")
    assert set(call(client, "regen", app_id).json()) == properties(schema, "OAuthAppWithSecret")
    assert set(call(client, "delete", app_id).json()) == properties(schema, "StatusOK")
    assert "client_secret" not in properties(schema, "OAuthApp") | properties(schema, "OAuthAppInfo")


@pytest.mark.django_db
def test_errors_have_the_error_components_keys(schema, superuser, provider_on):
    response = call(api_client(superuser), "create", body={"name": ""})
    assert response.status_code == 400
    assert set(response.json()) == properties(schema, "Error")
    not_found = api_client(superuser).get(app_url("nope"))
    assert set(not_found.json()) == properties(schema, "Error") - {"errors"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"id", "message", "status_code"}


def test_request_bodies_name_the_fields_the_api_accepts(schema):
    editable = {"name", "description", "homepage", "icon_url", "callback_urls", "is_trusted", "client_type", "scopes"}
    assert properties(schema, "OAuthAppCreate") == editable
    assert set(schema["components"]["schemas"]["OAuthAppCreate"]["required"]) == {
        "name",
        "description",
        "homepage",
        "callback_urls",
    }
    assert properties(schema, "OAuthAppUpdate") == editable | {"id"}
    assert "required" not in schema["components"]["schemas"]["OAuthAppUpdate"]

    post = schema["paths"]["/api/v4/oauth/apps"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/OAuthAppCreate")
    assert set(post["responses"]) == {"201", "400", "401", "403", "501"}
    put = schema["paths"]["/api/v4/oauth/apps/{client_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/OAuthAppUpdate")
    listing = schema["paths"]["/api/v4/oauth/apps"]["get"]
    assert {p["name"]: p["schema"].get("maximum") for p in listing["parameters"]} == {
        "page": 1_000_000,
        "per_page": 200,
    }


def test_app_management_is_for_sessions_only_while_users_me_takes_tokens(schema):
    for path, item in schema["paths"].items():
        if path.startswith("/api/v4/oauth/"):
            for method, operation in item.items():
                assert operation["security"] == [{"cookieAuth": []}], (path, method)
    me = schema["paths"]["/api/v4/users/me"]["get"]["security"]
    assert {"oauth2": ["read"]} in me and {"cookieAuth": []} in me
    assert (
        schema["paths"]["/api/v4/users/{user_id}"]["get"]["security"]
        == schema["paths"]["/api/v4/users/me"]["get"]["security"]
    )
    flow = schema["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "/oauth/authorize" and flow["tokenUrl"] == "/oauth/access_token"
    assert set(flow["scopes"]) == {"read", "write"}


def test_the_user_object_is_described_with_mattermosts_keys(schema):
    from mm_oauth.services.user_object import USER_KEYS

    assert properties(schema, "User") == set(USER_KEYS)
    for path in ("/api/v4/users/me", "/api/v4/users/{user_id}"):
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": "#/components/schemas/User"}, path
