"""The demo story, walked in a real headless Chromium in English and in German, every page checked by axe-core.

The sample client (its own process) and the example site (``live_server``) are
set up by ``manage.py demo``, as ``make demo`` does, with the organization it
seeds. The browser signs in with the sample client,
consents with organizations, looks at the user's authorized applications, the
integrations pages, the organizations and their third-party access, and
finally meets the provider-off page after an admin switches the provider off.

Each page must pass axe-core with no serious or critical violation, fit a
360 px wide phone without horizontal scrolling, and is saved as
``<MM_OAUTH_SCREENSHOTS>/<lang>/<name>.png`` (``make screenshots`` writes the
docs' copies in docs/images/screenshots). A second test does sign-in and
consent with the keyboard alone.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from example_project.site.management.commands.demo import SAMPLE_APP_NAME
from mm_oauth.models import Membership, Organization
from mm_oauth.services.provider_settings import get_provider_settings, update_provider_settings
from tests.e2e.axe import assert_accessible, require_axe
from tests.e2e.playwright_fixtures import SCREENSHOTS
from tests.e2e.test_sample_client import demo  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1100, "height": 800}
PHONE_WIDTH = 360
# The example's navbar on a phone: brand and menu button on one line (the menu opens below it).
PHONE_NAVBAR_MAX_HEIGHT = 80
LOCALES = {"en": "en-US", "de": "de-DE"}
ADMIN_PASSWORD = "story-admin-password"


@pytest.fixture
def story(demo):  # noqa: F811  (the imported fixture)
    """The demo as ``manage.py demo`` seeds it: Acme, owned by alice, bob a member, third-party restrictions on.

    Any signed-in user may register apps (``restrict_to_admins`` off), so alice sees the integrations pages;
    the demo's ``admin`` gets a known password (the demo printed a random one).
    """
    org = Organization.objects.get(slug="acme", restrict_third_party_apps=True)
    roles = dict(Membership.objects.filter(organization=org).values_list("user__username", "role"))
    assert roles == {"alice": Membership.Role.OWNER, "bob": Membership.Role.MEMBER}
    update_provider_settings(restrict_to_admins=False)
    admin = get_user_model().objects.get(username="admin")
    admin.set_password(ADMIN_PASSWORD)
    admin.save()
    return {**demo, "org": org, "admin_password": ADMIN_PASSWORD}


class Walk:
    """One browser context walking the story in one language: each page checked, measured and saved."""

    def __init__(self, page, lang, site_url):
        self.page, self.lang, self.site_url = page, lang, site_url
        self.directory = SCREENSHOTS / lang
        self.directory.mkdir(parents=True, exist_ok=True)

    def goto(self, path):
        """Open ``path`` of the site; return the response."""
        return self.page.goto(self.site_url + path)

    def check(self, name=None, *, lang_attribute=True):
        """Run axe on the page, check it at phone width and save it as ``name``.png (if named)."""
        page = self.page
        page.wait_for_load_state("load")
        if lang_attribute:
            assert page.locator("html").get_attribute("lang").startswith(self.lang), page.url
        assert_accessible(page, f"{name or page.url} ({self.lang})")
        if name:
            page.screenshot(path=str(self.directory / f"{name}.png"))
        self.check_phone_width(name or page.url)

    def check_phone_width(self, name):
        page = self.page
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
        try:
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= PHONE_WIDTH, f"{name} scrolls sideways at {PHONE_WIDTH} px: {scroll_width} px wide"
            navbar = page.locator("nav.navbar")
            if navbar.count():
                height = navbar.bounding_box()["height"]
                assert height <= PHONE_NAVBAR_MAX_HEIGHT, f"{name}: the navbar is {height} px high on a phone"
        finally:
            page.set_viewport_size(VIEWPORT)


def walk_story(walk, setup):
    """Walk the demo story; every page goes through ``walk.check``."""
    page = walk.page
    page.goto(setup["client_url"] + "/")
    walk.check("sample-client-home", lang_attribute=False)  # the client is a separate, English-only site
    page.locator("a[href='/signin']").click()

    expect(page.locator("#id_username")).to_be_visible()
    walk.check("login")
    page.fill("#id_username", "alice")
    page.fill("#id_password", setup["alice_password"])
    page.locator("main form button[type=submit]").click()

    expect(page.locator("h1")).to_contain_text(SAMPLE_APP_NAME)
    assert page.locator(".mm-oauth-org-access-row[data-org=acme]").count() == 1
    walk.check("consent")
    # The organizations part of the consent page on its own, for the docs' organizations chapter.
    box = page.locator(".mm-oauth-org-access").bounding_box()
    margin = 16
    around = {"x": box["x"] - margin, "y": box["y"] - margin}
    around.update(width=box["width"] + 2 * margin, height=box["height"] + 2 * margin)
    page.screenshot(path=str(walk.directory / "consent-organizations.png"), clip=around)
    page.locator("button[name=allow][value=Authorize]").click()

    expect(page.get_by_role("heading", name="Hello, Alice")).to_be_visible()
    walk.check("sample-client-signed-in", lang_attribute=False)

    walk.goto("/account/security/oauth-apps/")
    expect(page.locator("main")).to_contain_text(SAMPLE_APP_NAME)
    walk.check("authorized-apps")
    walk.goto(f"/account/security/oauth-apps/{setup['config'].client_id}/deauthorize/")
    walk.check()  # asks before deauthorizing
    for path in ("/", "/account/", "/board/"):  # the example site's own pages
        walk.goto(path)
        walk.check()

    walk_integrations(walk)
    walk_organizations(walk, setup["org"])

    walk.goto("/oauth/authorize?response_type=code&client_id=no-such-client")
    walk.check()  # the authorize error page

    switch_provider_off_as_admin(walk, setup["admin_password"])
    response = walk.goto("/integrations/oauth2-apps/")
    assert response.status == 501
    walk.check("provider-disabled")


def switch_provider_off_as_admin(walk, password):
    """In a browser of their own, the admin unticks the provider in the system console (the Django admin)."""
    context = walk.page.context.browser.new_context(viewport=VIEWPORT, locale=LOCALES[walk.lang])
    try:
        page = context.new_page()
        page.goto(f"{walk.site_url}/admin/login/?next=/admin/mm_oauth/providersettings/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", password)
        page.locator("#login-form [type=submit]").click()
        page.locator("#id_enable_provider").uncheck()
        page.locator("[name=_save]").click()
        expect(page.locator(".messagelist")).to_be_visible()
    finally:
        context.close()
    assert not get_provider_settings().enable_provider


def walk_integrations(walk):
    page = walk.page
    walk.goto("/integrations/oauth2-apps/")
    walk.check("integrations")
    walk.goto("/integrations/oauth2-apps/add/")
    walk.check("app-form")
    # Submitted empty, past the browser's own checks: the server's error for every required field.
    page.locator("main form").evaluate("form => { form.noValidate = true; }")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .invalid-feedback").first).to_be_visible()
    walk.check()
    page.fill("input[name=name]", "Release notes bot")
    page.fill("[name=description]", "Posts the release notes to the board.")
    page.fill("input[name=homepage]", "https://bot.example.com")
    page.fill("[name=callback_urls]", "https://bot.example.com/oauth/callback")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/secret/$"))
    walk.check("app-secret")
    base = page.url.removesuffix("secret/")
    page.goto(base + "regenerate-secret/")
    walk.check("app-regenerate")
    page.goto(base + "delete/")
    walk.check("app-delete")


def walk_organizations(walk, org):
    walk.goto("/organizations/")
    expect(walk.page.locator("main")).to_contain_text(org.name)
    walk.check("organizations")
    walk.goto("/organizations/new/")
    walk.check("organization-new")
    walk.goto(f"/organizations/{org.slug}/settings/third-party-access/")
    walk.check("third-party-access")
    walk.goto(f"/organizations/{org.slug}/settings/third-party-access/restrictions/off/")
    walk.check()  # asks before lifting the restrictions


@pytest.mark.parametrize("lang", ["en", "de"])
def test_demo_story_is_accessible_in_each_language(chromium, live_server, story, lang):
    require_axe()
    context = chromium.new_context(viewport=VIEWPORT, locale=LOCALES[lang])
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        walk_story(Walk(page, lang, story["config"].provider_url), story)
    finally:
        context.close()


def press_until_focused(page, locator, *, key="Tab", limit=40):
    """Press Tab until ``locator`` has the keyboard focus; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press(key)
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of {key} never reached {locator}")


