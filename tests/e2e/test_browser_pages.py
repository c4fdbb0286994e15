"""The management pages' small behaviours in a real headless Chromium against a live server.

A broken icon URL falls back to the default icon (the static ``pages.js``, no
inline handler), and the callback URLs field grows with its content, by CSS
``field-sizing`` and, where that is missing, by the script.
"""

import pytest
from playwright.sync_api import expect

from mm_oauth.services.authorizations import record_authorization
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DEFAULT_ICON = "/static/mm_oauth/app-icon.svg"
# Pretend the browser lacks field-sizing: the script must then do the growing.
WITHOUT_FIELD_SIZING = """
const supports = CSS.supports.bind(CSS);
CSS.supports = (...args) => (String(args[0]).includes("field-sizing") ? false : supports(...args));
document.addEventListener("DOMContentLoaded", () => {
  const style = document.createElement("style");
  style.textContent = "textarea { field-sizing: fixed !important; }";
  document.head.append(style);
});
"""


def sign_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{next_url}")


def icon_of(page, name):
    """Return the icon of the app called ``name``, once it has finished loading (or failing)."""
    item = page.locator("article, li").filter(has=page.get_by_role("heading", name=name)).first
    icon = item.locator("img.mm-oauth-icon")
    expect(icon).to_have_attribute("src", DEFAULT_ICON)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=icon.element_handle())
    return icon


@pytest.fixture
def broken_icon_app(live_server, make_app, superuser):
    """An app whose icon URL answers 404."""
    return make_app(name="Broken icon", creator=superuser, icon_url=f"{live_server.url}/static/mm_oauth/missing.png")


@pytest.mark.usefixtures("provider_on")
@pytest.mark.parametrize("where", ["/account/security/oauth-apps/", "/integrations/oauth2-apps/"])
def test_a_broken_icon_url_falls_back_to_the_default_icon(new_page, live_server, superuser, broken_icon_app, where):
    record_authorization(superuser, broken_icon_app, ["read"])
    page = new_page()
    failed = []
    page.on("requestfinished", lambda request: failed.append(request.url) if "missing.png" in request.url else None)
    sign_in(page, live_server, superuser, where)
    icon_of(page, "Broken icon")
    assert failed, "the page never tried the app's own icon"


@pytest.mark.usefixtures("provider_on")
def test_a_broken_override_icon_on_the_message_board_falls_back_too(new_page, live_server, superuser):
    from example_project.site.models import Post

    Post.objects.create(author=superuser, message="Deploy done", override_icon_url=f"{live_server.url}/missing.png")
    page = new_page()
    sign_in(page, live_server, superuser, "/board/")
    icon = page.locator("img.mm-oauth-icon").first
    expect(icon).to_have_attribute("src", DEFAULT_ICON)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=icon.element_handle())


@pytest.mark.usefixtures("provider_on")
def test_a_working_icon_url_is_kept(new_page, live_server, superuser, make_app):
    make_app(name="Good icon", creator=superuser, icon_url=f"{live_server.url}/static/mm_oauth/favicon.svg")
    page = new_page()
    sign_in(page, live_server, superuser, "/integrations/oauth2-apps/")
    icon = page.locator("li", has=page.get_by_role("heading", name="Good icon")).locator("img.mm-oauth-icon")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=icon.element_handle())
    assert icon.get_attribute("src").endswith("/static/mm_oauth/favicon.svg")


def heights(page, line_counts):
    """Return the callbacks field's height after typing each number of lines."""
    field = page.locator("textarea[name=callback_urls]")
    found = []
    for count in line_counts:
        field.fill("\n".join(f"https://app.example.com/callback/{n}" for n in range(count)))
        found.append(field.evaluate("element => element.getBoundingClientRect().height"))
    return found


@pytest.mark.usefixtures("provider_on")
@pytest.mark.parametrize("field_sizing", [True, False], ids=["css", "script"])
def test_the_callbacks_field_grows_with_its_content(new_page, live_server, superuser, field_sizing):
    page = new_page()
    if not field_sizing:
        page.add_init_script(WITHOUT_FIELD_SIZING)
    sign_in(page, live_server, superuser, "/integrations/oauth2-apps/add/")
    one, three, eight, forty = heights(page, [1, 3, 8, 40])
    assert one == pytest.approx(three, abs=2)  # at least three lines tall
    assert eight > three * 2
    assert forty < eight * 2  # it stops growing (12 lines) and scrolls
    assert page.locator("textarea[name=callback_urls]").evaluate("e => e.scrollHeight > e.clientHeight")
