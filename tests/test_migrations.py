"""mm_oauth's migrations: complete, ordered before django-oauth-toolkit's, and safe on any host.

mm_oauth's Application is swapped into DOT (``OAUTH2_PROVIDER_APPLICATION_MODEL``),
so DOT's tables point at ours: our first migration must run before DOT's
first one (``run_before``) and must not depend on any DOT migration (DOT's
0019 depends on our app through its swappable dependency: a cycle). Without
``run_before`` a full ``migrate`` still works, because DOT's 0019 pulls our
app in, but a partial one such as ``migrate oauth2_provider 0001_initial`` on
a fresh database fails with "Related model 'mm_oauth.application' cannot be
resolved".
"""

import ast
import importlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader

import mm_oauth

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(mm_oauth.__file__).resolve().parent / "migrations"
INITIAL = ("mm_oauth", "0001_initial")
DOT_INITIAL = ("oauth2_provider", "0001_initial")


@pytest.mark.django_db
def test_models_and_migrations_agree():
    # Exits (SystemExit) when a model change has no migration.
    call_command("makemigrations", "mm_oauth", "--check", "--dry-run", verbosity=0)


def test_initial_migration_runs_before_dot_and_depends_on_no_dot_migration():
    migration = importlib.import_module("mm_oauth.migrations.0001_initial").Migration
    assert DOT_INITIAL in migration.run_before
    assert not [dep for dep in migration.dependencies if dep[0] == "oauth2_provider"]


def test_migration_graph_puts_mm_oauth_first():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    assert INITIAL in graph.forwards_plan(DOT_INITIAL)
    assert not [node for node in graph.forwards_plan(INITIAL) if node[0] == "oauth2_provider"]


SWAPPABLE_SETTING = re.compile(r"OAUTH2_PROVIDER_\w+_MODEL")


def names_in_code(source):
    """Return the identifiers, attribute names and whole-string constants of a module's code (comments excluded)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


@pytest.mark.parametrize("path", sorted(MIGRATIONS_DIR.glob("[0-9]*.py")), ids=lambda p: p.name)
def test_migrations_never_name_dot_swappable_settings(path):
    """``makemigrations`` writes ``settings.OAUTH2_PROVIDER_APPLICATION_MODEL``; hosts without it crash (DOT #240).

    Migrations must use ``oauth2_settings.APPLICATION_MODEL`` (and friends) instead.
    """
    named = sorted(
        {name for name in names_in_code(path.read_text(encoding="utf-8")) if SWAPPABLE_SETTING.fullmatch(name)}
    )
    assert not named, f"{path.name} names {named}; use oauth2_settings.<NAME>_MODEL"


def test_swappable_setting_check_sees_what_makemigrations_writes():
    written = "dependencies = [migrations.swappable_dependency(settings.OAUTH2_PROVIDER_APPLICATION_MODEL)]"
    assert "OAUTH2_PROVIDER_APPLICATION_MODEL" in set(names_in_code(written))
    assert not set(names_in_code("# OAUTH2_PROVIDER_APPLICATION_MODEL in a comment is fine"))


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_partial_migrate_of_oauth2_provider_on_a_fresh_database(tmp_path):
    """``migrate oauth2_provider 0001_initial`` alone creates our table first, and DOT's tokens point at it.

    DOT's own dependency on our app arrives only in its 0019: without ``run_before`` this partial
    migrate fails with "Related model 'mm_oauth.application' cannot be resolved".
    """
    database = tmp_path / "partial.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "MM_OAUTH_VAR_DIR": str(tmp_path / "var"),
    }
    result = run_manage("migrate", "oauth2_provider", "0001_initial", "--no-input", env=env)
    assert result.returncode == 0, f"migrate oauth2_provider 0001_initial failed:\n{result.stdout}\n{result.stderr}"
    assert "Applying mm_oauth.0001_initial... OK" in result.stdout

    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        foreign_keys = connection.execute("PRAGMA foreign_key_list(oauth2_provider_accesstoken)").fetchall()
    connection.close()
    assert {"mm_oauth_application", "oauth2_provider_accesstoken", "oauth2_provider_grant"} <= tables
    # PRAGMA foreign_key_list rows: (id, seq, table, from, to, ...)
    assert ("mm_oauth_application", "application_id") in {(row[2], row[3]) for row in foreign_keys}

    # The rest of the way from there.
    result = run_manage("migrate", "--no-input", env=env)
    assert result.returncode == 0, f"migrate after the partial migrate failed:\n{result.stdout}\n{result.stderr}"