def focus_outline(page):
    """The focused element's outline, as drawn for :focus-visible."""
    return page.evaluate(
        """() => { const style = getComputedStyle(document.activeElement);
                   return {matches: document.activeElement.matches(':focus-visible'),
                           style: style.outlineStyle, width: parseFloat(style.outlineWidth)}; }"""
    )


def assert_focus_is_visible(page):
    outline = focus_outline(page)
    assert outline["matches"] and outline["style"] != "none" and outline["width"] >= 2, outline


def test_sign_in_and_consent_with_the_keyboard_alone(chromium, live_server, story):
    context = chromium.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(story["client_url"] + "/")
        press_until_focused(page, page.locator("a[href='/signin']"))
        page.keyboard.press("Enter")

        expect(page.locator("#id_username")).to_be_visible()
        press_until_focused(page, page.locator("#id_username"))
        assert_focus_is_visible(page)
        page.keyboard.type("alice")
        page.keyboard.press("Tab")
        page.keyboard.type(story["alice_password"])
        page.keyboard.press("Enter")

        expect(page.locator("h1")).to_contain_text(SAMPLE_APP_NAME)
        allow = page.locator("button[name=allow][value=Authorize]")
        press_until_focused(page, allow)
        assert_focus_is_visible(page)
        page.keyboard.press("Space")

        expect(page.get_by_role("heading", name="Hello, Alice")).to_be_visible()
    finally:
        context.close()


def test_navbar_links_are_reached_by_tab_on_desktop_and_phone(chromium, live_server, story):
    context = chromium.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        site = story["config"].provider_url
        page.goto(f"{site}/login/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", story["alice_password"])
        page.locator("main form button[type=submit]").click()
        expect(page.locator("nav.navbar")).to_contain_text("alice")
        for name in ("Integrations", "Organizations", "Authorized applications"):
            link = page.locator("nav.navbar").get_by_role("link", name=name)
            page.goto(f"{site}/")
            press_until_focused(page, link)
            assert_focus_is_visible(page)
        # On a phone the links sit behind the menu button, which opens with the keyboard too.
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
        page.goto(f"{site}/")
        menu = page.locator("nav.navbar summary")
        press_until_focused(page, menu)
        page.keyboard.press("Enter")
        assert_accessible(page, "the phone menu, open")
        link = page.locator("nav.navbar").get_by_role("link", name="Authorized applications")
        press_until_focused(page, link)
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/account/security/oauth-apps/$"))
    finally:
        context.close()
