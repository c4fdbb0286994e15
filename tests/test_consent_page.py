"""The consent page's trust signals, Deny's error_description, and authorize errors in words.

Who is signed in (and "Not you?"), where the user will be sent back to, who
registered the app and when, each organization's standing, and the error page
that leads with a translated sentence instead of oauthlib's code.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from oauth2_provider.models import get_grant_model
from oauthlib.oauth2.rfc6749 import errors

from mm_oauth.models import AppAccess, Authorization
from mm_oauth.oauth.authorize_errors import explain
from mm_oauth.services import organizations as orgs
from tests.oauth_helpers import query_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]
Grant = get_grant_model()


def authorize_get(client, app, headers=None, **params):
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0], **params}
    return client.get("/oauth/authorize", query, **(headers or {}))


def text_of(response):
    """Return the page's text with tags dropped and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def decision(response, allow):
    data = {name: value for name, value in response.context["form"].initial.items() if value is not None}
    return {**data, "allow": "Authorize" if allow else ""}


# Who is signed in, and "Not you?"


def test_the_page_says_who_is_signed_in_with_a_not_you_form(signed_in_client, app):
    response = authorize_get(signed_in_client, app, state="s1")
    assert "Signed in as alice" in text_of(response)
    html = response.content.decode()
    form = re.search(r'<form method="post" action="/oauth/authorize/switch-account"[^>]*>(.*?)</form>', html, re.S)
    assert form and "csrfmiddlewaretoken" in form.group(1) and "Not you?" in form.group(1)
    query = parse_qs(re.search(r'name="query" value="([^"]*)"', form.group(1)).group(1).replace("&amp;", "&"))
    assert query == {
        "response_type": ["code"],
        "client_id": [app.client_id],
        "redirect_uri": [app.callback_urls[0]],
        "state": ["s1"],
    }


def test_not_you_signs_out_and_sends_to_login_with_the_same_request(signed_in_client, app):
    query = f"response_type=code&client_id={app.client_id}&redirect_uri=https%3A%2F%2Fz.example.com%2Fcb&state=s%2F1"
    response = signed_in_client.post("/oauth/authorize/switch-account", {"query": query})

    assert response.status_code == 302
    login = urlsplit(response["Location"])
    assert login.path == "/login/"
    back = urlsplit(parse_qs(login.query)["next"][0])
    assert back.path == "/oauth/authorize" and not back.netloc
    assert query_of("?" + back.query) == {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": "https://z.example.com/cb",
        "state": "s/1",
    }
    assert "_auth_user_id" not in signed_in_client.session  # signed out
    assert authorize_get(signed_in_client, app).status_code == 302  # now asked to sign in


@pytest.mark.parametrize(
    "query", ["//evil.example.net/x", "https://evil.example.net/", "next=https://evil.example.net/"]
)
def test_not_you_always_comes_back_to_this_sites_authorize_endpoint(signed_in_client, query):
    response = signed_in_client.post("/oauth/authorize/switch-account", {"query": query})
    back = urlsplit(parse_qs(urlsplit(response["Location"]).query)["next"][0])
    assert back.path == "/oauth/authorize" and not back.scheme and not back.netloc


def test_not_you_is_never_a_get(signed_in_client):
    assert signed_in_client.get("/oauth/authorize/switch-account", {"query": "a=b"}).status_code == 405
    assert "_auth_user_id" in signed_in_client.session


def test_not_you_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/oauth/authorize/switch-account", {"query": "a=b"}).status_code == 403
    assert "_auth_user_id" in client.session  # still signed in


# Where the user goes back to, and who registered the app


def test_the_page_names_the_host_the_user_is_sent_back_to(signed_in_client, make_app):
    app = make_app(callback_urls=["https://other.example.org/one", "http://127.0.0.1:8765/cb"])
    assert "You will be redirected to other.example.org" in text_of(authorize_get(signed_in_client, app))
    loopback = authorize_get(signed_in_client, app, redirect_uri="http://127.0.0.1:8765/cb")
    assert "You will be redirected to 127.0.0.1:8765" in text_of(loopback)


