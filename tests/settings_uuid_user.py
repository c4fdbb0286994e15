"""The test settings with a UUID-keyed custom user model (``AUTH_USER_MODEL = "uuid_user.UuidMember"``)."""

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.uuid_user"]
AUTH_USER_MODEL = "uuid_user.UuidMember"

# Runs beside the main suite (in a subprocess of it): on a database server, use a test database of its own.
if "postgresql" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    DATABASES = {"default": {**DATABASES["default"], "TEST": {"NAME": "test_mm_oauth_uuid_user"}}}  # noqa: F405
