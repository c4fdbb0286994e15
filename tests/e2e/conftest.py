"""Fixtures for every end-to-end module: headless Chromium (``chromium``, ``new_page``)."""

from tests.e2e.playwright_fixtures import chromium, new_page  # noqa: F401  (fixtures)
