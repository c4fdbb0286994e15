"""Keep credentials out of the logs.

oauthlib's and django-oauth-toolkit's DEBUG records carry raw credentials
(oauthlib logs each issued token dict and each refresh token it validates; DOT
logs the redirect URL holding the authorization code). Their INFO and higher
records do not. ``install()`` (called from ``AppConfig.ready``) attaches a
filter that drops those DEBUG records to every logger of both libraries, so a
site that turns on DEBUG logging still never writes a token.

Access logs write the request line, query string included: a client that
puts its secret or a token in the URL (which the endpoints refuse) would have
it written there. ``install()`` also attaches a filter to Django's
development-server log (``django.server``) and gunicorn's access log
(``gunicorn.access``, in the worker process that writes it) that replaces
the values of credential parameters with ``[redacted]``.
"""

import importlib
import logging
import re

GUARDED_PREFIXES = ("oauthlib", "oauth2_provider")
# Import these first so their module loggers exist when the filter is attached.
LOGGING_MODULES = (
    "oauthlib.oauth2",
    "oauthlib.openid",
    "oauth2_provider.oauth2_validators",
    "oauth2_provider.oauth2_backends",
    "oauth2_provider.views",
    "oauth2_provider.models",
)


class DropCredentialDebugRecords(logging.Filter):
    def filter(self, record):
        return record.levelno > logging.DEBUG


_FILTER = DropCredentialDebugRecords()

ACCESS_LOGGERS = ("django.server", "gunicorn.access")
CREDENTIAL_PARAMETERS = (
    "client_secret",
    "code",
    "code_verifier",
    "refresh_token",
    "access_token",
    "id_token",
    "id_token_hint",
    "token",
    "password",
    "registration_access_token",
)
_NAMES = "|".join(re.escape(name) for name in CREDENTIAL_PARAMETERS)
_CREDENTIAL_IN_QUERY = re.compile(rf"(?i)((?:^|[?&;])(?:{_NAMES})=)[^&;\s\"']*")


def redact(text):
    """Replace the values of credential parameters in a URL or query string with ``[redacted]``."""
    return _CREDENTIAL_IN_QUERY.sub(r"\1[redacted]", text)


class RedactCredentialQueryParameters(logging.Filter):
    """Redact credentials from an access-log record's message and arguments (tuple or gunicorn's dict)."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {
                key: redact(value) if isinstance(value, str) else value for key, value in record.args.items()
            }
        elif isinstance(record.args, tuple):
            record.args = tuple(redact(value) if isinstance(value, str) else value for value in record.args)
        return True


_ACCESS_FILTER = RedactCredentialQueryParameters()


def guarded_loggers():
    names = [name for name in logging.root.manager.loggerDict if name.startswith(GUARDED_PREFIXES)]
    return [logging.getLogger(name) for name in [*GUARDED_PREFIXES, *names]]


def install():
    for module in LOGGING_MODULES:
        importlib.import_module(module)
    for logger in guarded_loggers():
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if _ACCESS_FILTER not in logger.filters:
            logger.addFilter(_ACCESS_FILTER)
