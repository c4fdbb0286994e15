"""The client secret hasher: salted SHA-256 through Django's password hashing API."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

from mm_oauth.hashers import ClientSecretHasher

SECRET = "s" * 64 + "ecret" * 10


def test_round_trip_through_djangos_api():
    encoded = make_password(SECRET, hasher="mm_oauth_sha256")
    assert encoded.startswith("mm_oauth_sha256$")
    assert SECRET not in encoded
    assert isinstance(identify_hasher(encoded), ClientSecretHasher)
    assert check_password(SECRET, encoded) is True
    assert check_password(SECRET + "x", encoded) is False
    assert check_password("", encoded) is False


def test_each_hash_is_salted():
    assert make_password(SECRET, hasher="mm_oauth_sha256") != make_password(SECRET, hasher="mm_oauth_sha256")


def test_summary_masks_salt_and_hash():
    encoded = make_password(SECRET, hasher="mm_oauth_sha256")
    summary = ClientSecretHasher().safe_summary(encoded)
    _algorithm, salt, digest = encoded.split("$")
    assert salt not in str(summary) and digest not in str(summary)


def test_people_passwords_keep_the_slow_hasher(db, django_user_model):
    # The first PASSWORD_HASHERS entry hashes passwords; ours is listed after it.
    user = django_user_model.objects.create_user("bob", password="pw-123456")
    assert not user.password.startswith("mm_oauth_sha256$")


@pytest.mark.django_db
def test_registered_secret_verifies_and_is_never_stored_in_plain(make_app):
    app = make_app()
    app.refresh_from_db()
    assert len(app.plain_secret) >= 64
    assert app.client_secret.startswith("mm_oauth_sha256$")
    assert check_password(app.plain_secret, app.client_secret)
