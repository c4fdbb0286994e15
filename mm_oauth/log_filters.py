"""Keep credentials out of the logs.

oauthlib's and django-oauth-toolkit's DEBUG records carry raw credentials
(oauthlib logs each issued token dict and each refresh token it validates; DOT
logs the redirect URL holding the authorization code). Their INFO and higher
records do not. ``install()`` (called from ``AppConfig.ready``) attaches a
filter that drops those DEBUG records to every logger of both libraries, so a
site that turns on DEBUG logging still never writes a token.
"""

import importlib
import logging

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


def guarded_loggers():
    names = [name for name in logging.root.manager.loggerDict if name.startswith(GUARDED_PREFIXES)]
    return [logging.getLogger(name) for name in [*GUARDED_PREFIXES, *names]]


def install():
    for module in LOGGING_MODULES:
        importlib.import_module(module)
    for logger in guarded_loggers():
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
