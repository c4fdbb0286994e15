"""Migrate one project's fresh database and store its fixtures; run in that project's interpreter.

``python -m bench.load.prepare mm|dot DIRECTORY CODES SLOW_CODES REFRESH``,
with ``DATABASE_URL`` (and ``DJANGO_SETTINGS_MODULE``) in the environment, as
``bench.load.cli`` calls it: the fixtures go to ``DIRECTORY/fixtures.json``
(plus one file of codes or refresh tokens per scenario that uses each once).
"""

import json
import os
import sys
from pathlib import Path

import django
from django.core.management import call_command

SETTINGS = {"mm": "example_project.settings", "dot": "bench.stock_dot.settings"}


def main(argv):
    project, directory, codes, slow_codes, refresh = argv
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS[project])
    django.setup()
    call_command("migrate", verbosity=0)
    # The one deferred import: the fixture modules reach models at import.
    if project == "mm":
        from bench.load import fixtures_mm as fixtures
    else:
        from bench.load import fixtures_dot as fixtures
    counts = {"codes": int(codes), "slow_codes": int(slow_codes), "refresh": int(refresh)}
    prepared = fixtures.build(directory, counts)
    (directory / "fixtures.json").write_text(json.dumps(prepared, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
