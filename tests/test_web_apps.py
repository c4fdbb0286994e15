"""The Integrations > OAuth 2.0 Applications pages: permissions, field rules, the secret shown once, confirmations."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model

from mm_oauth.models import Application
from mm_oauth.services.provider_settings import update_provider_settings
from tests.test_app_services import issue_tokens

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]

LIST_URL = reverse("mm_oauth:apps-list")
ADD_URL = reverse("mm_oauth:apps-add")

GOOD = {
    "name": "Zapier",
    "description": "Connects your account to 5,000 apps.",
    "homepage": "https://zapier.example.com/",
    "icon_url": "",
    "callback_urls": "https://zapier.example.com/oauth/callback",
    "client_type": "confidential",
}


def url(name, app):
    return reverse(f"mm_oauth:apps-{name}", args=[app.client_id])


def edit_data(app, **changes):
    """Return the edit form's data for ``app`` as a browser would post it, with ``changes``."""
    data = {
        "name": app.name,
        "description": app.description,
        "homepage": app.homepage,
        "icon_url": app.icon_url,
        "callback_urls": "\n".join(app.callback_urls),
    }
    return {**data, **changes}


def secret_on(page):
    match = re.search(r'id="client-secret">([^<]+)</code>', page.content.decode())
    assert match, "no client secret on the page"
    return match.group(1)


def error_next_to(page, field):
    """Return the error messages rendered inside ``field``'s wrapper (crispy's ``div_id_<field>``)."""
    content = page.content.decode()
    start = content.index(f'id="div_id_{field}"')
    end = content.find('id="div_id_', start + 1)
    wrapper = content[start : end if end != -1 else len(content)]
    return [message for message in page.context["form"].errors[field] if html.escape(message) in wrapper]


# ---------------------------------------------------------------------------
# Who may do what: tests/test_policy.py holds the rule for every role; here, one row per HTTP outcome.
# ---------------------------------------------------------------------------

ACTIONS = [
    "list",
    "add_get",
    "add_post",
    "edit_get",
    "edit_post",
    "delete_get",
    "delete_post",
    "regenerate_get",
    "regenerate_post",
    "secret_get",
]
# Every form POST answers with a redirect (the secret page is a GET of its own).
ALLOWED_STATUS = {"add_post": 302, "edit_post": 302, "delete_post": 302, "regenerate_post": 302}


def perform(client, action, app):
    """Do ``action`` on ``app``; return the response and whether the action took effect."""
    before = Application.objects.filter(pk=app.pk).values().first()
    if action == "list":
        return client.get(LIST_URL), True
    if action == "add_get":
        return client.get(ADD_URL), True
    if action == "add_post":
        count = Application.objects.count()
        response = client.post(ADD_URL, {**GOOD, "name": "Added"})
        return response, Application.objects.count() == count + 1
    page, _, method = action.partition("_")
    if method == "get":
        return client.get(url(page, app)), True
    if page == "edit":
        response = client.post(url("edit", app), edit_data(app, name="Renamed"))
        return response, Application.objects.get(pk=app.pk).name == "Renamed"
    response = client.post(url(page, app))
    after = Application.objects.filter(pk=app.pk).values().first()
    if page == "delete":
        return response, after is None
    return response, after["client_secret"] != before["client_secret"]


APP_ACTIONS = [action for action in ACTIONS if action not in ("list", "add_get", "add_post")]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_user_who_may_register_does_everything_with_their_own_app(action, make_role, make_app, client_for):
    update_provider_settings(restrict_to_admins=False)
    owner = make_role("plain")
    app = make_app(creator=owner)
    response, took_effect = perform(client_for(owner), action, app)
    assert response.status_code == ALLOWED_STATUS.get(action, 200)
    assert took_effect


@pytest.mark.parametrize("action", APP_ACTIONS)
def test_someone_elses_app_is_404_and_stays_unchanged(action, make_role, make_app, client_for):
    staff = make_role("staff")  # may register apps; manages only their own
    app = make_app(creator=make_role("plain"))
    response, took_effect = perform(client_for(staff), action, app)
    assert response.status_code == 404
    assert not took_effect or action.endswith("_get")


