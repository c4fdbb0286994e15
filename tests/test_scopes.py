"""The scope registry, per-app allowed scopes and partial consent (mm_oauth.scopes, mm_oauth.oauth.consent)."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from oauth2_provider.models import get_access_token_model, get_application_model, get_grant_model
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.settings import oauth2_settings

from mm_oauth import scopes
from mm_oauth.models import AuditEvent, Authorization
from mm_oauth.services import applications
from tests.oauth_helpers import authorize, exchange_code, query_of
from tests.test_api_apps import MATTERMOST_BODY, api_client
from tests.test_org_pages import admin_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]
Application = get_application_model()
PROJECTS = {"projects": {"description": gettext_lazy("See your projects"), "optional": True}}


def authorize_get(client, app, **params):
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0], **params}
    return client.get("/oauth/authorize", query)


def consent_form(response):
    """Return the consent page's form data as the browser posts it (every optional scope still ticked)."""
    form = response.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    return {**data, "allow": "Authorize", "granted": [name for name, _label in form.fields["granted"].choices]}


def refresh(app, refresh_token, **extra):
    body = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": app.client_id}
    return Client().post("/oauth/access_token", {**body, "client_secret": app.plain_secret, **extra})


# --- The registry -------------------------------------------------------------------------------


def test_mm_oauths_own_scopes_are_registered_with_descriptions():
    registered = scopes.registry()
    assert list(registered) == ["read", "write"]
    assert not registered["read"].optional and registered["write"].optional
    assert str(registered["read"].description) == "Read your profile and the data you can see"
    assert scopes.default_scope_names() == ["read", "write"]


def test_openid_connect_adds_its_scopes(oidc_on):
    assert scopes.scope_names() == ["read", "write", "openid", "profile", "email"]
    assert not scopes.registry()["openid"].optional and scopes.registry()["email"].optional


def test_a_host_adds_its_own_scopes_through_the_setting(mm_oauth_settings):
    mm_oauth_settings(SCOPES={**PROJECTS, "admin": {"description": "Administer the site"}})
    registered = scopes.registry()
    assert scopes.scope_names() == ["read", "write", "projects", "admin"]
    assert registered["projects"].optional and not registered["admin"].optional
    assert not registered["projects"].default


def test_a_host_may_reword_a_builtin_scope(mm_oauth_settings):
    mm_oauth_settings(SCOPES={"write": {"description": "Post on your behalf", "optional": False, "default": True}})
    assert scopes.registry()["write"] == scopes.Scope("write", "Post on your behalf", optional=False, default=True)


@pytest.mark.parametrize(
    "entry",
    [
        {"bad name": {"description": "x"}},
        {'quo"te': {"description": "x"}},
        {"projects": "See your projects"},
        {"projects": {"optional": True}},
        {"projects": {"description": "x", "required": True}},
    ],
)
def test_a_malformed_host_scope_is_a_configuration_error(mm_oauth_settings, entry):
    mm_oauth_settings(SCOPES=entry)
    with pytest.raises(ImproperlyConfigured, match="MM_OAUTH\\['SCOPES'\\]"):
        scopes.registry()


def test_dot_reads_the_registry_and_no_second_list(mm_oauth_settings):
    mm_oauth_settings(SCOPES=PROJECTS)
    backend = get_scopes_backend()
    assert isinstance(backend, scopes.RegistryScopes)
    assert backend.get_all_scopes() == {scope.name: scope.description for scope in scopes.registry().values()}
    assert backend.get_available_scopes() == ["read", "write", "projects"]
    assert backend.get_default_scopes() == ["read", "write"]
    assert "SCOPES" not in oauth2_settings.user_settings and "DEFAULT_SCOPES" not in oauth2_settings.user_settings


def test_an_apps_available_and_default_scopes_are_its_allowed_ones(make_app, mm_oauth_settings):
    mm_oauth_settings(SCOPES=PROJECTS)
    backend = get_scopes_backend()
    app = make_app(scopes=["projects", "read"])
    assert backend.get_available_scopes(application=app) == ["read", "projects"]
    assert backend.get_default_scopes(application=app) == ["read"]
    assert backend.get_available_scopes(application=make_app()) == ["read", "write", "projects"]


