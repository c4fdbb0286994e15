"""Run ``mm_oauth_clear_expired`` once and print its time, peak memory and output as JSON (run by bench/large.py).

A child process of its own, so ``resource.getrusage`` reports the command's
peak memory rather than the benchmark's. ``DATABASE_URL`` names the database.
Audit events are kept a year and refresh tokens expire after 30 days here, so
that every kind of row has something to delete.
"""

import io
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIT_RETENTION_DAYS = 365
REFRESH_TOKEN_EXPIRE_SECONDS = 30 * 24 * 3600


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    from mm_oauth.services.tokens import CLEANUP_BATCH_SIZE

    out = io.StringIO()
    overrides = override_settings(
        MM_OAUTH={**settings.MM_OAUTH, "AUDIT_RETENTION_DAYS": AUDIT_RETENTION_DAYS},
        OAUTH2_PROVIDER={**settings.OAUTH2_PROVIDER, "REFRESH_TOKEN_EXPIRE_SECONDS": REFRESH_TOKEN_EXPIRE_SECONDS},
    )
    before = rss_mb()
    with overrides:
        start = time.perf_counter()
        call_command("mm_oauth_clear_expired", stdout=out)
        seconds = time.perf_counter() - start
    report = {
        "seconds": seconds,
        "peak_rss_mb": rss_mb(),
        "rss_growth_mb": rss_mb() - before,
        "batch_size": CLEANUP_BATCH_SIZE,
        "audit_retention_days": AUDIT_RETENTION_DAYS,
        "refresh_token_expire_seconds": REFRESH_TOKEN_EXPIRE_SECONDS,
        "output": out.getvalue().splitlines(),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