@pytest.mark.parametrize("action", APP_ACTIONS)
def test_a_system_wide_manager_manages_someone_elses_app(action, make_role, make_app, client_for):
    manager = make_role("manage_system_wide_oauth")
    app = make_app(creator=make_role("plain"))
    response, took_effect = perform(client_for(manager), action, app)
    assert response.status_code == ALLOWED_STATUS.get(action, 200)
    assert took_effect


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_users_are_sent_to_sign_in(action, make_app, make_user):
    app = make_app(creator=make_user())
    response, took_effect = perform(Client(), action, app)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    if action.endswith("_post"):
        assert not took_effect


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_every_page_is_501_while_the_provider_is_off(action, signed_in, superuser, make_app):
    app = make_app(creator=superuser)
    update_provider_settings(enable_provider=False)
    client = Client()
    if signed_in:
        client.force_login(superuser)
    response, took_effect = perform(client, action, app)
    assert response.status_code == 501
    assert "The system admin has turned off the OAuth 2.0 service provider." in response.content.decode()
    assert "mm_oauth/provider_disabled.html" in [t.name for t in response.templates]
    if action.endswith("_post"):
        assert not took_effect


def test_an_unknown_client_id_is_404(superuser, client_for):
    client = client_for(superuser)
    for name in ("edit", "delete", "regenerate"):
        assert client.get(reverse(f"mm_oauth:apps-{name}", args=["no-such-app"])).status_code == 404


@pytest.mark.parametrize("action", ["add_get", "add_post"])
def test_users_who_may_not_register_get_a_403_page_saying_why(action, make_role, make_app, client_for):
    plain = make_role("plain")  # while registration is restricted to admins (the default)
    response, took_effect = perform(client_for(plain), action, make_app(creator=plain))
    assert response.status_code == 403
    assert not took_effect or action == "add_get"
    assert "Only system admins can register OAuth 2.0 applications on this site." in response.content.decode()
    assert "mm_oauth/apps/not_allowed.html" in [t.name for t in response.templates]


@pytest.mark.parametrize(
    "name, args",
    [("apps-add", []), ("apps-edit", [None]), ("apps-delete", [None]), ("apps-regenerate", [None])],
)
def test_every_post_needs_the_csrf_token(name, args, superuser, make_app, client_for):
    app = make_app(creator=superuser)
    target = reverse(f"mm_oauth:{name}", args=[app.client_id] if args else [])
    client = client_for(superuser, enforce_csrf_checks=True)
    data = {**GOOD, "name": "Changed"} if name == "apps-add" else edit_data(app, name="Changed")
    count = Application.objects.count()

    refused = client.post(target, data)
    assert refused.status_code == 403 and Application.objects.count() == count
    assert Application.objects.filter(pk=app.pk, name=app.name, client_secret=app.client_secret).exists()

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(target).content.decode()).group(1)
    accepted = client.post(target, {**data, "csrfmiddlewaretoken": token})
    assert accepted.status_code in (200, 302)
    changed = (
        Application.objects.count() != count
        or not Application.objects.filter(pk=app.pk, name=app.name, client_secret=app.client_secret).exists()
    )
    assert changed


