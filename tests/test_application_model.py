"""The Application model's field rules and defaults."""

import pytest
from django.core.exceptions import ValidationError

from mm_oauth.models import Application
from mm_oauth.services.applications import register_application

GOOD = {
    "creator": None,
    "name": "Zapier",
    "description": "Connects your account to 5,000 apps.",
    "homepage": "https://zapier.example.com/",
    "callback_urls": ["https://zapier.example.com/oauth/callback"],
}


def register(**changes):
    return register_application(**{**GOOD, **changes})


@pytest.mark.django_db
def test_defaults_confidential_authorization_code_untrusted():
    app, secret = register()
    assert app.client_type == Application.CLIENT_CONFIDENTIAL
    assert app.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert app.is_trusted is False and app.skip_authorization is False
    assert len(app.client_id) >= 32 and len(secret) >= 64


@pytest.mark.django_db
def test_trusted_apps_skip_dots_authorization_screen():
    app, _ = register(is_trusted=True)
    assert app.skip_authorization is True


@pytest.mark.django_db
def test_public_clients_have_no_secret():
    app, secret = register(client_type="public")
    app.refresh_from_db()
    assert secret == "" and app.client_secret == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"description": ""}, "description"),
        ({"description": "x" * 513}, "description"),
        ({"homepage": ""}, "homepage"),
        ({"homepage": "zapier.example.com"}, "homepage"),
        ({"homepage": "ftp://zapier.example.com/"}, "homepage"),
        ({"homepage": "javascript:alert(1)"}, "homepage"),
        ({"homepage": "https://example.com/" + "x" * 240}, "homepage"),
        ({"icon_url": "data:image/png;base64,AAAA"}, "icon_url"),
        ({"icon_url": "https://example.com/" + "x" * 500}, "icon_url"),
        ({"callback_urls": []}, "redirect_uris"),
        ({"callback_urls": ["javascript:alert(1)"]}, "redirect_uris"),
        ({"callback_urls": ["https://a.example.com/cb#frag"]}, "redirect_uris"),
        ({"callback_urls": ["https://a.example.com/cb", "https://a.example.com/cb"]}, "redirect_uris"),
        ({"callback_urls": [f"https://a.example.com/{i}/" + "x" * 200 for i in range(5)]}, "redirect_uris"),
    ],
)
def test_bad_fields_are_refused_by_name_and_nothing_is_saved(changes, field):
    with pytest.raises(ValidationError) as excinfo:
        register(**changes)
    assert field in excinfo.value.message_dict
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_mattermost_messages_for_bad_urls():
    with pytest.raises(ValidationError) as excinfo:
        register(homepage="nope", callback_urls=["nope"])
    assert excinfo.value.message_dict["homepage"] == [
        "Homepage must be a valid URL and start with http:// or https://."
    ]
    assert excinfo.value.message_dict["redirect_uris"] == [
        "Callback URL must be a valid URL and start with http:// or https://."
    ]


@pytest.mark.django_db
def test_limits_are_inclusive():
    app, _ = register(
        name="n" * 64,
        description="d" * 512,
        homepage="https://example.com/" + "h" * (256 - 20),
        icon_url="https://example.com/" + "i" * (512 - 20),
        callback_urls=["https://example.com/" + "c" * (1024 - 20)],
    )
    assert app.pk


@pytest.mark.django_db
def test_a_callback_containing_a_space_is_one_bad_url_not_two_good_ones():
    with pytest.raises(ValidationError) as excinfo:
        register(callback_urls=["https://a.example.com/x https://b.example.com/y"])
    assert "redirect_uris" in excinfo.value.message_dict
    assert not Application.objects.exists()