def test_an_unregistered_redirect_uri_is_never_named_as_the_destination(signed_in_client, app):
    response = authorize_get(signed_in_client, app, redirect_uri="https://evil.example.net/cb")
    assert response.status_code == 400
    assert "evil.example.net" not in text_of(response).split("For the application's developer:")[0]
    assert "You will be redirected" not in text_of(response)


def test_the_page_says_who_registered_the_app_and_when(signed_in_client, make_app, user):
    app = make_app(creator=user)
    month = date_format(app.created, "YEAR_MONTH_FORMAT")
    assert f"Registered by alice · {month}" in text_of(authorize_get(signed_in_client, app))


def test_an_app_added_without_a_person_says_registered_on_this_site(signed_in_client, app):
    assert "Registered on this site ·" in text_of(authorize_get(signed_in_client, app))


def test_a_dynamically_registered_app_says_so(signed_in_client, make_app):
    app = make_app()
    type(app).objects.filter(pk=app.pk).update(registration_source=type(app).RegistrationSource.DCR)
    page = text_of(authorize_get(signed_in_client, app))
    assert "Registered dynamically ·" in page and "Registered by" not in page


def test_the_registration_month_is_in_the_users_language(signed_in_client, make_app, user):
    app = make_app(creator=user)
    with override("de"):
        month = date_format(app.created, "YEAR_MONTH_FORMAT")
    page = text_of(authorize_get(signed_in_client, app, headers={"HTTP_ACCEPT_LANGUAGE": "de"}))
    assert f"Registriert von alice · {month}" in page
    assert "Angemeldet als alice" in page and "Nicht Sie?" in page and "Sie werden weitergeleitet zu" in page


def test_a_trusted_app_skips_the_page_even_with_prompt_consent(signed_in_client, trusted_app):
    # So its "Trusted" marker shows only where the app is listed, not here.
    assert authorize_get(signed_in_client, trusted_app, prompt="consent").status_code == 302


def test_the_trusted_marker_renders_for_a_trusted_app(trusted_app, app):
    assert "mm-oauth-trusted-badge" in render_to_string("mm_oauth/app_provenance.html", {"application": trusted_app})
    assert "mm-oauth-trusted-badge" not in render_to_string("mm_oauth/app_provenance.html", {"application": app})


# Organizations, before the user acts


def org_row(response, slug):
    html = response.content.decode()
    pattern = rf'<li class="mm-oauth-org-access-row" data-org="{slug}" data-status="(\w+)">(.*?)</li>'
    row = re.search(pattern, html, re.S)
    return row.group(1), " ".join(re.sub(r"<[^>]+>", " ", row.group(2)).split())


@pytest.mark.parametrize(
    "state, status, words",
    [
        (None, "none", "Not requested"),
        (AppAccess.State.REQUESTED, "requested", "Request pending"),
        (AppAccess.State.APPROVED, "granted", "Access granted"),
        (AppAccess.State.DENIED, "denied", "Denied"),
    ],
)
def test_each_organizations_state_is_shown_before_the_user_acts(client_for, member, org, app, state, status, words):
    if state:
        AppAccess.objects.create(organization=org, application=app, state=state, decided_at=timezone.now())
    assert org_row(authorize_get(client_for(member), app), "acme") == (status, org_row_text(words, status))


def org_row_text(words, status):
    button = {"none": " Request", "denied": " Request"}.get(status, "")
    return f"Acme {words}{button}"


