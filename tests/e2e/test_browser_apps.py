"""The app management pages in a real headless Chromium (Playwright, the Debian browser) against a live server.

A superuser signs in through the login form, registers an app, reads its secret
once (a reload shows it no more), proves it works at the token endpoint, regenerates it, edits the
callback URLs through the confirmation step, and deletes the app. The copy
buttons are clicked and the clipboard read back.

Screenshots of the list and the confirmation page go to /tmp for a person to
look at (``MM_OAUTH_SCREENSHOTS`` names another directory).
"""

import pytest
import requests
from playwright.sync_api import expect

from mm_oauth.models import Application
from tests.conftest import PASSWORD
from tests.e2e.playwright_fixtures import SCREENSHOTS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CALLBACK_1 = "https://zapier.example.com/oauth/callback"
CALLBACK_2 = "https://zapier.example.com/oauth/callback2"
CALLBACK_NEW = "https://zapier.example.com/oauth/v2/callback"


@pytest.fixture
def page(chromium, live_server, superuser, provider_on):
    """A Chromium page signed in as ``superuser`` through the login form, on the app list."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/?next=/integrations/oauth2-apps/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="OAuth 2.0 Applications")).to_be_visible()
    yield page
    context.close()


def token_request(live_server, client_id, client_secret):
    """Ask for tokens with a bogus refresh token: ``invalid_grant`` means the client authenticated."""
    response = requests.post(
        f"{live_server.url}/oauth/access_token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "not-a-real-refresh-token",
            "client_id": client_id,
            "client_secret": client_secret,
        },
        timeout=10,
    )
    return response.json().get("error")


def app_row(page, name):
    return page.locator(".mm-oauth-app-item", has=page.get_by_role("heading", name=name))


def test_register_see_the_secret_once_regenerate_edit_and_delete(page, live_server):
    # Register.
    page.get_by_role("link", name="Add OAuth 2.0 Application").click()
    page.fill("#id_name", "Zapier")
    page.fill("#id_description", "Connects your account to 5,000 apps.")
    page.fill("#id_homepage", "https://zapier.example.com/")
    page.fill("#id_callback_urls", f"{CALLBACK_1}\n{CALLBACK_2}")
    expect(page.locator("#id_is_trusted")).to_be_visible()  # a superuser decides Is Trusted
    page.get_by_role("button", name="Save").click()

    # The confirmation page: the secret, once.
    expect(page.get_by_role("heading", name="OAuth 2.0 Application Added")).to_be_visible()
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    client_id = page.locator("#client-id").inner_text()
    secret = page.locator("#client-secret").inner_text()
    assert len(secret) >= 64
    expect(page.locator("#callback-url-2")).to_have_text(CALLBACK_2)
    page.screenshot(path=SCREENSHOTS / "mm_oauth_secret_page.png", full_page=True)

    secret_button = page.locator('[data-copy-target="client-secret"]')
    secret_button.click()
    expect(secret_button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.locator('[data-copy-target="client-id"]').click()
    assert page.evaluate("navigator.clipboard.readText()") == client_id

    assert token_request(live_server, client_id, secret) == "invalid_grant"
    assert token_request(live_server, client_id, "wrong" + secret[5:]) == "invalid_client"

    # The form was POSTed, then redirected: a reload shows the page again without the secret
    # and registers nothing.
    assert page.url.endswith(f"/integrations/oauth2-apps/{client_id}/secret/") and secret not in page.url
    page.reload()
    expect(page.get_by_text("This secret was already shown. If you did not copy it, regenerate it.")).to_be_visible()
    assert secret not in page.content()
    assert Application.objects.filter(name="Zapier").count() == 1

    # The list: the app, never its secret.
    page.get_by_role("link", name="Done").click()
    row = app_row(page, "Zapier")
    expect(row).to_contain_text(client_id)
    expect(row).to_contain_text(CALLBACK_2)
    expect(row).to_contain_text("Created by root on")
    assert secret not in page.content()
    page.screenshot(path=SCREENSHOTS / "mm_oauth_list_page.png", full_page=True)

    # Regenerate: the new secret works, the old one does not.
    row.get_by_role("link", name="Regenerate Secret").click()
    expect(page.get_by_text("Access tokens and refresh tokens already issued stay valid.")).to_be_visible()
    page.get_by_role("button", name="Regenerate Secret").click()
    expect(page.get_by_role("heading", name="New Client Secret")).to_be_visible()
    new_secret = page.locator("#client-secret").inner_text()
    assert new_secret != secret
    page.reload()
    expect(page.get_by_text("This secret was already shown.")).to_be_visible()
    assert token_request(live_server, client_id, new_secret) == "invalid_grant"
    assert token_request(live_server, client_id, secret) == "invalid_client"

    # Edit the callback URLs: a confirmation step first.
    page.get_by_role("link", name="Done").click()
    app_row(page, "Zapier").get_by_role("link", name="Edit").click()
    expect(page.locator("#id_callback_urls")).to_have_value(f"{CALLBACK_1}\n{CALLBACK_2}")
    assert new_secret not in page.content() and secret not in page.content()
    page.fill("#id_callback_urls", f"{CALLBACK_1}\n{CALLBACK_NEW}")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Existing integrations may break.")).to_be_visible()
    expect(page.locator(".mm-oauth-removed")).to_have_text(CALLBACK_2)
    expect(page.locator(".mm-oauth-added")).to_have_text(CALLBACK_NEW)
    assert Application.objects.get(client_id=client_id).callback_urls == [CALLBACK_1, CALLBACK_2]
    page.get_by_role("button", name="Change the callback URLs").click()
    expect(page.get_by_text("Saved Zapier.")).to_be_visible()
    expect(app_row(page, "Zapier")).to_contain_text(CALLBACK_NEW)
    assert Application.objects.get(client_id=client_id).callback_urls == [CALLBACK_1, CALLBACK_NEW]

    # Delete.
    app_row(page, "Zapier").get_by_role("link", name="Delete").click()
    expect(page.get_by_text("for all users")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted Zapier")).to_be_visible()
    expect(app_row(page, "Zapier")).to_have_count(0)
    expect(page.get_by_text("No OAuth 2.0 applications yet.")).to_be_visible()
    assert not Application.objects.filter(client_id=client_id).exists()
    assert token_request(live_server, client_id, new_secret) == "invalid_client"


def test_copy_falls_back_to_selecting_the_text_without_the_clipboard_api(page, make_app, superuser):
    app = make_app(creator=superuser, name="Fallback")
    # Without the Clipboard API (an insecure context, an old browser) the button selects the text.
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
    page.reload()
    button = app_row(page, "Fallback").locator(".mm-oauth-copy")
    button.click()
    assert page.evaluate("window.getSelection().toString()") == app.client_id
    expect(button).to_have_text("Copied")  # document.execCommand("copy") of the selection succeeded
