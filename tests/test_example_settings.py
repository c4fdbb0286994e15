"""The example site's ``DATABASE_URL`` (parsed by dj-database-url) and ``DATABASE_POOL``."""

import pytest

from example_project import settings as example


def test_a_postgres_url_keeps_its_options_and_checks_connections():
    config = example.database_from_url("postgres://mm:p%40ss@db.example.com:5433/mm_oauth?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "mm",
        "p@ss",
        "db.example.com",
        5433,
        "mm_oauth",
    )
    assert config["OPTIONS"] == {"sslmode": "require"}
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True


def test_a_pool_replaces_persistent_connections():
    config = example.database_from_url("postgres://mm@127.0.0.1/mm", pool=example.database_pool("2:8"))
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8}
    assert config["CONN_MAX_AGE"] == 0


def test_a_sqlite_url_queues_concurrent_writers(tmp_path):
    config = example.database_from_url(f"sqlite:///{tmp_path / 'site.sqlite3'}")
    assert config["NAME"] == str(tmp_path / "site.sqlite3")
    assert config["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}


@pytest.mark.parametrize("url", ["mysql://u:p@localhost/db", "nosuch://x/y"])
def test_other_databases_are_refused_by_name(url):
    with pytest.raises(ValueError, match=r"^DATABASE_URL: .*postgres://"):
        example.database_from_url(url)


@pytest.mark.parametrize("value", ["2", "8:2", "0:4", "many"])
def test_a_bad_pool_size_is_refused_with_the_rule(value):
    with pytest.raises(ValueError, match="DATABASE_POOL: expected 'on' or 'min:max'"):
        example.database_pool(value)


def test_prepared_statements_bind_on_the_server_and_prepare_repeated_queries():
    config = example.database_from_url("postgres://mm@127.0.0.1/mm", prepared_statements=True)
    assert config["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    assert "server_side_binding" not in example.database_from_url("postgres://mm@127.0.0.1/mm").get("OPTIONS", {})


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_switch_is_refused_by_name(value):
    with pytest.raises(ValueError, match="DATABASE_PREPARED_STATEMENTS: expected on or off"):
        example.switch(value, name="DATABASE_PREPARED_STATEMENTS")
