"""The example site switches OpenID Connect on from its environment (example_project.settings.oidc_from_environment)."""

import pytest

from example_project.settings import oidc_from_environment


@pytest.fixture
def keys(tmp_path, rsa_private_key):
    active = tmp_path / "active.pem"
    active.write_text(rsa_private_key)
    old = tmp_path / "old.pem"
    old.write_text(rsa_private_key.replace("\n", "\n", 1))
    return active, old


def test_off_without_a_key_file(tmp_path):
    assert oidc_from_environment({}, tmp_path) == {}


def test_the_environment_names_the_key(tmp_path, keys, rsa_private_key):
    active, _old = keys
    entries = oidc_from_environment({"OIDC_RSA_PRIVATE_KEY_FILE": str(active)}, tmp_path)
    assert entries["OIDC_ENABLED"] is True and entries["OIDC_RSA_PRIVATE_KEY"] == rsa_private_key
    assert entries["OIDC_RSA_PRIVATE_KEYS_INACTIVE"] == []  # the openid scope comes from mm_oauth.scopes


def test_retired_keys_come_from_a_comma_separated_list(tmp_path, keys, rsa_private_key):
    active, old = keys
    environ = {"OIDC_RSA_PRIVATE_KEY_FILE": str(active), "OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES": f"{old}, {active},"}
    assert len(oidc_from_environment(environ, tmp_path)["OIDC_RSA_PRIVATE_KEYS_INACTIVE"]) == 2
    environ["OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES"] = str(tmp_path / "missing.pem")
    with pytest.raises(FileNotFoundError):  # a deployment that names a missing key does not start
        oidc_from_environment(environ, tmp_path)


def test_the_demo_record_is_read_when_the_environment_is_silent(tmp_path, keys, rsa_private_key):
    active, old = keys
    (tmp_path / "demo.env").write_text(f"# written by manage.py demo --oidc\nOIDC_RSA_PRIVATE_KEY_FILE={active}\n")
    assert oidc_from_environment({}, tmp_path)["OIDC_RSA_PRIVATE_KEY"] == rsa_private_key
    other = tmp_path / "other.pem"
    other.write_text("the environment wins")
    assert oidc_from_environment({"OIDC_RSA_PRIVATE_KEY_FILE": str(other)}, tmp_path)["OIDC_RSA_PRIVATE_KEY"] == (
        "the environment wins"
    )