# ---------------------------------------------------------------------------
# Display names and descriptions that could spoof the consent page or break a line.
# ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, message",
    [
        ("Line one\nLine two", "Display Name must not contain line breaks or other control characters."),
        ("NUL\x00byte", "Display Name must not contain line breaks or other control characters."),
        ("Delete\x7f", "Display Name must not contain line breaks or other control characters."),
        ("Paragraph\u2029separator", "Display Name must not contain line breaks or other control characters."),
        ("Evil\u202eelgooG", "Display Name must not contain bidirectional text controls"),
        ("\u2067Isolate", "Display Name must not contain bidirectional text controls"),
        ("Left\u200emark", "Display Name must not contain bidirectional text controls"),
        ("\u200b\u200c\u200d\u2060\ufeff", "Display Name must contain at least one visible character."),
        ("\u200b \u200b", "Display Name must contain at least one visible character."),
    ],
)
def test_a_name_that_could_spoof_or_break_a_page_is_refused(name, message):
    with pytest.raises(ValidationError) as excinfo:
        register(name=name)
    assert any(text.startswith(message) for text in excinfo.value.message_dict["name"])
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_name_breaking_several_rules_is_told_each():
    with pytest.raises(ValidationError) as excinfo:
        register(name="\u202e\n\u200b")
    assert excinfo.value.message_dict["name"] == [
        "Display Name must not contain line breaks or other control characters.",
        "Display Name must not contain bidirectional text controls (such as right-to-left overrides).",
        "Display Name must contain at least one visible character.",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("description", ["Line one\nLine two", "Windows\r\nline ends", "Tab\tstop", "Zero\u200bwidth"])
def test_a_description_may_hold_line_breaks_and_tabs(description):
    app, _ = register(description=description)
    app.refresh_from_db()
    assert app.description == description


@pytest.mark.django_db
@pytest.mark.parametrize("description", ["Bell\x07", "Lone\rreturn", "Form\x0cfeed", "Override\u202dtext"])
def test_a_description_with_other_control_characters_is_refused(description):
    with pytest.raises(ValidationError) as excinfo:
        register(description=description)
    assert "description" in excinfo.value.message_dict


@pytest.mark.django_db
def test_the_create_app_command_reports_a_bad_name_without_a_traceback():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as excinfo:
        call_command(
            "mm_oauth_create_app",
            "--name=Line one\nLine two",
            "--description=d",
            "--homepage=https://app.example.com/",
            "--callback-url=https://app.example.com/cb",
        )
    assert "Display Name must not contain line breaks or other control characters." in str(excinfo.value)
    assert not Application.objects.exists()


# ---------------------------------------------------------------------------
# Callback URLs: plain http on the loopback interface only (RFC 8252), no credentials.
# ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, accepted",
    [
        ("http://127.0.0.1:8765/cb", True),
        ("http://127.0.0.1/cb", True),
        ("http://127.255.0.7:9/cb", True),
        ("http://[::1]:8765/cb", True),
        ("http://localhost:8765/cb", True),
        ("http://LOCALHOST/cb", True),
        ("https://app.example.com/cb", True),
        ("http://app.example.com/cb", False),
        ("http://10.0.0.1/cb", False),
        ("http://128.0.0.1/cb", False),
        ("http://localhost.example.com/cb", False),
        ("http://127.0.0.1.nip.io/cb", False),
        ("http://[::2]/cb", False),
        ("https://user:pass@app.example.com/cb", False),
        ("https://user@app.example.com/cb", False),
        ("http://user:pass@127.0.0.1:8765/cb", False),
    ],
)
def test_plain_http_only_on_loopback_and_never_credentials(url, accepted):
    if accepted:
        assert register(callback_urls=[url])[0].callback_urls == [url]
        return
    with pytest.raises(ValidationError) as excinfo:
        register(callback_urls=[url])
    [message] = excinfo.value.message_dict["redirect_uris"]
    assert message.startswith(f"Callback URL {url} must ")


@pytest.mark.django_db
def test_a_site_may_allow_plain_http_callbacks_for_any_host(mm_oauth_settings):
    mm_oauth_settings(ALLOW_HTTP_CALLBACKS=True)
    app, _ = register(callback_urls=["http://app.example.com/cb"])
    assert app.callback_urls == ["http://app.example.com/cb"]
    with pytest.raises(ValidationError):
        register(callback_urls=["http://u:p@app.example.com/cb"])


# ---------------------------------------------------------------------------
# Redirect matching at authorize time: a loopback port is free for public clients only (RFC 8252 section 7.3).
# ---------------------------------------------------------------------------

LOOPBACK = ["http://127.0.0.1:8765/cb", "http://[::1]:8765/cb", "https://app.example.com/cb"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "uri, confidential, public",
    [
        ("http://127.0.0.1:8765/cb", True, True),
        ("http://127.0.0.1:9999/cb", False, True),
        ("http://127.0.0.1/cb", False, True),
        ("http://[::1]:8765/cb", True, True),
        ("http://[::1]:50000/cb", False, True),
        ("http://127.0.0.1:9999/other", False, False),
        ("https://app.example.com/cb", True, True),
        ("https://app.example.com:8443/cb", False, False),
    ],
)
def test_loopback_ports_must_match_for_confidential_clients(uri, confidential, public):
    confidential_app, _ = register(callback_urls=LOOPBACK)
    public_app, _ = register(callback_urls=LOOPBACK, client_type="public")
    assert confidential_app.redirect_uri_allowed(uri) is confidential
    assert public_app.redirect_uri_allowed(uri) is public


@pytest.mark.django_db
def test_a_confidential_client_with_two_loopback_ports_may_use_either():
    app, _ = register(callback_urls=["http://127.0.0.1:8001/cb", "http://127.0.0.1:8002/cb"])
    assert app.redirect_uri_allowed("http://127.0.0.1:8002/cb")
    assert not app.redirect_uri_allowed("http://127.0.0.1:8003/cb")


def authorize_request(client, app, redirect_uri, **extra):
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": redirect_uri, "state": "s"}
    return client.get("/oauth/authorize", {**params, **extra})


@pytest.mark.django_db
def test_a_confidential_client_on_another_loopback_port_gets_the_error_page(signed_in_client, provider_on):
    app, _ = register(callback_urls=["http://127.0.0.1:8765/cb"], is_trusted=True)
    response = authorize_request(signed_in_client, app, "http://127.0.0.1:9999/cb")
    assert response.status_code == 400 and "Location" not in response
    exact = authorize_request(signed_in_client, app, "http://127.0.0.1:8765/cb")
    assert exact.status_code == 302 and exact["Location"].startswith("http://127.0.0.1:8765/cb?")


@pytest.mark.django_db
def test_a_public_client_may_use_any_loopback_port(signed_in_client, provider_on):
    from tests.oauth_helpers import authorize, pkce_pair

    app, _ = register(callback_urls=["http://127.0.0.1:8765/cb"], is_trusted=True, client_type="public")
    _, challenge = pkce_pair()
    query = authorize(signed_in_client, app, redirect_uri="http://127.0.0.1:9999/cb", challenge=challenge)
    assert query["code"] and query["state"] == "xyz"
