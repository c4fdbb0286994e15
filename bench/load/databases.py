"""Drop and create the benchmark's PostgreSQL databases, and name their URLs.

``throwaway`` also gives the end-to-end tests a database of their own.
"""

import secrets
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DATABASE_NAMES = {"mm": "mm_bench_mm", "dot": "mm_bench_dot"}


def url_for(admin_url, name):
    """Return ``admin_url`` with its database name replaced by ``name``."""
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate(admin_url, names):
    """Drop (disconnecting any session) and create each database in ``names``, connected through ``admin_url``."""
    with psycopg.connect(admin_url, autocommit=True) as connection:
        for name in names:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextmanager
def throwaway(server_url, prefix):
    """Create a database named ``<prefix>_<random>`` on the server of ``server_url``; yield its URL; drop it.

    The server is reached through its ``postgres`` database: the one named in
    ``server_url`` may not exist yet (pytest-django creates it later).
    """
    admin_url = url_for(server_url, "postgres")
    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url_for(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def analyze(url):
    """VACUUM ANALYZE the database at ``url``: fresh statistics after the bulk inserts of the fixtures.

    Otherwise autovacuum would wake up during the first runs, and the planner
    would work from the statistics of empty tables.
    """
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def server_version(admin_url):
    """Return the PostgreSQL server's version string (e.g. "15.18")."""
    with psycopg.connect(admin_url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]