def test_every_page_extends_mm_oauth_base(superuser, make_app, client_for):
    app = make_app(creator=superuser)
    client = client_for(superuser)
    pages = [
        client.get(LIST_URL),
        client.get(ADD_URL),
        client.post(ADD_URL, GOOD, follow=True),
        client.get(url("edit", app)),
        client.post(url("edit", app), edit_data(app, callback_urls="https://new.example.com/cb")),
        client.get(url("delete", app)),
        client.get(url("regenerate", app)),
        client.post(url("regenerate", app), follow=True),
        client.get(url("secret", app)),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "mm_oauth/base.html" in [t.name for t in page.templates]


# ---------------------------------------------------------------------------
# Field rules, through the add and the edit forms.
# ---------------------------------------------------------------------------

HOMEPAGE_MESSAGE = "Homepage must be a valid URL and start with http:// or https://."
ICON_MESSAGE = "Icon URL must be a valid URL and start with http:// or https://."
CALLBACK_MESSAGE = "Callback URL must be a valid URL and start with http:// or https://."
REQUIRED = "This field is required."
NAME_CONTROL = "Display Name must not contain line breaks or other control characters."
NAME_BIDI = "Display Name must not contain bidirectional text controls (such as right-to-left overrides)."
NAME_INVISIBLE = "Display Name must contain at least one visible character."
DESCRIPTION_CONTROL = "Description must not contain control characters other than line breaks and tabs."
DESCRIPTION_BIDI = "Description must not contain bidirectional text controls (such as right-to-left overrides)."

BAD_VALUES = [
    ("name", "", REQUIRED),
    ("name", "x" * 65, "Ensure this value has at most 64 characters (it has 65)."),
    ("name", "ü" * 65, "Ensure this value has at most 64 characters (it has 65)."),
    ("name", "Line one\nLine two", NAME_CONTROL),
    ("name", "Line one\r\nLine two", NAME_CONTROL),
    ("name", "Tab\tseparated", NAME_CONTROL),
    ("name", "Next\x85line", NAME_CONTROL),
    ("name", "Line\u2028separator", NAME_CONTROL),
    ("name", "Evil\u202eelgooG", NAME_BIDI),
    ("name", "\u200fMark", NAME_BIDI),
    ("name", "\u061cArabic mark", NAME_BIDI),
    ("name", "\u200b", NAME_INVISIBLE),
    ("name", "\u200c \u2060\ufeff", NAME_INVISIBLE),
    ("description", "", REQUIRED),
    ("description", "d" * 513, "Ensure this value has at most 512 characters (it has 513)."),
    ("description", "Bell\x07", DESCRIPTION_CONTROL),
    ("description", "Lone\rcarriage return", DESCRIPTION_CONTROL),
    ("description", "Escape\x1b[31m", DESCRIPTION_CONTROL),
    ("description", "Override\u202etxet", DESCRIPTION_BIDI),
    ("homepage", "", REQUIRED),
    ("homepage", "zapier.example.com", HOMEPAGE_MESSAGE),
    ("homepage", "javascript:alert(1)", HOMEPAGE_MESSAGE),
    ("homepage", "data:text/html,<script>alert(1)</script>", HOMEPAGE_MESSAGE),
    ("homepage", "ftp://zapier.example.com/", HOMEPAGE_MESSAGE),
    ("homepage", "https://zapier example.com/", HOMEPAGE_MESSAGE),
    ("homepage", "https\uff1a//zapier.example.com/", HOMEPAGE_MESSAGE),  # a full-width colon
    ("homepage", "https://example.com/" + "h" * 237, "Ensure this value has at most 256 characters (it has 257)."),
    ("icon_url", "data:image/png;base64,AAAA", ICON_MESSAGE),
    ("icon_url", "javascript:alert(1)", ICON_MESSAGE),
    ("icon_url", "example.com/icon.png", ICON_MESSAGE),
    ("icon_url", "https://example.com/" + "i" * 493, "Ensure this value has at most 512 characters (it has 513)."),
    ("callback_urls", "", REQUIRED),
    ("callback_urls", " \n \r\n ", REQUIRED),
    ("callback_urls", "javascript:alert(1)", CALLBACK_MESSAGE),
    ("callback_urls", "data:text/html,hi", CALLBACK_MESSAGE),
    ("callback_urls", "zapier.example.com/cb", CALLBACK_MESSAGE),
    ("callback_urls", "https://a.example.com/cb#frag", "Callback URL https://a.example.com/cb#frag must not contain a"),
    ("callback_urls", "https://a.example.com/cb#", "Callback URL https://a.example.com/cb# must not contain a"),
    ("callback_urls", "https://a.example.com/c b", CALLBACK_MESSAGE),
    ("callback_urls", "https://a.example.com/cb https://b.example.com/cb", CALLBACK_MESSAGE),
    ("callback_urls", "https://a.example.com/c\u00a0b", CALLBACK_MESSAGE),  # a no-break space
    ("callback_urls", "https://a.example.com/cb\nhttps://a.example.com/cb", "is listed twice."),
    ("callback_urls", "http://app.example.com/cb", "Callback URL http://app.example.com/cb must start with https://"),
    ("callback_urls", "http://127.0.0.1.example.com/cb", "Callback URL http://127.0.0.1.example.com/cb must start"),
    (
        "callback_urls",
        "https://u:p@app.example.com/cb",
        "Callback URL https://u:p@app.example.com/cb must not contain a user name or password.",
    ),
    (
        "callback_urls",
        "\n".join(f"https://a.example.com/{i}/" + "x" * 200 for i in range(5)),
        "Callback URLs must be at most 1024 characters in total",
    ),
    ("client_type", "hybrid", "Select a valid choice. hybrid is not one of the available choices."),
    ("client_type", "", REQUIRED),
    ("scopes", ["read", "admin"], "Select a valid choice. admin is not one of the available choices."),
]


def assert_refused(response, field, message):
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    messages = response.context["form"].errors[field]
    assert any(message in text for text in messages), messages
    assert error_next_to(response, field), f"the error is not rendered next to {field}"


@pytest.mark.parametrize("field, value, message", BAD_VALUES)
def test_add_refuses_a_bad_value_next_to_its_field_and_saves_nothing(field, value, message, superuser, client_for):
    response = client_for(superuser).post(ADD_URL, {**GOOD, field: value})
    assert_refused(response, field, message)
    assert not Application.objects.exists()
    assert "client-secret" not in response.content.decode()


@pytest.mark.parametrize("field, value, message", [row for row in BAD_VALUES if row[0] != "client_type"])
def test_edit_refuses_a_bad_value_next_to_its_field_and_changes_nothing(
    field, value, message, superuser, make_app, client_for
):
    app = make_app(creator=superuser)
    before = Application.objects.filter(pk=app.pk).values().get()
    data = edit_data(app, **{field: value}, confirm_callbacks="1")
    response = client_for(superuser).post(url("edit", app), data)
    assert_refused(response, field, message)
    assert Application.objects.filter(pk=app.pk).values().get() == before


def test_every_bad_field_is_reported_at_once(superuser, client_for):
    bad = {"name": "", "description": "", "homepage": "nope", "icon_url": "nope", "callback_urls": "nope"}
    response = client_for(superuser).post(ADD_URL, {**GOOD, **bad})
    assert set(response.context["form"].errors) == set(bad)
    for field in bad:
        assert error_next_to(response, field)


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"name": "Zürich Café 🚀"}, {"name": "Zürich Café 🚀"}),
        ({"name": "ü" * 64, "description": "d" * 512}, {"name": "ü" * 64, "description": "d" * 512}),
        ({"homepage": "  https://zapier.example.com/  "}, {"homepage": "https://zapier.example.com/"}),
        ({"icon_url": "https://cdn.example.com/icon.png"}, {"icon_url": "https://cdn.example.com/icon.png"}),
        ({"callback_urls": "https://例え.jp/cb"}, {"callback_urls": ["https://例え.jp/cb"]}),
        (
            {"callback_urls": "  https://a.example.com/cb  \r\n\r\nhttp://localhost:8000/cb?x=1\r\n"},
            {"callback_urls": ["https://a.example.com/cb", "http://localhost:8000/cb?x=1"]},
        ),
        (
            {"callback_urls": "https://example.com/" + "c" * (1024 - 20)},
            {"callback_urls": ["https://example.com/" + "c" * (1024 - 20)]},
        ),
        ({"client_type": "public"}, {"client_type": "public", "client_secret": ""}),
        ({"name": "Zapier\u200d🚀 (العربية)"}, {"name": "Zapier\u200d🚀 (العربية)"}),
        (
            {"description": "Line one\r\nLine two\n\tindented"},
            {"description": "Line one\r\nLine two\n\tindented"},
        ),
        (
            {"callback_urls": "http://127.0.0.1:8765/cb\nhttp://127.8.9.10/cb\nhttp://[::1]:8765/cb"},
            {"callback_urls": ["http://127.0.0.1:8765/cb", "http://127.8.9.10/cb", "http://[::1]:8765/cb"]},
        ),
    ],
)
def test_add_accepts_good_values(changes, expected, superuser, client_for):
    response = client_for(superuser).post(ADD_URL, {**GOOD, **changes}, follow=True)
    assert response.status_code == 200 and "mm_oauth/apps/secret.html" in [t.name for t in response.templates]
    app = Application.objects.get()
    for field, value in expected.items():
        assert getattr(app, field) == value
    assert app.user == superuser


