"""Partial consent in a real headless Chromium: the user unticks an optional scope on the consent page.

The sample client (its own process) asks for the provider's default scopes
(``read write``); Alice unticks "Create and change data on your behalf" and
allows. The token the client holds carries only ``read`` (the client shows the
token response's ``scope``), the site's API refuses the client's post, and the
site's authorized-apps page lists only what was granted. The consent page,
box unticked, is saved as ``mm_oauth_partial_consent.png`` in /tmp (or
``MM_OAUTH_SCREENSHOTS``).
"""

import pytest
from oauth2_provider.models import get_access_token_model
from playwright.sync_api import expect

from example_project.site.management.commands.demo import SAMPLE_APP_NAME
from example_project.site.models import Post
from mm_oauth.models import Authorization
from tests.e2e.playwright_fixtures import SCREENSHOTS
from tests.e2e.test_browser_consent import SCOPE_WORDS, journey  # noqa: F401
from tests.e2e.test_sample_client import demo  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

READ_WORDS, WRITE_WORDS = SCOPE_WORDS


def test_unticking_write_grants_only_read_and_the_site_shows_it(journey):  # noqa: F811
    alice = journey()
    page = alice.page
    alice.open_client()
    alice.click_sign_in()
    alice.log_in_to_site()
    alice.expect_consent_page()

    write = page.get_by_role("checkbox", name=WRITE_WORDS)
    expect(write).to_be_checked()  # optional scopes start ticked
    expect(page.get_by_role("checkbox", name=READ_WORDS)).to_have_count(0)  # required: no box to untick
    expect(page.get_by_role("listitem").filter(has_text=READ_WORDS)).to_contain_text("required")
    write.uncheck()
    page.screenshot(path=SCREENSHOTS / "mm_oauth_partial_consent.png", full_page=True)
    page.get_by_role("button", name="Allow").click()

    alice.expect_signed_in_as_alice()
    expect(page.get_by_text("Granted scope:")).to_contain_text("read")
    expect(page.get_by_text("Granted scope:").locator("code")).to_have_text("read")
    assert get_access_token_model().objects.get().scope == "read"
    assert Authorization.objects.get().scopes == {"read"}

    # The site's API holds the client to what Alice granted.
    alice.post_message("Hello without write")
    expect(page.get_by_role("alert")).to_contain_text("refused the post (HTTP 403)")
    assert not Post.objects.exists()

    page.goto(alice.site_url + "/account/security/oauth-apps/")
    app_card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=SAMPLE_APP_NAME))
    expect(app_card).to_contain_text(READ_WORDS)
    expect(app_card).not_to_contain_text(WRITE_WORDS)