def test_discovery_lists_the_host_scopes(oidc_on, mm_oauth_settings):
    mm_oauth_settings(SCOPES=PROJECTS)
    metadata = Client().get("/.well-known/openid-configuration").json()
    assert metadata["scopes_supported"] == ["read", "write", "openid", "profile", "email", "projects"]


# --- Allowed scopes on every surface ------------------------------------------------------------


def test_the_api_stores_the_allowed_scopes_and_reads_them_back(superuser, provider_on):
    client = api_client(superuser)
    created = client.post(
        "/api/v4/oauth/apps", {**MATTERMOST_BODY, "scopes": ["read"]}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["scopes"] == ["read"]
    app = Application.objects.get(client_id=created.json()["id"])
    assert app.allowed_scopes == "read"
    updated = client.put(f"/api/v4/oauth/apps/{app.client_id}", {"scopes": []}, content_type="application/json")
    assert updated.status_code == 200 and updated.json()["scopes"] == []
    event = AuditEvent.objects.filter(action=AuditEvent.Action.APP_UPDATED).get()
    assert event.changes == {"scopes": [["read"], []]}


@pytest.mark.parametrize("bad", [["read", "nope"], ["read write"], ["READ"]])
def test_an_unknown_scope_in_the_api_is_a_400_naming_the_field_and_the_name(superuser, make_app, provider_on, bad):
    app = make_app(creator=superuser, scopes=["read"])
    client = api_client(superuser)
    body = {"name": "Renamed", "scopes": bad}
    response = client.put(f"/api/v4/oauth/apps/{app.client_id}", body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["scopes"]
    assert f'"{bad[-1]}"' in errors["scopes"][0] and "Registered scopes: read, write" in errors["scopes"][0]
    app.refresh_from_db()
    assert app.name != "Renamed" and app.scopes == ["read"]


def test_the_app_page_offers_a_checkbox_per_scope_and_saves_them(superuser, make_app, client_for, mm_oauth_settings):
    mm_oauth_settings(SCOPES=PROJECTS)
    app = make_app(creator=superuser)
    client = client_for(superuser)
    page = client.get(reverse("mm_oauth:apps-edit", args=[app.client_id])).content.decode()
    for name in ("read", "write", "projects"):
        assert re.search(rf'<input type="checkbox"[^>]*name="scopes" value="{name}"', page), name
    assert "See your projects" in page
    data = {
        "name": app.name,
        "description": app.description,
        "homepage": app.homepage,
        "callback_urls": app.callback_urls[0],
        "scopes": ["read", "projects"],
    }
    assert client.post(reverse("mm_oauth:apps-edit", args=[app.client_id]), data).status_code == 302
    app.refresh_from_db()
    assert app.scopes == ["read", "projects"]

    refused = client.post(reverse("mm_oauth:apps-edit", args=[app.client_id]), {**data, "scopes": ["read", "nope"]})
    assert refused.status_code == 200
    assert "nope" in str(refused.context["form"].errors["scopes"])
    app.refresh_from_db()
    assert app.scopes == ["read", "projects"]


def test_the_admin_edits_the_allowed_scopes_through_the_service(client, superuser, make_app):
    app = make_app()
    client.force_login(superuser)
    url = f"/admin/mm_oauth/application/{app.pk}/change/"
    data = {**admin_form_data(client.get(url)), "allowed_scopes": ["write"]}
    assert client.post(url, data).status_code == 302
    app.refresh_from_db()
    assert app.scopes == ["write"]
    assert AuditEvent.objects.get(action=AuditEvent.Action.APP_UPDATED).changes == {"scopes": [[], ["write"]]}

    response = client.post(url, {**data, "allowed_scopes": ["nope"]})
    assert response.status_code == 200
    assert "nope" in str(response.context["adminform"].form.errors["allowed_scopes"])
    app.refresh_from_db()
    assert app.scopes == ["write"]


def test_the_service_refuses_unknown_scopes_and_saves_nothing(make_app):
    with pytest.raises(ValidationError) as refused:
        make_app(scopes=["read", "nope"])
    assert refused.value.message_dict["allowed_scopes"][0].startswith('Unknown scope "nope".')
    assert not Application.objects.exists()
    app = make_app(scopes=["read"])
    with pytest.raises(ValidationError):
        applications.update_application(app, scopes=["read write"])
    app.refresh_from_db()
    assert app.scopes == ["read"]


# --- invalid_scope at the authorize and token endpoints -------------------------------------------


def test_authorize_refuses_a_scope_the_app_may_not_ask_for_on_the_redirect(signed_in_client, make_app, provider_on):
    app = make_app(scopes=["read"])
    response = authorize_get(signed_in_client, app, scope="read write", state="s-1")
    assert response.status_code == 302
    assert response["Location"].startswith(app.callback_urls[0] + "?")
    query = query_of(response["Location"])
    assert query["error"] == "invalid_scope" and query["state"] == "s-1"
    assert not get_grant_model().objects.exists()


def test_a_trusted_app_is_refused_too_and_gets_what_it_asked_for_within_its_scopes(signed_in_client, make_app):
    app = make_app(is_trusted=True, scopes=["read"])
    assert query_of(authorize_get(signed_in_client, app, scope="write")["Location"])["error"] == "invalid_scope"
    code = query_of(authorize_get(signed_in_client, app, scope="read")["Location"])["code"]
    assert exchange_code(app, code).json()["scope"] == "read"


def test_without_a_scope_an_app_gets_its_allowed_default_scopes(signed_in_client, make_app):
    app = make_app(scopes=["read"])
    page = authorize_get(signed_in_client, app)
    assert page.status_code == 200 and page.context["scopes"] == ["read"]
    code = query_of(signed_in_client.post("/oauth/authorize", consent_form(page))["Location"])["code"]
    assert exchange_code(app, code).json()["scope"] == "read"


def test_the_token_endpoint_refuses_a_code_for_scopes_no_longer_allowed(signed_in_client, make_app):
    app = make_app()
    code = authorize(signed_in_client, app, scope="read write")["code"]
    applications.update_application(app, scopes=["read"])
    response = exchange_code(app, code)
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
    assert not get_access_token_model().objects.exists()


def test_a_refresh_for_scopes_no_longer_allowed_is_refused_but_a_narrower_one_works(signed_in_client, make_app):
    app = make_app()
    tokens = exchange_code(app, authorize(signed_in_client, app, scope="read write")["code"]).json()
    applications.update_application(app, scopes=["read"])
    refused = refresh(app, tokens["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    narrower = refresh(app, tokens["refresh_token"], scope="read")
    assert narrower.status_code == 200 and narrower.json()["scope"] == "read"


# --- Partial consent ----------------------------------------------------------------------------


def test_the_consent_page_shows_optional_scopes_as_ticked_checkboxes_and_required_ones_fixed(signed_in_client, app):
    page = authorize_get(signed_in_client, app, scope="read write").content.decode()
    assert re.search(r'<input [^>]*type="checkbox"[^>]* name="granted" value="write"[^>]* checked', page)
    assert not re.search(r'name="granted" value="read"', page)
    assert "Read your profile and the data you can see" in page and "(required)" in page
    assert "Create and change data on your behalf" in page
    assert "Untick what you do not want to allow" in page
    fixed = authorize_get(signed_in_client, app, scope="read").content.decode()
    assert 'name="granted"' not in fixed and "Untick what you do not want to allow" not in fixed


def test_unticking_an_optional_scope_grants_only_the_rest(signed_in_client, app, user):
    code = authorize(signed_in_client, app, scope="read write", granted=[])["code"]
    assert get_grant_model().objects.get().scope == "read"
    response = exchange_code(app, code)
    assert response.status_code == 200
    assert response.json()["scope"] == "read"  # RFC 6749 section 5.1: it differs from the request
    assert get_access_token_model().objects.get().scope == "read"
    assert Authorization.objects.get(user=user, application=app).scopes == {"read"}

    # The refused scope is not covered: asking for it again shows the consent page; what was granted is remembered.
    assert authorize_get(signed_in_client, app, scope="read write").status_code == 200
    assert authorize_get(signed_in_client, app, scope="read").status_code == 302


def test_a_scope_refused_later_is_dropped_from_the_remembered_authorization(signed_in_client, app, user):
    authorize(signed_in_client, app, scope="read write")
    assert Authorization.objects.get(user=user).scopes == {"read", "write"}
    authorize(signed_in_client, app, scope="read write", granted=[], extra={"prompt": "consent"})
    assert Authorization.objects.get(user=user).scopes == {"read"}


def test_a_host_scope_can_be_unticked_and_the_authorized_apps_page_describes_what_was_granted(
    signed_in_client, app, mm_oauth_settings
):
    mm_oauth_settings(SCOPES=PROJECTS)
    page = authorize_get(signed_in_client, app, scope="read write projects")
    assert "See your projects" in page.content.decode()
    data = {**consent_form(page), "granted": ["projects"]}
    code = query_of(signed_in_client.post("/oauth/authorize", data)["Location"])["code"]
    assert exchange_code(app, code).json()["scope"] == "read projects"
    listed = signed_in_client.get(reverse("mm_oauth:authorized-apps")).content.decode()
    assert "See your projects" in listed and "Create and change data on your behalf" not in listed
    api = signed_in_client.get("/api/v4/users/me/oauth/apps/authorized").json()[0]
    assert api["scopes"] == ["read", "projects"]
    assert api["scope_descriptions"] == ["Read your profile and the data you can see", "See your projects"]


@pytest.mark.parametrize(
    "granted",
    [["admin"], ["read"], ["write", "projects"]],
    ids=["never-registered", "required-not-optional", "registered-not-requested"],
)
def test_a_forged_grant_is_refused_and_nothing_is_issued(signed_in_client, app, mm_oauth_settings, granted):
    mm_oauth_settings(SCOPES=PROJECTS)
    page = authorize_get(signed_in_client, app, scope="read write")
    response = signed_in_client.post("/oauth/authorize", {**consent_form(page), "granted": granted})
    assert response.status_code == 400 and "Location" not in response
    assert "Only the optional permissions the application asked for can be granted." in response.content.decode()
    assert not get_grant_model().objects.exists() and not Authorization.objects.exists()


def test_a_forged_request_for_a_scope_the_app_may_not_have_is_refused(signed_in_client, make_app):
    app = make_app(scopes=["read"])
    page = authorize_get(signed_in_client, app, scope="read")
    forged = {**consent_form(page), "scope": "read write", "granted": ["write"]}
    response = signed_in_client.post("/oauth/authorize", forged)
    assert response.status_code == 302 and query_of(response["Location"])["error"] == "invalid_scope"
    assert not get_grant_model().objects.exists() and not Authorization.objects.exists()


def test_allowing_with_every_scope_unticked_asks_to_choose_or_deny(signed_in_client, app):
    page = authorize_get(signed_in_client, app, scope="write")
    response = signed_in_client.post("/oauth/authorize", {**consent_form(page), "granted": []})
    assert response.status_code == 400
    assert "Allow at least one permission, or deny the request." in response.content.decode()
    denied = signed_in_client.post("/oauth/authorize", {**consent_form(page), "granted": [], "allow": ""})
    assert query_of(denied["Location"])["error"] == "access_denied"
    assert not get_grant_model().objects.exists()


# --- The email and German ---------------------------------------------------------------------


def test_the_new_authorization_email_describes_the_granted_scopes(
    signed_in_client, app, mm_oauth_settings, django_capture_on_commit_callbacks
):
    mm_oauth_settings(NOTIFY_NEW_AUTHORIZATION=True)
    with django_capture_on_commit_callbacks(execute=True):
        authorize(signed_in_client, app, scope="read write", granted=[])
    body = mail.outbox[0].body
    assert "  - Read your profile and the data you can see" in body
    assert "Create and change data on your behalf" not in body


def test_the_descriptions_come_out_in_german(signed_in_client, app, oidc_on):
    with translation.override("de"):
        words = [str(description) for description in scopes.descriptions(scopes.scope_names())]
    assert words == [
        "Ihr Profil und die Daten lesen, die Sie sehen können",
        "In Ihrem Namen Daten anlegen und ändern",
        "Sie mit Ihrem Konto hier anmelden (OpenID Connect)",
        "Ihren Benutzernamen und Ihren Namen sehen",
        "Ihre E-Mail-Adresse sehen",
    ]
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]}
    page = signed_in_client.get("/oauth/authorize", {**query, "scope": "openid read write"}, HTTP_ACCEPT_LANGUAGE="de")
    html = page.content.decode()
    assert "In Ihrem Namen Daten anlegen und ändern" in html and "(erforderlich)" in html