def test_plain_http_callbacks_for_any_host_when_the_site_allows_them(superuser, client_for, mm_oauth_settings):
    mm_oauth_settings(ALLOW_HTTP_CALLBACKS=True)
    client = client_for(superuser)
    response = client.post(ADD_URL, {**GOOD, "callback_urls": "http://app.example.com/cb"})
    assert response.status_code == 302
    assert Application.objects.get().callback_urls == ["http://app.example.com/cb"]
    refused = client.post(ADD_URL, {**GOOD, "callback_urls": "http://u:p@app.example.com/cb"})
    assert_refused(refused, "callback_urls", "must not contain a user name or password")


def test_a_public_client_is_told_it_has_no_secret(superuser, client_for):
    client = client_for(superuser)
    response = client.post(ADD_URL, {**GOOD, "client_type": "public"}, follow=True)
    content = response.content.decode()
    assert "OAuth 2.0 Application Added" in content
    assert "it has no client secret, and it must use PKCE" in content
    assert 'id="client-secret"' not in content
    # A reload says the same, not "already shown": there never was a secret.
    again = client.get(response.redirect_chain[-1][0]).content.decode()
    assert "it has no client secret, and it must use PKCE" in again and "already shown" not in again


# ---------------------------------------------------------------------------
# Is Trusted: superusers only.
# ---------------------------------------------------------------------------


