"""The consent page: remembered decisions, scope growth, deny, errors, notices."""

import pytest
from django.core import mail
from django.test import Client
from oauth2_provider.models import get_grant_model

from mm_oauth.models import Authorization
from mm_oauth.oauth.oauth2_validators import code_checksum
from mm_oauth.services import authorizations
from tests.oauth_helpers import authorize, query_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]
Grant = get_grant_model()


def authorize_get(client, app, **params):
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0], **params}
    return client.get("/oauth/authorize", query)


def test_first_time_asks_then_the_decision_is_remembered(signed_in_client, app, user):
    assert authorize_get(signed_in_client, app).status_code == 200  # the consent page
    authorize(signed_in_client, app)
    consent = Authorization.objects.get(user=user, application=app)
    assert consent.scopes == {"read", "write"}

    response = authorize_get(signed_in_client, app, state="again")
    assert response.status_code == 302
    assert query_of(response["Location"])["state"] == "again"
    assert query_of(response["Location"])["code"]


def test_remembered_consent_survives_token_expiry_and_refresh(signed_in_client, app, user):
    authorize(signed_in_client, app)
    code = authorize(signed_in_client, app)["code"]  # asked nothing the second time
    assert Grant.objects.filter(code=code_checksum(code)).exists()


def test_more_scopes_than_granted_asks_again(signed_in_client, app, user):
    authorize(signed_in_client, app, scope="read")
    assert Authorization.objects.get().scopes == {"read"}
    assert authorize_get(signed_in_client, app, scope="read").status_code == 302  # covered
    response = authorize_get(signed_in_client, app, scope="read write")
    assert response.status_code == 200
    assert "Create and change data on your behalf" in response.content.decode()
    authorize(signed_in_client, app, scope="read write")
    assert Authorization.objects.get().scopes == {"read", "write"}


def test_prompt_consent_always_asks(signed_in_client, app):
    authorize(signed_in_client, app)
    assert authorize_get(signed_in_client, app, prompt="consent").status_code == 200


def test_trusted_apps_never_ask_and_still_appear_as_authorized(signed_in_client, make_app, user):
    trusted = make_app(is_trusted=True)
    assert authorize_get(signed_in_client, trusted, prompt="consent").status_code == 302
    assert Authorization.objects.filter(user=user, application=trusted).exists()


def test_consent_page_shows_the_app_and_the_scopes_in_words(signed_in_client, make_app):
    app = make_app(name="Tool", description="Does things", icon_url="https://t.example.com/i.png")
    page = authorize_get(signed_in_client, app).content.decode()
    assert "Tool" in page and "Does things" in page and "https://app.example.com/" in page
    assert 'src="https://t.example.com/i.png"' in page
    assert "Read your profile and the data you can see" in page


def test_default_icon_when_the_app_has_none(signed_in_client, make_app):
    assert "mm_oauth/app-icon.svg" in authorize_get(signed_in_client, make_app(icon_url="")).content.decode()


@pytest.mark.parametrize(
    "callback, expected_prefix",
    [
        ("https://t.example.com/cb", "https://t.example.com/cb?error=access_denied"),
        ("https://t.example.com/cb?tenant=a%26b&x=1", "https://t.example.com/cb?tenant=a%26b&x=1&error=access_denied"),
    ],
)
def test_deny_redirects_with_the_error_and_state_merged_into_the_callback(
    signed_in_client, make_app, callback, expected_prefix
):
    app = make_app(callback_urls=[callback])
    response = authorize_get(signed_in_client, app, state="st/8 x")
    form = response.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = signed_in_client.post("/oauth/authorize", {**data, "allow": ""})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(expected_prefix)
    assert query_of(location)["state"] == "st/8 x"
    assert location.count("?") == 1
    assert not Authorization.objects.exists() and not Grant.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"code_challenge": "a" * 43, "code_challenge_method": "plain"},
        {"code_challenge": "short", "code_challenge_method": "S256"},
        {"code_challenge": "a" * 42 + "!", "code_challenge_method": "S256"},
        {"code_challenge": "a" * 129, "code_challenge_method": "S256"},
        {"code_challenge": "a" * 43},
        {"code_challenge_method": "S256"},
    ],
)
def test_a_malformed_pkce_challenge_shows_an_error_page_and_never_redirects(signed_in_client, app, params):
    response = authorize_get(signed_in_client, app, **params)
    assert response.status_code == 400
    assert "Location" not in response
    assert "This sign-in request failed a security check" in response.content.decode()
    assert not Grant.objects.exists()


def test_a_missing_redirect_uri_shows_an_error_page(signed_in_client, app):
    response = signed_in_client.get("/oauth/authorize", {"response_type": "code", "client_id": app.client_id})
    assert response.status_code == 400 and "Location" not in response


def test_the_decision_needs_a_csrf_token(user, app):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    form = authorize_get(client, app).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = client.post("/oauth/authorize", {**data, "allow": "Authorize"})
    assert response.status_code == 403
    assert not Authorization.objects.exists() and not Grant.objects.exists()


def test_a_new_authorization_emails_a_security_notice_once(
    signed_in_client, app, mm_oauth_settings, django_capture_on_commit_callbacks
):
    mm_oauth_settings(NOTIFY_NEW_AUTHORIZATION=True)
    with django_capture_on_commit_callbacks(execute=True):  # the notice goes out after the commit
        authorize(signed_in_client, app)
        authorize(signed_in_client, app)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "Zapier" in message.subject
    assert "revoke" in message.body


def test_no_notice_unless_switched_on(signed_in_client, app, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        authorize(signed_in_client, app)
    assert mail.outbox == []


def test_token_issuance_sets_last_used(signed_in_client, app, user):
    code = authorize(signed_in_client, app)["code"]
    assert Authorization.objects.get().last_used_at is None
    Client().post(
        "/oauth/access_token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.callback_urls[0],
            "client_id": app.client_id,
            "client_secret": app.plain_secret,
        },
    )
    assert Authorization.objects.get().last_used_at is not None


def test_deauthorize_then_the_next_sign_in_asks_again(signed_in_client, app, user):
    authorize(signed_in_client, app)
    authorizations.deauthorize(user, app)
    assert not Authorization.objects.exists()
    assert authorize_get(signed_in_client, app).status_code == 200


def test_the_consent_page_speaks_the_browsers_language(signed_in_client, app):
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]}
    html = signed_in_client.get("/oauth/authorize", query, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de">' in html
    assert "Zulassen" in html and "Ablehnen" in html and ">Allow<" not in html
