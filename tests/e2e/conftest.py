"""Fixtures for every end-to-end module: headless Chromium (``chromium``, ``new_page``), signed-in HTTP sessions."""

import pytest

from tests.e2e.browser import LOOPBACK_CALLBACK, signed_in_session
from tests.e2e.playwright_fixtures import chromium, new_page  # noqa: F401  (fixtures)


@pytest.fixture
def user_session(live_server, user):
    """A ``requests.Session`` signed in to the live server as ``user`` (alice), through the login form."""
    return signed_in_session(live_server.url, user.username)


@pytest.fixture
def loopback_app(make_app):
    """A trusted application whose one callback is ``LOOPBACK_CALLBACK``, where nothing listens."""
    return make_app(name="Trusted tool", is_trusted=True, callback_urls=[LOOPBACK_CALLBACK])