def test_is_trusted_is_rendered_for_superusers_only(superuser, make_user, client_for):
    assert 'name="is_trusted"' in client_for(superuser).get(ADD_URL).content.decode()
    staff = make_user(is_staff=True)
    assert 'name="is_trusted"' not in client_for(staff).get(ADD_URL).content.decode()


def test_a_forged_is_trusted_from_a_non_superuser_is_ignored_on_add(make_user, client_for):
    staff = make_user(is_staff=True)
    response = client_for(staff).post(ADD_URL, {**GOOD, "is_trusted": "on"})
    assert response.status_code == 302
    assert Application.objects.get().is_trusted is False


@pytest.mark.parametrize("trusted", [True, False])
def test_is_trusted_is_kept_when_a_non_superuser_edits(trusted, make_user, make_app, client_for):
    staff = make_user(is_staff=True)
    app = make_app(creator=staff, is_trusted=trusted)
    client = client_for(staff)
    assert 'name="is_trusted"' not in client.get(url("edit", app)).content.decode()
    forged = "" if trusted else "on"
    response = client.post(url("edit", app), edit_data(app, name="Renamed", is_trusted=forged))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.name == "Renamed" and app.is_trusted is trusted


def test_a_superuser_sets_and_clears_is_trusted(superuser, client_for):
    client = client_for(superuser)
    client.post(ADD_URL, {**GOOD, "is_trusted": "on"})
    app = Application.objects.get()
    assert app.is_trusted and app.skip_authorization
    client.post(url("edit", app), edit_data(app))  # unchecked: the box is not posted
    app.refresh_from_db()
    assert not app.is_trusted and not app.skip_authorization


# ---------------------------------------------------------------------------
# The client secret: POST, redirect, shown once by the GET, never again.
# ---------------------------------------------------------------------------

ALREADY_SHOWN = "This secret was already shown. If you did not copy it, regenerate it."


def post_then_follow(client, target, data=None):
    """POST ``target``, check the answer is a redirect to the secret page, and GET that page once."""
    response = client.post(target, data or {})
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    assert re.fullmatch(r"/integrations/oauth2-apps/[^/]+/secret/", location), location
    return location, client.get(location)


def test_the_secret_is_shown_once_and_never_again(superuser, client_for):
    client = client_for(superuser)
    data = {**GOOD, "callback_urls": "https://a.example.com/1\nhttps://a.example.com/2"}
    location, response = post_then_follow(client, ADD_URL, data)
    app = Application.objects.get()
    assert location == url("secret", app)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = secret_on(response)
    content = response.content.decode()
    assert "OAuth 2.0 Application Added" in content
    assert app.client_id in content and "https://a.example.com/1" in content and "https://a.example.com/2" in content
    assert "it is shown only this once" in content
    assert len(secret) >= 64 and app.client_secret != secret and check_password(secret, app.client_secret)
    assert secret not in location

    for page in (client.get(LIST_URL), client.get(url("edit", app)), client.get(url("regenerate", app))):
        assert page.status_code == 200
        assert secret not in page.content.decode()
        assert app.client_secret not in page.content.decode()
    assert secret not in str(dict(client.session.items()))


def test_reloading_the_secret_page_says_it_was_shown_and_registers_nothing(superuser, client_for):
    client = client_for(superuser)
    location, first = post_then_follow(client, ADD_URL, GOOD)
    secret = secret_on(first)

    reload = client.get(location)
    assert reload.status_code == 200 and "no-store" in reload["Cache-Control"]
    content = reload.content.decode()
    assert ALREADY_SHOWN in content and secret not in content and 'id="client-secret"' not in content
    app = Application.objects.get()  # still exactly one
    assert f'href="{url("regenerate", app)}"' in content
    assert check_password(secret, app.client_secret)  # the reload changed nothing


