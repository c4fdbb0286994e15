"""Authorization, authorized apps and posting, end to end in a real headless Chromium.

The browser drives the sample third-party client (its own process, registered by
``manage.py demo`` with its real callback URL, not trusted) and the
example site (pytest-django's ``live_server``): sign in, the site's login
form, the consent page, Allow or Deny; remembered consent; Revoke on the
site's authorized-apps page; a trusted app that never asks; a post from the
client shown on the site's board. The consent page's trust signals: "Not you?"
(another user lands on the same request), the host the user goes back to, who
registered the app, and each organization's state before and after Grant.

The consent page is saved as ``mm_oauth_consent_page.png`` in /tmp (or
``MM_OAUTH_SCREENSHOTS``) for a person to look at.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from example_project.site.management.commands.demo import SAMPLE_APP_DESCRIPTION, SAMPLE_APP_NAME
from example_project.site.models import Post
from mm_oauth.models import Authorization
from mm_oauth.services import organizations as orgs
from mm_oauth.services.applications import register_application
from mm_oauth.services.provider_settings import update_provider_settings
from tests.e2e.playwright_fixtures import SCREENSHOTS
from tests.e2e.test_sample_client import demo  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SCOPE_WORDS = ["Read your profile and the data you can see", "Create and change data on your behalf"]
BOB_PASSWORD = "bob-s3cret-Passw0rd"
CONSENT_HEADING = f"{SAMPLE_APP_NAME} would like to connect to your account"


class Journey:
    """One browser (context) going between the sample client and the site, noting every consent page shown."""

    def __init__(self, page, setup):
        self.page = page
        self.demo = setup
        # The site as the client knows it (http://127.0.0.1:<port>), so the site's cookies apply.
        self.site_url = setup["config"].provider_url
        self.consent_pages = []
        page.on("response", self._note_consent_page)

    def _note_consent_page(self, response):
        parts = urlsplit(response.url)
        if parts.path == "/oauth/authorize" and response.request.method == "GET" and response.status == 200:
            self.consent_pages.append(parse_qs(parts.query).get("client_id", [""])[0])

    def open_client(self):
        self.page.goto(self.demo["client_url"] + "/")

    def click_sign_in(self):
        self.page.get_by_role("link", name="Sign in with Example site").click()

    def log_in_to_site(self, username="alice", password=None):
        """Fill in the site's login form, as alice unless told (the sign-in sent the browser there)."""
        expect(self.page.get_by_role("heading", name="Sign in to the example site")).to_be_visible()
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password or self.demo["alice_password"])
        self.page.get_by_role("button", name="Sign in").click()

    def expect_consent_page(self):
        expect(self.page.get_by_role("heading", name=CONSENT_HEADING)).to_be_visible()

    def expect_signed_in_as_alice(self):
        page = self.page
        expect(page.get_by_role("heading", name="Hello, Alice")).to_be_visible()
        assert page.url == self.demo["client_url"] + "/"
        expect(page.get_by_text("Signed in with Example site.")).to_be_visible()
        for value in ("alice", "alice@example.com", "Alice", "Liddell"):
            expect(page.get_by_role("definition").filter(has_text=re.compile(f"^{re.escape(value)}$"))).to_be_visible()

    def sign_in_allowing(self):
        """Open the client, sign in through the site's login and consent page, and Allow."""
        self.open_client()
        self.click_sign_in()
        self.log_in_to_site()
        self.expect_consent_page()
        self.page.get_by_role("button", name="Allow").click()
        self.expect_signed_in_as_alice()

    def post_message(self, message, display_name=""):
        page = self.page
        page.get_by_role("textbox", name="Message", exact=True).fill(message)
        page.get_by_role("textbox", name="Display name").fill(display_name)
        page.get_by_role("button", name="Post message").click()


@pytest.fixture
def journey(new_page, demo):  # noqa: F811
    """Return a function that starts a Journey in a fresh browser context."""
    return lambda: Journey(new_page(), demo)


