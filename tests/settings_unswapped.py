"""A misconfigured site: mm_oauth installed, but DOT's default Application model in use.

Used by ``test_checks.test_e006_token_tables_created_before_the_swap`` to build
the database a site gets when it migrates DOT before swapping the model.
"""

from example_project.settings import *  # noqa: F403

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
SILENCED_SYSTEM_CHECKS = ["mm_oauth.E001"]
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "APPLICATION_ADMIN_CLASS": "oauth2_provider.admin.ApplicationAdmin"}  # noqa: F405
