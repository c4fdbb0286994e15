"""Headless Chromium for Playwright tests: the Debian browser, launched once per test module.

tests/e2e/conftest.py makes the fixtures available to every end-to-end module.

Playwright's sync API runs an event loop in the test's thread, which makes
Django refuse the ORM calls the test makes beside it; they are still
synchronous and safe, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set while the browser
runs. Screenshots go to ``SCREENSHOTS`` (``MM_OAUTH_SCREENSHOTS``, default /tmp).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("MM_OAUTH_SCREENSHOTS", "/tmp"))
TIMEOUT_MS = 10_000


def require_chromium():
    """Skip without Debian's Chromium on a developer machine; fail in CI, where it must be installed."""
    if os.path.exists(CHROMIUM):
        return
    message = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the module (each test opens its own contexts)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture
def new_page(chromium):
    """Return a function that opens a page in a fresh browser context (no cookies); all closed afterwards."""
    contexts = []

    def open_page():
        context = chromium.new_context(viewport={"width": 1100, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        return page

    yield open_page
    for context in contexts:
        context.close()
