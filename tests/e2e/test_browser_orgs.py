"""Organization restrictions end to end: a real Chromium (Playwright) for the people, real HTTP for the app.

A member authorizes a third-party app and asks for it from the consent page;
the app's bearer token, obtained through the real authorization code flow with
PKCE, cannot see the organization's private project; the owner, in another
browser context, approves the app on the third-party access page and the same
token sees the project at once; the owner denies it and the project is hidden
again, while the token keeps working elsewhere.

Screenshots of the consent page and the owners' page go to /tmp for a person to
look at (``MM_OAUTH_SCREENSHOTS`` names another directory).
"""

import pytest
import requests
from django.core import mail
from playwright.sync_api import expect
from requests_oauthlib import OAuth2Session

from example_project.site.models import Project
from mm_oauth.models import AppAccess
from mm_oauth.services import organizations as orgs
from tests.conftest import PASSWORD
from tests.e2e.browser import LOOPBACK_CALLBACK
from tests.e2e.playwright_fixtures import SCREENSHOTS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CALLBACK = LOOPBACK_CALLBACK  # never contacted: the browser's request is answered by the test


@pytest.fixture(autouse=True)
def _insecure_transport_for_localhost(monkeypatch):
    # oauthlib refuses http:// unless told this is a local test server.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def world(transactional_db, make_user, make_app):
    """Acme (restricted) with owner olivia, member bob, a private and a public project; the app Zapier."""
    from mm_oauth.services import provider_settings

    provider_settings.update_provider_settings(enable_provider=True)
    owner, member = make_user("olivia"), make_user("bob")
    org = orgs.create_organization(actor=owner, name="Acme", slug="acme")
    orgs.add_member(actor=owner, org=org, user_id=member.pk, role="member")
    Project.objects.create(organization=org, name="Secret plans", private=True)
    Project.objects.create(organization=org, name="Open roadmap", private=False)
    app = make_app(name="Zapier", description="Connects your apps", callback_urls=[CALLBACK])
    return {"org": org, "owner": owner, "member": member, "app": app}


def sign_in(page, live_server, username, next_url):
    page.goto(f"{live_server.url}/login/?next={requests.utils.quote(next_url, safe='')}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def project_names(live_server, token):
    response = requests.get(
        f"{live_server.url}/api/v4/organizations/acme/projects",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {project["name"] for project in response.json()}


def test_member_requests_owner_approves_then_denies_and_the_token_follows(chromium, live_server, world):
    app = world["app"]
    oauth = OAuth2Session(app.client_id, redirect_uri=CALLBACK, scope=["read", "write"], pkce="S256")
    authorization_url, _state = oauth.authorization_url(f"{live_server.url}/oauth/authorize")

    # The member signs in on the way to the consent page.
    member_context = chromium.new_context(viewport={"width": 1100, "height": 900})
    member_context.route(f"{CALLBACK}**", lambda route: route.fulfill(status=200, body="back at the app"))
    page = member_context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "bob", authorization_url.removeprefix(live_server.url))
    expect(page.get_by_role("heading", name="Zapier would like to connect to your account")).to_be_visible()
    acme = page.locator('.mm-oauth-org-access-row[data-org="acme"]')
    expect(acme).to_contain_text("Acme")
    expect(acme.get_by_role("button", name="Grant")).to_have_count(0)  # bob is no owner

    # Request access from the consent page: the owner is emailed, the page comes back.
    acme.get_by_role("button", name="Request").click()
    expect(page.get_by_text("Asked the owners of Acme to approve Zapier.")).to_be_visible()
    expect(acme).to_contain_text("Request pending")
    expect(acme.get_by_role("button", name="Request")).to_have_count(0)
    assert [message.to for message in mail.outbox] == [["olivia@example.com"]]
    page.screenshot(path=SCREENSHOTS / "mm_oauth_consent_org_access.png", full_page=True)

    # Allow: the app gets its code and, over real HTTP, its tokens.
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{CALLBACK}?**")
    token = oauth.fetch_token(
        f"{live_server.url}/oauth/access_token",
        authorization_response=page.url,
        client_secret=app.plain_secret,
        include_client_id=True,
    )
    assert project_names(live_server, token) == {"Open roadmap"}  # restricted: public only

    # The owner, in another browser context, approves on the third-party access page.
    owner_context = chromium.new_context(viewport={"width": 1100, "height": 900})
    owner_page = owner_context.new_page()
    owner_page.set_default_timeout(10_000)
    sign_in(owner_page, live_server, "olivia", "/organizations/acme/settings/third-party-access/")
    expect(owner_page.get_by_role("heading", name="Third-party application access")).to_be_visible()
    pending = owner_page.locator('[data-group="requested"] .mm-oauth-access', has_text="Zapier")
    expect(pending).to_contain_text("Requested by bob on")
    owner_page.screenshot(path=SCREENSHOTS / "mm_oauth_org_third_party_access.png", full_page=True)
    pending.get_by_role("button", name="Approve").click()
    expect(owner_page.get_by_text("Approved Zapier for Acme")).to_be_visible()
    approved = owner_page.locator('[data-group="approved"] .mm-oauth-access', has_text="Zapier")
    expect(approved).to_contain_text("Approved by olivia on")
    assert mail.outbox[-1].to == ["bob@example.com"]  # the requester is told

    # The same token, not re-issued, now sees the private project.
    assert project_names(live_server, token) == {"Open roadmap", "Secret plans"}

    # The owner revokes it: hidden again at the next request; the token itself still works.
    approved.get_by_role("button", name="Revoke").click()
    expect(owner_page.get_by_text("Denied Zapier")).to_be_visible()
    expect(owner_page.locator('[data-group="denied"] .mm-oauth-access', has_text="Zapier")).to_be_visible()
    assert project_names(live_server, token) == {"Open roadmap"}
    me = requests.get(
        f"{live_server.url}/api/v4/users/me", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10
    )
    assert me.status_code == 200 and me.json()["username"] == "bob"
    assert AppAccess.objects.get().state == AppAccess.State.DENIED

    owner_context.close()
    member_context.close()


def test_owner_turns_restrictions_off_through_the_confirmation(chromium, live_server, world):
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "olivia", "/organizations/")
    page.get_by_role("link", name="Third-party application access").click()
    expect(page.get_by_text("Restrictions are on.")).to_be_visible()
    page.get_by_role("link", name="Remove restrictions").click()
    expect(page.get_by_text("Every application any member of Acme authorized will reach")).to_be_visible()
    page.get_by_role("button", name="Remove restrictions").click()
    expect(page.get_by_text("Restrictions are off.")).to_be_visible()
    world["org"].refresh_from_db()
    assert world["org"].restrict_third_party_apps is False
    context.close()
