"""A sample third-party client of the example site: a small Django project of its own.

It does what Mattermost's sample client (enahum/mattermost-oauth2-client-sample) does, with
PKCE, a checked ``state`` and a checked issuer on top: "Sign in with Example site", the
authorization code flow, ``GET /api/v4/users/me`` with the access token, and a page that shows
who signed in and posts to the site's board (``POST /api/v4/posts``). The OAuth 2.0 calls are
Authlib's Django client, all in ``views.py``. ``manage.py demo`` registers it on the site and
writes its configuration; ``make demo`` runs both::

    python -m example_project.sample_client --config var/sample_client.json --port 8001
"""