def test_regenerating_shows_the_new_secret_once_and_the_old_one_stops_working(superuser, make_app, client_for):
    app = make_app(creator=superuser)
    client = client_for(superuser)
    confirm = client.get(url("regenerate", app)).content.decode()
    assert "Access tokens and refresh tokens already issued stay valid." in confirm
    assert "The current secret stops working for new token requests at once" in confirm

    location, response = post_then_follow(client, url("regenerate", app))
    assert location == url("secret", app)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "New Client Secret" in response.content.decode()
    secret = secret_on(response)
    assert secret not in location
    app.refresh_from_db()
    assert check_password(secret, app.client_secret) and not check_password(app.plain_secret, app.client_secret)
    assert not app.previous_secret_matches(app.plain_secret)
    assert secret not in client.get(LIST_URL).content.decode()

    reload = client.get(location)
    assert ALREADY_SHOWN in reload.content.decode() and secret not in reload.content.decode()
    app.refresh_from_db()
    assert check_password(secret, app.client_secret)  # no second secret was issued


def test_the_secret_page_of_an_app_one_may_not_manage_is_404(superuser, make_user, make_app, client_for):
    update_provider_settings(restrict_to_admins=False)
    app = make_app(creator=superuser)
    client = client_for(superuser)
    client.post(url("regenerate", app))
    assert client_for(make_user()).get(url("secret", app)).status_code == 404
    assert secret_on(client.get(url("secret", app)))  # the pending secret is still there for its owner


def test_visiting_the_secret_page_without_a_new_secret_shows_none(superuser, make_app, client_for):
    app = make_app(creator=superuser)
    response = client_for(superuser).get(url("secret", app))
    assert response.status_code == 200
    content = response.content.decode()
    assert ALREADY_SHOWN in content and app.plain_secret not in content and app.client_id in content


def test_an_error_report_from_the_secret_page_leaves_the_secret_out(superuser, client_for, monkeypatch):
    from django.views.debug import ExceptionReporter

    client = client_for(superuser)
    client.post(ADD_URL, GOOD)
    app = Application.objects.get()
    secret = client.session["mm_oauth_pending_secrets"][app.client_id]["secret"]

    def fail(response):
        raise RuntimeError("the page could not be finished")

    monkeypatch.setattr("mm_oauth.web.apps.add_never_cache_headers", fail)
    with pytest.raises(RuntimeError) as excinfo:
        client.get(url("secret", app))
    # The report of the request's frames (this test's own frame, which holds the secret, left out).
    report = ExceptionReporter(None, excinfo.type, excinfo.value, excinfo.tb.tb_next).get_traceback_html()
    assert "secret_page" in report and secret not in report


def test_regenerating_with_a_grace_period_says_the_old_secret_keeps_working(
    superuser, make_app, client_for, mm_oauth_settings
):
    mm_oauth_settings(SECRET_ROTATION_GRACE_SECONDS=300)
    app = make_app(creator=superuser)
    client = client_for(superuser)
    confirm = client.get(url("regenerate", app)).content.decode()
    assert "keeps working for new token requests for 300 more seconds" in confirm
    _, response = post_then_follow(client, url("regenerate", app))
    assert "The previous secret keeps working for new token requests until" in response.content.decode()
    app.refresh_from_db()
    assert app.previous_secret_matches(app.plain_secret)


def test_a_public_client_has_no_secret_to_regenerate(superuser, make_app, client_for):
    app = make_app(creator=superuser, client_type="public")
    client = client_for(superuser)
    assert url("regenerate", app) not in client.get(LIST_URL).content.decode()
    page = client.get(url("regenerate", app))
    assert "no client secret to regenerate" in page.content.decode() and "<form" not in _section(page)
    response = client.post(url("regenerate", app))
    assert response.status_code == 302 and response["Location"] == LIST_URL
    app.refresh_from_db()
    assert app.client_secret == ""


def _section(page):
    content = page.content.decode()
    return content[content.index('<section class="mm-oauth-apps">') :]


# ---------------------------------------------------------------------------
# Edit: the callback URL confirmation step.
# ---------------------------------------------------------------------------


def test_a_name_only_edit_saves_directly(superuser, make_app, client_for):
    app = make_app(creator=superuser)
    response = client_for(superuser).post(url("edit", app), edit_data(app, name="New name"))
    assert response.status_code == 302 and response["Location"] == LIST_URL
    app.refresh_from_db()
    assert app.name == "New name"