def test_allow_shows_the_consent_page_then_the_users_profile(journey):
    alice = journey()
    page = alice.page
    alice.open_client()
    alice.click_sign_in()
    alice.log_in_to_site()

    # The consent page: the app's name, description and the scopes in words; Allow and Deny.
    alice.expect_consent_page()
    expect(page.get_by_text(SAMPLE_APP_DESCRIPTION)).to_be_visible()
    expect(page.get_by_role("link", name=alice.demo["client_url"] + "/")).to_be_visible()  # the homepage
    for words in SCOPE_WORDS:
        expect(page.get_by_role("listitem").filter(has_text=words)).to_be_visible()
    expect(page.get_by_role("button", name="Deny")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "mm_oauth_consent_page.png", full_page=True)

    page.get_by_role("button", name="Allow").click()

    alice.expect_signed_in_as_alice()
    assert alice.consent_pages == [alice.demo["config"].client_id]
    assert Authorization.objects.get().application.client_id == alice.demo["config"].client_id


def test_deny_shows_access_denied_with_the_matching_state(journey):
    alice = journey()
    page = alice.page
    alice.open_client()
    alice.click_sign_in()
    alice.log_in_to_site()
    alice.expect_consent_page()

    page.get_by_role("button", name="Deny").click()

    expect(page.get_by_role("heading", name="Sign-in not completed")).to_be_visible()
    expect(
        page.get_by_text(f"You chose not to allow {SAMPLE_APP_NAME} to use your Example site account.")
    ).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="The user denied the request.")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text=re.compile("^access_denied$"))).to_be_visible()
    expect(page.get_by_text("The state parameter matched the one this app sent")).to_be_visible()
    assert urlsplit(page.url).path == "/callback"
    assert not Authorization.objects.exists()


def test_consent_is_remembered_after_signing_out_of_the_client(journey):
    alice = journey()
    alice.sign_in_allowing()

    alice.page.get_by_role("button", name="Sign out").click()  # of the client, not the site
    expect(alice.page.get_by_role("link", name="Sign in with Example site")).to_be_visible()
    alice.click_sign_in()

    alice.expect_signed_in_as_alice()  # straight back: no login, no consent page
    assert alice.consent_pages == [alice.demo["config"].client_id]  # only the first time


def test_deauthorize_on_the_site_revokes_the_client_and_consent_is_asked_again(journey):
    alice = journey()
    page = alice.page
    alice.sign_in_allowing()

    page.goto(alice.site_url + "/account/security/oauth-apps/")
    app_card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=SAMPLE_APP_NAME))
    expect(app_card).to_contain_text(SAMPLE_APP_DESCRIPTION)
    app_card.get_by_role("link", name="Revoke", exact=True).click()
    expect(page.get_by_role("heading", name=f"Revoke the access of {SAMPLE_APP_NAME}?")).to_be_visible()
    page.get_by_role("button", name="Revoke", exact=True).click()
    expect(page.get_by_text(f"{SAMPLE_APP_NAME} can no longer access your account.")).to_be_visible()
    expect(page.get_by_text("No OAuth 2.0 applications are authorized.")).to_be_visible()

    # The client checks its token on every view: the very next one shows alice signed out, and why.
    alice.open_client()
    expect(page.get_by_role("alert")).to_have_text("Your authorization was revoked on Example site; sign in again.")
    expect(page.get_by_role("heading", name="Hello, Alice")).to_have_count(0)
    assert not Post.objects.exists()

    alice.click_sign_in()
    alice.expect_consent_page()  # asked again
    assert alice.consent_pages == [alice.demo["config"].client_id] * 2
    page.get_by_role("button", name="Allow").click()
    alice.expect_signed_in_as_alice()


def test_a_trusted_app_skips_consent_right_after_login(journey, demo):  # noqa: F811
    trusted, secret = register_application(
        name="Trusted sample client",
        description="The same client, trusted by the system admin.",
        homepage=demo["client_url"] + "/",
        callback_urls=[demo["config"].redirect_uri],
        is_trusted=True,
    )
    # The same client, restarted with the trusted app's credentials (environment overrides the file).
    demo["client"].start(SAMPLE_CLIENT_CLIENT_ID=trusted.client_id, SAMPLE_CLIENT_CLIENT_SECRET=secret)
    alice = journey()

    alice.open_client()
    alice.click_sign_in()
    alice.log_in_to_site()

    alice.expect_signed_in_as_alice()
    assert alice.consent_pages == []


