"""With ``DJANGO_DEBUG=0`` the example site serves its own static files (WhiteNoise), as a deployment would."""

import re

import pytest
import requests

from tests.e2e.servers import free_port, gunicorn, manage, site_env

pytestmark = pytest.mark.slow


def test_pages_are_styled_with_debug_off(tmp_path):
    env = site_env(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="s" * 50, DJANGO_ALLOWED_HOSTS="127.0.0.1")
    manage(env, "migrate", "--noinput")
    with gunicorn(env, free_port()) as base_url:
        login = requests.get(f"{base_url}/login/", timeout=10)
        assert login.status_code == 200
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', login.text)
        assert stylesheets, "the page links no stylesheet"
        for href in stylesheets:
            response = requests.get(base_url + href, timeout=10)
            assert response.status_code == 200, href
            assert response.headers["Content-Type"].startswith("text/css")
            assert len(response.content) > 1000
        missing = requests.get(f"{base_url}/static/no-such-file.css", timeout=10)
        assert missing.status_code == 404