def test_changing_callbacks_asks_for_confirmation_first(superuser, make_app, client_for):
    app = make_app(creator=superuser, callback_urls=["https://a.example.com/old", "https://a.example.com/kept"])
    client = client_for(superuser)
    new = "https://a.example.com/kept\nhttps://a.example.com/new"
    response = client.post(url("edit", app), edit_data(app, name="Renamed", callback_urls=new))

    assert response.status_code == 200
    assert "mm_oauth/apps/confirm_callbacks.html" in [t.name for t in response.templates]
    assert response.context["removed"] == ["https://a.example.com/old"]
    assert response.context["added"] == ["https://a.example.com/new"]
    assert "Existing integrations may break." in response.content.decode()
    app.refresh_from_db()
    assert app.name != "Renamed" and app.callback_urls == ["https://a.example.com/old", "https://a.example.com/kept"]

    # Re-post what the confirmation page holds, as the browser does.
    inputs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', response.content.decode())
    hidden = {html.unescape(name): html.unescape(value) for name, value in inputs}
    assert hidden["confirm_callbacks"] == "1" and hidden["callback_urls"] == new
    confirmed = client.post(url("edit", app), hidden)
    assert confirmed.status_code == 302
    app.refresh_from_db()
    assert app.name == "Renamed" and app.callback_urls == ["https://a.example.com/kept", "https://a.example.com/new"]


def test_reordering_callbacks_warns_that_the_default_changes(superuser, make_app, client_for):
    app = make_app(creator=superuser, callback_urls=["https://a.example.com/1", "https://a.example.com/2"])
    response = client_for(superuser).post(
        url("edit", app), edit_data(app, callback_urls="https://a.example.com/2\nhttps://a.example.com/1")
    )
    assert response.context["new_default"] == "https://a.example.com/2"
    assert not response.context["removed"] and not response.context["added"]


def test_going_back_from_the_confirmation_keeps_the_typed_values_and_saves_nothing(superuser, make_app, client_for):
    app = make_app(creator=superuser)
    data = edit_data(app, callback_urls="https://b.example.com/cb", confirm_callbacks="1", back="1")
    response = client_for(superuser).post(url("edit", app), data)
    assert "mm_oauth/apps/form.html" in [t.name for t in response.templates]
    assert "https://b.example.com/cb" in response.content.decode()
    assert 'name="confirm_callbacks"' not in response.content.decode()
    app.refresh_from_db()
    assert app.callback_urls == ["https://app.example.com/callback"]


def test_the_edit_form_is_prefilled_without_any_secret(superuser, make_app, client_for):
    app = make_app(creator=superuser, callback_urls=["https://a.example.com/1", "https://a.example.com/2"])
    response = client_for(superuser).get(url("edit", app))
    form = response.context["form"]
    assert form["name"].value() == app.name
    assert form["callback_urls"].value() == "https://a.example.com/1\nhttps://a.example.com/2"
    assert "client_type" not in form.fields and "secret" not in " ".join(form.fields)


# ---------------------------------------------------------------------------
# Delete.
# ---------------------------------------------------------------------------


def test_delete_confirms_then_revokes_every_token_for_all_users(superuser, user, make_user, make_app, client_for):
    app = make_app(creator=superuser)
    other_app = make_app(creator=superuser)
    issue_tokens(app, user, 3)
    issue_tokens(app, make_user(), 2)
    issue_tokens(other_app, user, 1)
    client = client_for(superuser)

    confirm = client.get(url("delete", app))
    assert "revokes all its access tokens, refresh tokens and authorizations, for all users" in confirm.content.decode()
    assert Application.objects.filter(pk=app.pk).exists()

    response = client.post(url("delete", app))
    assert response.status_code == 302 and response["Location"] == LIST_URL
    assert not Application.objects.filter(pk=app.pk).exists()
    assert get_access_token_model().objects.count() == 1
    assert get_refresh_token_model().objects.count() == 1
    assert get_grant_model().objects.count() == 1
    assert "Deleted" in client.get(LIST_URL).content.decode()


# ---------------------------------------------------------------------------
# The list.
# ---------------------------------------------------------------------------


def row_of(content, app):
    start = content.index(f'id="app-{app.client_id}"')
    end = content.find('class="mm-oauth-app-item"', start)
    return content[start : end if end != -1 else len(content)]


