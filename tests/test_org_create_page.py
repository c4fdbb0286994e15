"""Organizations > New organization: the page that makes one, with you as its first owner."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from mm_oauth.models import AuditEvent, Membership, Organization

pytestmark = pytest.mark.django_db
NEW = "/organizations/new/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_list_offers_a_new_organization_button(outsider):
    page = signed_in(outsider).get("/organizations/")
    assert f'href="{NEW}"' in page.content.decode()


def test_sign_in_is_required(snapshot):
    before = snapshot()
    response = Client().post(NEW, {"name": "Acme"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert snapshot() == before


def test_creating_makes_you_the_owner_with_restrictions_on_and_is_audited(outsider):
    client = signed_in(outsider)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, {"name": "Acme Research", "slug": ""})
    assert response.status_code == 302
    assert response["Location"] == "/organizations/acme-research/settings/third-party-access/"
    org = Organization.objects.get()
    assert (org.name, org.slug, org.restrict_third_party_apps) == ("Acme Research", "acme-research", True)
    assert Membership.objects.get(organization=org).user == outsider
    assert Membership.objects.get(organization=org).role == Membership.Role.OWNER
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ORG_CREATED, actor=outsider).count() == 1
    followed = client.get(response["Location"])
    assert followed.status_code == 200
    assert [str(m) for m in get_messages(followed.wsgi_request)] == ["Created Acme Research. You are its owner."]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "slug": "acme"}, "name", "This field is required."),
        ({"name": "x" * 101, "slug": "acme"}, "name", "Ensure this value has at most 100 characters"),
        ({"name": "Acme", "slug": "not a slug"}, "slug", "Enter a valid “slug”"),
        ({"name": "Акме", "slug": ""}, "slug", "The name gives no slug"),
        ({"name": "Acme", "slug": "acme"}, "slug", "Organization with this Slug already exists."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(org, outsider, snapshot, data, field, message):
    before = snapshot()
    response = signed_in(outsider).post(NEW, data)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert snapshot() == before


def test_the_post_needs_the_csrf_token(outsider, snapshot):
    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)
    before = snapshot()
    assert client.post(NEW, {"name": "Acme"}).status_code == 403
    assert snapshot() == before
