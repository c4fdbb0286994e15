"""``manage.py demo`` seeds every feature's story: bob, the Acme organization, a trusted app, where to look."""

import pytest
from django.contrib.auth import get_user_model
from oauth2_provider.models import get_application_model

from example_project.site.management.commands.demo import ORG_SLUG, TRUSTED_APP_NAME
from example_project.site.models import Project
from mm_oauth.models import Membership, Organization
from tests.e2e.test_sample_client import run_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(tmp_path):
    """Run the demo twice, as a newcomer who runs ``make demo`` again would; return both outputs."""
    return run_demo(var_dir=tmp_path), run_demo(var_dir=tmp_path)


def test_bob_is_created_once_and_his_password_printed_the_first_time(seeded):
    first, second = seeded
    bob = get_user_model().objects.get(username="bob")
    printed = next(line for line in first.splitlines() if line.strip().startswith("bob ") and "shown only now" in line)
    assert bob.check_password(printed.split("password ")[1].split()[0])
    assert not bob.is_staff and not bob.is_superuser
    assert "bob / " in first  # the banner's user list
    assert "shown only now" not in second
    assert get_user_model().objects.filter(username="bob").count() == 1


def test_acme_is_owned_by_alice_with_bob_a_member_and_restrictions_on(seeded):
    org = Organization.objects.get(slug=ORG_SLUG)
    roles = dict(Membership.objects.filter(organization=org).values_list("user__username", "role"))
    assert roles == {"alice": "owner", "bob": "member"}
    assert org.restrict_third_party_apps
    assert Organization.objects.count() == 1


def test_acme_has_one_private_and_one_public_project(seeded):
    projects = Project.objects.filter(organization__slug=ORG_SLUG)
    assert sorted(projects.values_list("private", flat=True)) == [False, True]


def test_the_trusted_app_is_registered_once_and_trusted(seeded):
    apps = get_application_model().objects.filter(name=TRUSTED_APP_NAME)
    assert apps.count() == 1
    app = apps.get()
    assert app.is_trusted and app.skip_authorization
    assert app.callback_urls == ["http://127.0.0.1:8000/board/"]  # a page of the site itself


def test_the_trusted_app_follows_the_site_port(tmp_path):
    run_demo(var_dir=tmp_path)
    run_demo("--site-port", "9000", "--client-port", "9001", var_dir=tmp_path)
    app = get_application_model().objects.get(name=TRUSTED_APP_NAME)
    assert (app.homepage, app.callback_urls) == ("http://127.0.0.1:9000/", ["http://127.0.0.1:9000/board/"])


def test_the_banner_says_where_to_look(seeded):
    first, _second = seeded
    banner = first.split("Where to look:")[1]
    for url in (
        "http://127.0.0.1:8001/",
        "http://127.0.0.1:8000/account/security/oauth-apps/",
        "http://127.0.0.1:8000/integrations/oauth2-apps/",
        "http://127.0.0.1:8000/organizations/",
        f"http://127.0.0.1:8000/organizations/{ORG_SLUG}/",
        "http://127.0.0.1:8000/oauth/authorize?response_type=code&client_id=",
        "http://127.0.0.1:8000/admin/mm_oauth/providersettings/",
    ):
        assert url in banner, url


def test_the_trusted_sign_in_link_skips_consent(seeded, client):
    first, _second = seeded
    alice = get_user_model().objects.get(username="alice")
    client.force_login(alice)
    url = next(word for word in first.split() if "/oauth/authorize?" in word)
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:8000/board/?code=")