def test_a_grant_that_fails_is_not_left_looking_granted(client_for, owner, member, org, app):
    olivia = client_for(owner)
    consent = authorize_get(olivia, app, state="g")
    assert org_row(consent, "acme")[0] == "none" and "Grant" in org_row(consent, "acme")[1]
    back = consent.context["org_access_next"]
    # Olivia hands the organization to Bob before pressing Grant: the grant is refused.
    orgs.add_member(actor=owner, org=org, user_id=member.pk, role="owner")
    orgs.add_member(actor=member, org=org, user_id=owner.pk, role="member")

    refused = olivia.post(f"/organizations/acme/third-party-access/{app.client_id}/grant/", {"next": back})

    assert refused.status_code == 403
    assert not AppAccess.objects.filter(state=AppAccess.State.APPROVED).exists()
    again = olivia.get(back)
    assert org_row(again, "acme") == ("none", "Acme Not requested Request")


def test_a_grant_comes_back_to_the_same_request_showing_the_real_state(client_for, owner, org, app):
    olivia = client_for(owner)
    back = authorize_get(olivia, app, state="g").context["org_access_next"]
    response = olivia.post(f"/organizations/acme/third-party-access/{app.client_id}/grant/", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert org_row(olivia.get(back), "acme") == ("granted", "Acme Access granted")


# Deny


def test_deny_sends_access_denied_with_a_description_and_state(signed_in_client, make_app):
    app = make_app(callback_urls=["https://t.example.com/cb?tenant=a%26b"])
    consent = authorize_get(signed_in_client, app, state="s 1")
    response = signed_in_client.post("/oauth/authorize", decision(consent, False))
    location = response["Location"]
    assert response.status_code == 302 and location.count("?") == 1
    assert {key: value for key, value in query_of(location).items() if key != "iss"} == {
        "tenant": "a&b",
        "error": "access_denied",
        "error_description": "The user denied the request.",
        "state": "s 1",
    }
    assert not Authorization.objects.exists() and not Grant.objects.exists()


# Authorize errors in words

UNKNOWN_APP = ("This application is not known to this site", "Diese Anwendung ist dieser Website nicht bekannt")
NO_APP = ("This link does not say which application is asking", "Dieser Link sagt nicht, welche Anwendung anfragt")
BAD_REDIRECT = (
    "This application asked to send you to an address it has not registered",
    "Diese Anwendung wollte Sie an eine Adresse schicken, die sie nicht registriert hat",
)
INCOMPLETE_LINK = ("This sign-in link is incomplete", "Dieser Anmeldelink ist unvollständig")
BAD_PKCE = ("This sign-in request failed a security check", "Diese Anmeldeanfrage hat eine Sicherheitsprüfung nicht")
NOT_RECORDED = ("Your answer could not be recorded", "Ihre Antwort konnte nicht gespeichert werden")


def base_query(app):
    return {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]}


ERROR_CASES = {
    "unknown client": (lambda app: {**base_query(app), "client_id": "nope"}, UNKNOWN_APP, "invalid_request"),
    "no client_id": (
        lambda app: {"response_type": "code", "redirect_uri": app.callback_urls[0]},
        NO_APP,
        "invalid_request",
    ),
    "unregistered redirect_uri": (
        lambda app: {**base_query(app), "redirect_uri": "https://evil.example.net/cb"},
        BAD_REDIRECT,
        "invalid_request",
    ),
    "missing redirect_uri": (lambda app: {"response_type": "code", "client_id": app.client_id}, INCOMPLETE_LINK, None),
    "plain PKCE": (
        lambda app: {**base_query(app), "code_challenge": "a" * 43, "code_challenge_method": "plain"},
        BAD_PKCE,
        "invalid_request",
    ),
}


