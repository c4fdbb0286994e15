"""A sample third-party client of the example site: a separate web app on its own port.

It does what Mattermost's sample client (enahum/mattermost-oauth2-client-sample)
does, with PKCE and a checked ``state`` on top: a "Sign in with Example site"
button, the authorization code flow, the token exchange with the client secret
in the form body, ``GET /api/v4/users/me`` with the access token, and a page
showing who signed in. That page also posts messages to the site's board
(``POST /api/v4/posts``, with Mattermost's ``props.override_username`` and
``props.override_icon_url``), and notices when the user revoked the app.

It uses only the standard library's WSGI server and requests-oauthlib::

    python -m example_project.sample_client --config var/sample_client.json --port 8001

``manage.py demo`` registers it on the site, writes that file and starts both.
"""

from .app import SampleClient, create_server
from .config import ClientConfig, ConfigError, load_config

__all__ = ["ClientConfig", "ConfigError", "SampleClient", "create_server", "load_config"]
