"""Account settings > Security > OAuth 2.0 Applications."""

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from mm_oauth.models import Authorization
from mm_oauth.services.authorizations import record_authorization, touch
from mm_oauth.services.provider_settings import update_provider_settings
from tests.oauth_helpers import authorize
from tests.test_app_services import issue_tokens

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]
URL = "/account/security/oauth-apps/"


def test_empty_state(signed_in_client):
    assert "No OAuth 2.0 applications are authorized." in signed_in_client.get(URL).content.decode()


def test_lists_each_authorized_app_with_its_details(signed_in_client, user, make_app):
    app = make_app(name="Zapier", description="Connects apps", icon_url="https://z.example.com/icon.png")
    record_authorization(user, app, ["read"])
    touch(user, app)
    page = signed_in_client.get(URL).content.decode()
    assert "Zapier" in page and "Connects apps" in page and "https://app.example.com/" in page
    assert 'src="https://z.example.com/icon.png"' in page
    assert "Read your profile and the data you can see" in page
    assert "Authorized" in page and "last used" in page
    assert "No OAuth 2.0 applications are authorized." not in page


def test_only_your_own_authorizations_are_listed(signed_in_client, make_user, make_app):
    record_authorization(make_user("bob"), make_app(name="Bobs App"), ["read"])
    assert "Bobs App" not in signed_in_client.get(URL).content.decode()


def test_the_account_page_links_here(signed_in_client):
    assert URL in signed_in_client.get("/account/").content.decode()


def test_sign_in_is_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_deauthorize_confirms_then_revokes_and_the_next_sign_in_asks_again(signed_in_client, user, make_app):
    app = make_app(name="Zapier")
    authorize(signed_in_client, app)
    issue_tokens(app, user, 2)
    confirm = signed_in_client.get(f"{URL}{app.client_id}/deauthorize/")
    assert confirm.status_code == 200 and "Zapier" in confirm.content.decode()
    response = signed_in_client.post(f"{URL}{app.client_id}/deauthorize/")
    assert response.status_code == 302 and response["Location"] == URL
    assert not Authorization.objects.exists()
    assert not get_access_token_model().objects.filter(user=user).exists()
    assert not get_refresh_token_model().objects.filter(user=user).exists()
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]}
    assert signed_in_client.get("/oauth/authorize", params).status_code == 200  # asked again


def test_deauthorize_needs_csrf(user, make_app):
    app = make_app()
    record_authorization(user, app, ["read"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(f"{URL}{app.client_id}/deauthorize/").status_code == 403
    assert Authorization.objects.exists()


def test_someone_elses_or_unknown_authorization_is_a_404(signed_in_client, make_user, make_app):
    app = make_app()
    record_authorization(make_user("bob"), app, ["read"])
    assert signed_in_client.get(f"{URL}{app.client_id}/deauthorize/").status_code == 404
    assert signed_in_client.post(f"{URL}{app.client_id}/deauthorize/").status_code == 404
    assert signed_in_client.get(f"{URL}nope/deauthorize/").status_code == 404
    assert Authorization.objects.count() == 1


def test_available_while_the_provider_is_off(signed_in_client, user, make_app):
    app = make_app(name="Zapier")
    record_authorization(user, app, ["read"])
    update_provider_settings(enable_provider=False)
    page = signed_in_client.get(URL).content.decode()
    assert "Zapier" in page and "turned off" in page
    assert signed_in_client.post(f"{URL}{app.client_id}/deauthorize/").status_code == 302
    assert not Authorization.objects.exists()