@pytest.mark.parametrize("case", ERROR_CASES)
@pytest.mark.parametrize("language", ["en", "de"])
def test_each_authorize_error_is_a_sentence_in_the_users_language(signed_in_client, app, case, language):
    query, (english, german), code = ERROR_CASES[case]
    response = signed_in_client.get("/oauth/authorize", query(app), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400 and "Location" not in response
    page = text_of(response)
    html = response.content.decode()
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    sentence = re.search(r'<p class="mm-oauth-error-sentence">(.*?)</p>', html, re.S).group(1)
    assert (english if language == "en" else german) in heading
    assert "invalid_request" not in heading + sentence and "_id" not in sentence
    if code:
        assert f'<code class="mm-oauth-error-code">{code}</code>' in response.content.decode()  # small print
    if language == "de":
        assert "Return to the application" not in page and "This application" not in page


def test_an_unknown_client_never_redirects_even_with_a_good_looking_redirect_uri(signed_in_client):
    query = {"response_type": "code", "client_id": "nope", "redirect_uri": "https://evil.example.net/"}
    response = signed_in_client.get("/oauth/authorize", query)
    assert response.status_code == 400 and "Location" not in response
    assert UNKNOWN_APP[0] in text_of(response)


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_tampered_decision_says_the_answer_was_not_recorded(signed_in_client, app, language):
    consent = authorize_get(signed_in_client, app)
    data = {**decision(consent, True), "granted": "admin"}  # not an optional scope the app asked for
    response = signed_in_client.post("/oauth/authorize", data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and "Location" not in response
    assert NOT_RECORDED[0 if language == "en" else 1] in text_of(response)
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    "params, error",
    [
        ({"response_type": "bogus"}, "unsupported_response_type"),
        ({"response_type": "token"}, "unauthorized_client"),
        ({"scope": "no-such-scope"}, "invalid_scope"),
        ({"resource": "https://elsewhere.example.net/api"}, "invalid_target"),
    ],
)
def test_errors_about_a_known_client_and_redirect_go_back_to_it_with_state(signed_in_client, app, params, error):
    # RFC 6749 section 4.1.2.1: once client and redirect URI are valid, the client is told, not the user.
    response = authorize_get(signed_in_client, app, state="keep", **params)
    assert response.status_code == 302
    assert response["Location"].startswith(app.callback_urls[0])
    assert query_of(response["Location"])["error"] == error
    assert query_of(response["Location"])["state"] == "keep"


@pytest.mark.parametrize(
    "error, english, german",
    [
        (errors.InvalidClientIdError(), UNKNOWN_APP[0], UNKNOWN_APP[1]),
        (errors.MissingClientIdError(), NO_APP[0], NO_APP[1]),
        (errors.MismatchingRedirectURIError(), BAD_REDIRECT[0], BAD_REDIRECT[1]),
        (errors.InvalidRedirectURIError(), BAD_REDIRECT[0], BAD_REDIRECT[1]),
        (errors.MissingRedirectURIError(), BAD_REDIRECT[0], BAD_REDIRECT[1]),
        (errors.MissingCodeChallengeError(), BAD_PKCE[0], BAD_PKCE[1]),
        (errors.UnsupportedCodeChallengeMethodError(), BAD_PKCE[0], BAD_PKCE[1]),
        (errors.UnsupportedResponseTypeError(), "a kind of sign-in this site does not offer", "nicht anbietet"),
        (errors.UnauthorizedClientError(), "a kind of sign-in this site does not offer", "nicht anbietet"),
        (errors.InvalidScopeError(), "permissions this site does not grant it", "Berechtigungen angefragt"),
        (errors.CustomOAuth2Error("invalid_target"), "something this site does not serve", "nicht bereitstellt"),
        (errors.ServerError(), "This sign-in request cannot be completed", "Diese Anmeldeanfrage kann nicht"),
    ],
    ids=lambda value: getattr(value, "error", None) and type(value).__name__,
)
def test_every_mapped_error_renders_its_sentence_in_english_and_german(rf, error, english, german):
    # The redirected ones reach the page only if a host renders it for them; the mapping holds anyway.
    for language, words in (("en", english), ("de", german)):
        with override(language):
            html = render_to_string(
                "mm_oauth/authorize.html", {"error": error, "explanation": explain(error)}, request=rf.get("/")
            )
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
        assert words in heading and error.error not in heading
        assert f'<code class="mm-oauth-error-code">{error.error}</code>' in html