def test_the_list_shows_each_apps_details(superuser, make_user, make_app, client_for):
    creator = make_user("carol")
    app = make_app(
        creator=creator,
        name="Zapier",
        description="Connects apps",
        is_trusted=True,
        icon_url="https://cdn.example.com/z.png",
        callback_urls=["https://z.example.com/1", "https://z.example.com/2"],
    )
    plain = make_app(creator=None, name="Plain")
    content = client_for(superuser).get(LIST_URL).content.decode()
    row = row_of(content, app)
    for text in ("Zapier", "Connects apps", app.client_id, "https://z.example.com/1", "https://z.example.com/2"):
        assert text in row
    assert 'src="https://cdn.example.com/z.png"' in row and "Created by carol on" in row
    assert "<dt>Is Trusted</dt>\n          <dd>Yes</dd>" in row
    assert f'data-copy-target="client-id-{app.pk}"' in row and "mm_oauth/copy.js" in content
    plain_row = row_of(content, plain)
    assert "mm_oauth/app-icon.svg" in plain_row and "Created by the system on" in plain_row


def test_owners_see_only_their_apps_and_system_wide_managers_see_all(make_user, make_role, make_app, client_for):
    update_provider_settings(restrict_to_admins=False)
    alice, bob = make_user(), make_user()
    mine, theirs = make_app(creator=alice, name="Mine"), make_app(creator=bob, name="Theirs")
    alice_page = client_for(alice).get(LIST_URL)
    assert list(alice_page.context["apps"]) == [mine]
    manager = make_role("manage_system_wide_oauth")
    assert set(client_for(manager).get(LIST_URL).context["apps"]) == {mine, theirs}


def test_the_list_filters_by_name(superuser, make_app, client_for):
    make_app(name="Zapier"), make_app(name="Slack bridge"), make_app(name="Zendesk")
    response = client_for(superuser).get(LIST_URL, {"q": "  z  "})
    assert sorted(app.name for app in response.context["apps"]) == ["Zapier", "Zendesk"]
    assert 'value="z"' in response.content.decode()
    empty = client_for(superuser).get(LIST_URL, {"q": "nothing"})
    assert "No OAuth 2.0 applications match “nothing”." in empty.content.decode()


def test_the_list_is_paginated(superuser, make_app, client_for):
    for i in range(25):
        make_app(name=f"App {i:02}")
    client = client_for(superuser)
    first = client.get(LIST_URL, {"q": "App"})
    assert len(first.context["apps"]) == 20 and "Page 1 of 2" in first.content.decode()
    assert "?q=App&amp;page=2" in first.content.decode()
    second = client.get(LIST_URL, {"q": "App", "page": 2})
    assert len(second.context["apps"]) == 5
    assert len(client.get(LIST_URL, {"page": "999"}).context["apps"]) == 5  # past the end: the last page
    assert len(client.get(LIST_URL, {"page": "x"}).context["apps"]) == 20


def test_the_empty_state_and_the_add_button(superuser, client_for):
    content = client_for(superuser).get(LIST_URL).content.decode()
    assert "No OAuth 2.0 applications yet." in content
    assert f'href="{ADD_URL}"' in content


def test_users_who_may_not_register_see_why_and_no_add_button(user, make_app, client_for):
    make_app(creator=user)  # registered while registration was open to everyone
    response = client_for(user).get(LIST_URL)
    content = response.content.decode()
    assert "Only system admins can register OAuth 2.0 applications on this site." in content
    assert f'href="{ADD_URL}"' not in content and not response.context["apps"]


@pytest.mark.parametrize("viewer", ["superuser", "owner"])
def test_the_list_runs_the_same_queries_for_1_or_500_apps(viewer, superuser, make_user, client_for, mm_oauth_settings):
    mm_oauth_settings(SETTINGS_CACHE_SECONDS=300)
    User = get_user_model()
    owner = make_user(is_staff=True)
    client = client_for(superuser if viewer == "superuser" else owner)
    counts = {}
    for total in (1, 500):
        Application.objects.all().delete()
        creators = (
            [owner] * total
            if viewer == "owner"
            else User.objects.bulk_create([User(username=f"creator-{total}-{i}") for i in range(total)])
        )
        Application.objects.bulk_create(
            Application(
                user=creator,
                name=f"App {i}",
                description="d",
                homepage="https://example.com/",
                redirect_uris="https://example.com/cb",
            )
            for i, creator in enumerate(creators)
        )
        client.get(LIST_URL)  # warm: the session and provider settings
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST_URL)
        assert response.status_code == 200 and len(response.context["apps"]) == min(total, 20)
        assert "creator-" in response.content.decode() or viewer == "owner"
        counts[total] = len(queries)
    # The session, the user, COUNT, the page of apps with their creators (+ the owner's permissions).
    assert counts[1] == counts[500] <= 6, counts