def test_a_post_from_the_client_shows_on_the_sites_board_with_its_display_name(journey):
    update_provider_settings(allow_username_override=True)
    alice = journey()
    page = alice.page
    alice.sign_in_allowing()

    expect(page.get_by_role("heading", name="Post a message to Example site's board")).to_be_visible()
    alice.post_message("Deploy of v2.3 finished", display_name="Release Bot")

    result = page.get_by_role("status")
    expect(result).to_contain_text("Posted to Example site's board.")
    expect(result.get_by_role("definition").filter(has_text=re.compile("^Release Bot$"))).to_be_visible()
    expect(result.get_by_role("definition").filter(has_text=re.compile(f"^{SAMPLE_APP_NAME}$"))).to_be_visible()

    page.goto(alice.site_url + "/board/")  # still signed in to the site
    expect(page.get_by_role("heading", name="Message board")).to_be_visible()
    post = page.get_by_role("listitem").filter(has_text="Deploy of v2.3 finished")
    expect(post).to_contain_text("Release Bot")
    expect(post).to_contain_text(f"via {SAMPLE_APP_NAME}")


def demo_bob():
    """Return bob, whom ``manage.py demo`` seeds, with a password the test knows."""
    bob = get_user_model().objects.get(username="bob")
    bob.set_password(BOB_PASSWORD)
    bob.save()
    return bob


def test_not_you_signs_out_and_the_other_user_lands_on_the_same_consent_page(journey):
    demo_bob()
    alice = journey()
    page = alice.page
    alice.open_client()
    alice.click_sign_in()
    alice.log_in_to_site()
    alice.expect_consent_page()
    expect(page.get_by_text(re.compile(r"Signed in as\s+alice"))).to_be_visible()
    asked = parse_qs(urlsplit(page.url).query)

    page.get_by_role("button", name="Not you?").click()
    alice.log_in_to_site("bob", BOB_PASSWORD)

    alice.expect_consent_page()
    expect(page.get_by_text(re.compile(r"Signed in as\s+bob"))).to_be_visible()
    assert parse_qs(urlsplit(page.url).query) == asked  # the same client, state, PKCE challenge
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("heading", name="Hello, bob")).to_be_visible()
    assert [auth.user.get_username() for auth in Authorization.objects.all()] == ["bob"]


def test_the_consent_page_names_where_the_user_goes_back_and_who_registered_the_app(journey):
    alice = journey()
    page = alice.page
    alice.open_client()
    alice.click_sign_in()
    alice.log_in_to_site()
    alice.expect_consent_page()

    client_host = urlsplit(alice.demo["config"].redirect_uri).netloc
    expect(page.get_by_text(f"You will be redirected to {client_host}")).to_be_visible()
    expect(page.locator(".mm-oauth-provenance")).to_contain_text(re.compile(r"Registered (by \w+|on this site) · "))
    expect(page.locator(".mm-oauth-trusted-badge")).to_have_count(0)  # the sample client is not trusted


def test_organization_states_show_and_a_failed_grant_does_not_look_granted(journey):
    alice_user = get_user_model().objects.get(username="alice")
    bob = demo_bob()  # and the demo's Acme, owned by alice
    beta = orgs.create_organization(actor=alice_user, name="Beta", slug="beta")
    alice = journey()
    page = alice.page
    alice.open_client()
    alice.click_sign_in()
    alice.log_in_to_site()
    alice.expect_consent_page()
    asked = parse_qs(urlsplit(page.url).query)
    acme_row, beta_row = (page.locator(f'.mm-oauth-org-access-row[data-org="{slug}"]') for slug in ("acme", "beta"))
    expect(acme_row).to_contain_text("Not requested")
    expect(beta_row).to_contain_text("Not requested")

    acme_row.get_by_role("button", name="Grant").click()  # works: back on the same request, granted
    alice.expect_consent_page()
    assert parse_qs(urlsplit(page.url).query) == asked
    expect(acme_row).to_contain_text("Access granted")

    # Alice hands Beta to Bob in another tab, then presses Grant on this stale page: refused.
    orgs.add_member(actor=alice_user, org=beta, user_id=bob.pk, role="owner")
    orgs.add_member(actor=bob, org=beta, user_id=alice_user.pk, role="member")
    beta_row.get_by_role("button", name="Grant").click()
    expect(page.get_by_text("Access granted")).to_have_count(0)
    page.go_back()
    page.reload()
    alice.expect_consent_page()
    expect(beta_row).to_contain_text("Not requested")
    expect(beta_row.get_by_role("button", name="Request")).to_be_visible()
    expect(acme_row).to_contain_text("Access granted")
