"""What a person reads on the management pages: errors they can act on, one vocabulary, one heading size.

Callback-URL errors name the offending line (pages and admin alike); the
authorized-apps page is "Authorized applications" and its action "Revoke";
Regenerate looks like Delete; trusted apps carry a badge; every page loads the
favicon and the script that replaces a broken app icon; the new-authorization
email links to the authorized-apps page by its absolute URL.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from mm_oauth import scopes as scope_registry
from mm_oauth.models import Application
from mm_oauth.services.authorizations import record_authorization
from tests.test_org_pages import admin_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]

ADD_URL = reverse("mm_oauth:apps-add")
AUTHORIZED_URL = reverse("mm_oauth:authorized-apps")
GOOD = {
    "name": "Zapier",
    "description": "Connects your account to 5,000 apps.",
    "homepage": "https://zapier.example.com/",
    "icon_url": "",
    "client_type": "confidential",
}
H1 = re.compile(r"<h1\b[^>]*>", re.S)


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


# --- callback URL errors name their line ---------------------------------------


def test_an_invalid_callback_url_error_names_its_line_counting_blank_lines(client_for, superuser):
    text = "https://zapier.example.com/cb\r\n\r\nnot a url\r\n"
    response = client_for(superuser).post(ADD_URL, {**GOOD, "callback_urls": text})
    assert response.status_code == 200
    assert field_errors(response, "callback_urls") == [
        "Line 3: Callback URL must be a valid URL and start with http:// or https://."
    ]
    assert not Application.objects.exists()


def test_each_bad_line_is_named(client_for, superuser):
    text = "https://a.example.com/cb#frag\nhttps://ok.example.com/cb\nhttps://ok.example.com/cb"
    response = client_for(superuser).post(ADD_URL, {**GOOD, "callback_urls": text})
    assert field_errors(response, "callback_urls") == [
        "Line 1: Callback URL https://a.example.com/cb#frag must not contain a fragment (#).",
        "Line 3: Callback URL https://ok.example.com/cb is listed twice.",
    ]


def test_the_total_length_error_says_the_limit_and_the_current_length(client_for, superuser):
    urls = [f"https://app.example.com/{index:03d}/" + "x" * 90 for index in range(10)]
    total = len(" ".join(urls))
    response = client_for(superuser).post(ADD_URL, {**GOOD, "callback_urls": "\n".join(urls)})
    assert field_errors(response, "callback_urls") == [
        f"Callback URLs must be at most 1024 characters in total (they are {total})."
    ]


def test_the_line_is_named_in_german_too(client_for, superuser):
    with translation.override("de"):
        response = client_for(superuser, HTTP_ACCEPT_LANGUAGE="de").post(
            ADD_URL, {**GOOD, "callback_urls": "https://ok.example.com/cb\nftp://x"}
        )
        [error] = field_errors(response, "callback_urls")  # the page renders it while German is active
        assert error.startswith("Zeile 2: Die Callback-URL")


def test_the_admin_names_the_line_and_saves_nothing(client_for, superuser, make_app):
    app = make_app(name="Before", callback_urls=["https://a.example.com/1"])
    client = client_for(superuser)
    change_url = f"/admin/mm_oauth/application/{app.pk}/change/"
    data = admin_form_data(client.get(change_url))
    data.update(redirect_uris="https://a.example.com/1\r\nhttp://plain.example.com/cb\r\n")
    response = client.post(change_url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["redirect_uris"] == [
        "Line 2: Callback URL http://plain.example.com/cb must start with https://; plain http:// is allowed "
        "only for loopback addresses (127.0.0.1, [::1], localhost)."
    ]
    app.refresh_from_db()
    assert app.callback_urls == ["https://a.example.com/1"]


def test_pages_and_admin_use_one_label_for_the_callbacks(client_for, superuser, make_app):
    client = client_for(superuser)
    app = make_app()
    page = client.get(ADD_URL).content.decode()
    admin_page = client.get(f"/admin/mm_oauth/application/{app.pk}/change/").content.decode()
    assert "Callback URLs, one per line" in page
    assert "Callback URLs, one per line" in admin_page


def test_the_callbacks_field_is_marked_to_grow(client_for, superuser):
    page = client_for(superuser).get(ADD_URL).content.decode()
    [textarea] = re.findall(r'<textarea[^>]*name="callback_urls"[^>]*>', page)
    assert "mm-oauth-grow" in textarea


# --- one vocabulary ------------------------------------------------------------


def test_the_users_page_is_titled_authorized_applications(signed_in_client, user, app):
    record_authorization(user, app, ["read"])
    page = signed_in_client.get(AUTHORIZED_URL).content.decode()
    assert re.search(r"<title>Authorized applications\b", page)
    assert re.search(r'<h1 class="mm-oauth-page-title">Authorized applications</h1>', page)
    assert re.search(r'class="mm-oauth-breadcrumb">[^<]*&rsaquo; Authorized applications</p>', page)


def test_the_users_action_on_an_app_is_revoke(signed_in_client, user, app):
    record_authorization(user, app, ["read"])
    page = signed_in_client.get(AUTHORIZED_URL).content.decode()
    assert ">Revoke</a>" in page
    assert "Deauthorize" not in page
    confirm = signed_in_client.get(reverse("mm_oauth:deauthorize-app", args=[app.client_id])).content.decode()
    assert "Revoke the access of Zapier?" in confirm
    assert ">Revoke</button>" in confirm
    assert "Deauthorize" not in confirm


def test_regenerate_has_the_breadcrumb_and_warning_box_of_delete(client_for, superuser, make_app):
    client = client_for(superuser)
    app = make_app(name="Zapier")
    pages = {
        name: client.get(reverse(f"mm_oauth:apps-{name}", args=[app.client_id])).content.decode()
        for name in ("delete", "regenerate")
    }
    for name, action in (("delete", "Delete"), ("regenerate", "Regenerate Secret")):
        assert re.search(
            rf'class="mm-oauth-breadcrumb"><a href="{reverse("mm_oauth:apps-list")}">OAuth 2.0 Applications</a>'
            rf" &rsaquo; Zapier &rsaquo; {action}</p>",
            pages[name],
        ), name
        assert re.search(r'<div class="[^"]*\bmm-oauth-warning\b[^"]*" role="alert">', pages[name]), name


def test_trusted_apps_carry_a_badge_on_the_integrations_list_and_authorized_apps(
    client_for, superuser, trusted_app, app
):
    client = client_for(superuser)
    listing = client.get(reverse("mm_oauth:apps-list")).content.decode()
    assert listing.count("mm-oauth-trusted-badge") == 1
    trusted_item = listing[listing.index(f'id="app-{trusted_app.client_id}"') :]
    assert "mm-oauth-trusted-badge" in trusted_item[: trusted_item.index("</h2>")]
    record_authorization(superuser, trusted_app, ["read"])
    record_authorization(superuser, app, ["read"])
    assert client.get(AUTHORIZED_URL).content.decode().count("mm-oauth-trusted-badge") == 1


# --- one heading size ----------------------------------------------------------


def page_urls(app, org):
    app_pages = ("edit", "delete", "regenerate")
    return [
        reverse("mm_oauth:apps-list"),
        ADD_URL,
        *(reverse(f"mm_oauth:apps-{name}", args=[app.client_id]) for name in app_pages),
        AUTHORIZED_URL,
        reverse("mm_oauth:deauthorize-app", args=[app.client_id]),
        reverse("mm_oauth:organizations"),
        reverse("mm_oauth:org-create"),
        reverse("mm_oauth:org-third-party-access", args=[org.slug]),
        reverse("mm_oauth:org-restrictions-off", args=[org.slug]),
    ]


def test_every_page_has_one_main_heading_of_one_class(client_for, superuser, make_app, make_user):
    from mm_oauth.services.organizations import create_organization

    app = make_app(creator=superuser)
    org = create_organization(actor=superuser, name="Acme", slug="acme")
    record_authorization(superuser, app, ["read"])
    client = client_for(superuser)
    for url in page_urls(app, org):
        response = client.get(url)
        assert response.status_code == 200, url
        assert H1.findall(response.content.decode()) == ['<h1 class="mm-oauth-page-title">'], url


def test_the_provider_off_page_heading_has_the_same_class(signed_in_client):
    from mm_oauth.services.provider_settings import update_provider_settings

    update_provider_settings(enable_provider=False)
    response = signed_in_client.get(reverse("mm_oauth:apps-list"))
    assert response.status_code == 501
    assert H1.findall(response.content.decode()) == ['<h1 class="mm-oauth-page-title">']


# --- favicon and icon fallback -------------------------------------------------


def test_mm_oauths_own_layout_has_a_favicon():
    from django.template import Context, Engine, engines

    # The app's own templates, without the example site's override of mm_oauth/base.html.
    libraries = engines["django"].engine.libraries
    page = Engine(app_dirs=True, libraries=libraries).get_template("mm_oauth/base.html").render(Context({}))
    assert re.search(r'<link rel="icon" href="/static/mm_oauth/favicon.svg" type="image/svg\+xml">', page)


def test_pages_load_one_favicon_and_the_icon_fallback_script(signed_in_client):
    page = signed_in_client.get(AUTHORIZED_URL).content.decode()
    # A host's layout keeps its own favicon: mm_oauth/head.html brings none.
    assert re.findall(r'<link rel="icon" href="([^"]+)"', page) == ["/static/example/favicon.svg"]
    assert re.search(
        r'<script src="/static/mm_oauth/pages.js" data-fallback-icon="/static/mm_oauth/app-icon.svg"></script>', page
    )
    assert "onerror" not in page


# --- the new-authorization email -------------------------------------------------


def test_the_new_authorization_email_says_the_permissions_in_words_and_links_the_page(
    signed_in_client, user, app, mm_oauth_settings, django_capture_on_commit_callbacks
):
    mm_oauth_settings(NOTIFY_NEW_AUTHORIZATION=True)
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]}
    form = signed_in_client.get(reverse("mm_oauth:authorize"), {**query, "scope": "read"}).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    with django_capture_on_commit_callbacks(execute=True):
        signed_in_client.post(reverse("mm_oauth:authorize"), {**data, "allow": "Authorize"})
    [message] = mail.outbox
    [read] = scope_registry.descriptions(["read"])
    assert f"  - {read}" in message.body
    assert f"http://testserver{AUTHORIZED_URL}" in message.body
    assert "Authorized applications" in message.body


def test_the_consent_and_authorize_error_pages_share_the_heading_class(client_for, make_user, make_app):
    from tests.oauth_helpers import pkce_pair

    app = make_app()
    client = client_for(make_user())
    _verifier, challenge = pkce_pair()
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]}
    consent = client.get("/oauth/authorize", {**query, "code_challenge": challenge, "code_challenge_method": "S256"})
    error = client.get("/oauth/authorize", {**query, "client_id": "no-such-client"})
    assert (consent.status_code, error.status_code) == (200, 400)
    for response in (consent, error):
        assert H1.findall(response.content.decode()) == ['<h1 class="mm-oauth-page-title">']
