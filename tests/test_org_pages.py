"""The organization pages, the consent page's "Organization access" section and the organization admin (F9)."""

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from mm_oauth.models import AppAccess, AuditEvent
from mm_oauth.services import organizations as orgs
from mm_oauth.services.authorizations import record_authorization
from mm_oauth.services.provider_settings import update_provider_settings
from tests.oauth_helpers import authorize

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]
State = AppAccess.State
AUTHORIZED_URL = "/account/security/oauth-apps/"


class CommittingClient(Client):
    """A test client whose requests end as they would outside the test's transaction: their on-commit work runs."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):  # the notices go out after the commit
            return super().request(**request)


def signed_in(user, **kwargs):
    client = CommittingClient(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def settings_page(slug="acme"):
    return f"/organizations/{slug}/settings/third-party-access/"


def authorize_url(app):
    return "/oauth/authorize?" + "&".join(
        [f"response_type=code&client_id={app.client_id}", "redirect_uri=https%3A%2F%2Fz.example.com%2Fcb", "state=s1"]
    )


# --- Who may do what, on every page and every POST ------------------------------

# (method, path template); {slug} and {client_id} are filled in.
PAGES = {
    "index": ("get", "/organizations/"),
    "settings": ("get", "/organizations/{slug}/settings/third-party-access/"),
    "confirm_off": ("get", "/organizations/{slug}/settings/third-party-access/restrictions/off/"),
    "turn_off": ("post", "/organizations/{slug}/settings/third-party-access/restrictions/off/"),
    "approve": ("post", "/organizations/{slug}/settings/third-party-access/{client_id}/approve/"),
    "deny": ("post", "/organizations/{slug}/settings/third-party-access/{client_id}/deny/"),
    "request": ("post", "/organizations/{slug}/third-party-access/{client_id}/request/"),
    "grant": ("post", "/organizations/{slug}/third-party-access/{client_id}/grant/"),
}
OWNER = {
    "index": 200,
    "settings": 200,
    "confirm_off": 200,
    "turn_off": 302,
    "approve": 302,
    "deny": 302,
    "request": 302,
    "grant": 302,
}
MEMBER = {**dict.fromkeys(PAGES, 403), "index": 200, "request": 302}
OUTSIDER = {**dict.fromkeys(PAGES, 404), "index": 200}
ANONYMOUS = dict.fromkeys(PAGES, "login")
MATRIX = {"owner": OWNER, "member": MEMBER, "outsider": OUTSIDER, "anonymous": ANONYMOUS}


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("page", list(PAGES))
def test_permission_matrix(page, role, org, owner, member, outsider, app, snapshot):
    actor = {"owner": owner, "member": member, "outsider": outsider, "anonymous": None}[role]
    method, template = PAGES[page]
    path = template.format(slug=org.slug, client_id=app.client_id)
    before = snapshot()
    response = getattr(signed_in(actor), method)(path)

    expected = MATRIX[role][page]
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == expected, response.content[:300]
    if expected in (403, 404, "login"):
        assert snapshot() == before, "a refused request changed something"
    if expected == 403:
        page_text = response.content.decode()
        assert "Only owners can do this" in page_text
        assert "Only the organization&#x27;s owners may do this." in page_text


@pytest.mark.parametrize("page", [name for name, (method, _) in PAGES.items() if method == "post"])
def test_every_post_needs_the_csrf_token(page, org, owner, app, snapshot):
    path = PAGES[page][1].format(slug=org.slug, client_id=app.client_id)
    before = snapshot()
    response = signed_in(owner, enforce_csrf_checks=True).post(path)
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("page", ["approve", "deny", "request", "grant", "turn_off"])
def test_decisions_are_posts_only(page, org, owner, app, snapshot):
    path = PAGES[page][1].format(slug=org.slug, client_id=app.client_id)
    before = snapshot()
    response = signed_in(owner).get(path)
    assert response.status_code == (405 if page != "turn_off" else 200)  # turn_off's GET is the confirmation
    assert snapshot() == before


def test_an_unknown_client_id_is_a_404(org, owner):
    response = signed_in(owner).post(f"{settings_page()}no-such-app/approve/")
    assert response.status_code == 404
    assert not AppAccess.objects.exists()


def test_an_unknown_organization_is_a_404(owner):
    assert signed_in(owner).get(settings_page("nope")).status_code == 404


def test_the_pages_work_while_the_provider_is_switched_off(org, owner, app):
    update_provider_settings(enable_provider=False)
    assert signed_in(owner).get(settings_page()).status_code == 200
    assert signed_in(owner).post(f"{settings_page()}{app.client_id}/deny/").status_code == 302


# --- The organizations index ----------------------------------------------------------


def test_index_lists_my_organizations_with_my_role_and_the_owners_link(org, owner, member, outsider):
    orgs.create_organization(actor=outsider, name="Elsewhere", slug="elsewhere")
    as_member = signed_in(member).get("/organizations/").content.decode()
    assert "Acme" in as_member and "Member" in as_member and "Elsewhere" not in as_member
    assert settings_page() not in as_member
    as_owner = signed_in(owner).get(reverse("mm_oauth:organizations")).content.decode()
    assert "Owner" in as_owner and settings_page() in as_owner
    as_outsider = signed_in(outsider).get("/organizations/").content.decode()
    assert "Elsewhere" in as_outsider and "Acme" not in as_outsider


def test_index_empty_state(make_user):
    page = signed_in(make_user("nobody")).get("/organizations/").content.decode()
    assert "You do not belong to any organization." in page


def test_the_example_site_links_to_the_organizations(member):
    assert 'href="/organizations/"' in signed_in(member).get("/account/").content.decode()


# --- The third-party access page ------------------------------------------------------


def test_pending_first_then_approved_then_denied_each_with_who_when_and_the_undoing_button(
    org, owner, member, make_app
):
    approved, pending, denied = make_app(name="Approved App"), make_app(name="Pending App"), make_app(name="Denied App")
    orgs.request_access(actor=member, org=org, app=approved)
    orgs.approve(actor=owner, org=org, app=approved)
    orgs.deny(actor=owner, org=org, app=denied)
    orgs.request_access(actor=member, org=org, app=pending)

    page = signed_in(owner).get(settings_page()).content.decode()
    assert page.index("Pending App") < page.index("Approved App") < page.index("Denied App")
    assert "Requested by bob on" in page and "Approved by olivia on" in page and "Denied by olivia on" in page

    def buttons(app):
        item = re.search(rf'<li [^>]*data-client-id="{app.client_id}".*?</li>', page, re.S).group(0)
        return set(re.findall(r"/(approve|deny)/", item))

    assert buttons(pending) == {"approve", "deny"}
    assert buttons(approved) == {"deny"}
    assert buttons(denied) == {"approve"}


def test_approve_then_deny_from_the_page_with_success_messages(org, owner, member, app):
    orgs.request_access(actor=member, org=org, app=app)
    mail.outbox.clear()
    client = signed_in(owner)
    response = client.post(f"{settings_page()}{app.client_id}/approve/", follow=True)
    assert response.redirect_chain == [(settings_page(), 302)]
    assert "Approved Zapier for Acme" in response.content.decode()
    assert orgs.access_state(org, app) == State.APPROVED
    assert mail.outbox[-1].to == ["bob@example.com"]  # the requester is told

    response = client.post(f"{settings_page()}{app.client_id}/deny/", follow=True)
    assert "Denied Zapier" in response.content.decode()
    assert orgs.access_state(org, app) == State.DENIED
    assert AuditEvent.objects.filter(action="org.oauth_app_access_denied", actor=owner).exists()


def test_denying_an_app_the_organization_owns_is_an_error_message(org, owner, app):
    app.organization = org
    app.save()
    response = signed_in(owner).post(f"{settings_page()}{app.client_id}/deny/", follow=True)
    assert "always approved" in response.content.decode()
    assert not AppAccess.objects.exists()


def test_an_app_the_organization_owns_is_listed_approved_without_a_deny_button(org, owner, app):
    app.organization = org
    app.save()
    page = signed_in(owner).get(settings_page()).content.decode()
    row = re.search(
        rf'<li class="mm-oauth-app-item mm-oauth-access" data-client-id="{app.client_id}"(.*?)</li>', page, re.S
    )
    assert row and 'data-state="approved"' in row.group(0)
    assert "Owned by this organization, so always approved." in row.group(1)
    assert "/deny/" not in row.group(1) and "/approve/" not in row.group(1)


def test_empty_state(org, owner):
    assert "No application has been requested" in signed_in(owner).get(settings_page()).content.decode()


# --- The restriction toggle, through a confirmation page -------------------------------


def test_turning_restrictions_off_asks_first_explaining_the_effect(org, owner):
    client = signed_in(owner)
    page = client.get(settings_page()).content.decode()
    assert "Restrictions are on." in page
    off_url = f"{settings_page()}restrictions/off/"
    assert off_url in page

    confirm = client.get(off_url)
    text = html.unescape(confirm.content.decode())
    assert "Every application any member of Acme authorized will reach Acme's private data" in text
    assert 'method="post"' in text and "csrfmiddlewaretoken" in text
    org.refresh_from_db()
    assert org.restrict_third_party_apps is True  # nothing changes before the POST

    response = client.post(off_url, follow=True)
    assert response.redirect_chain == [(settings_page(), 302)]
    assert "Third-party application restrictions are off" in response.content.decode()
    assert "Restrictions are off." in response.content.decode()
    org.refresh_from_db()
    assert org.restrict_third_party_apps is False


def test_turning_restrictions_on_again_says_which_approvals_come_back(org, owner, make_app):
    approved = make_app(name="Kept App")
    orgs.approve(actor=owner, org=org, app=approved)
    orgs.set_restrictions(actor=owner, org=org, restricted=False)
    client = signed_in(owner)
    on_url = f"{settings_page()}restrictions/on/"
    confirm = html.unescape(client.get(on_url).content.decode())
    assert "Only applications an owner approved will reach Acme's private resources" in confirm
    assert "The application approved earlier keeps its access" in confirm and "Kept App" in confirm

    client.post(on_url)
    org.refresh_from_db()
    assert org.restrict_third_party_apps is True
    assert orgs.access_state(org, approved) == State.APPROVED
    assert AuditEvent.objects.filter(action="org.oauth_app_restrictions_enabled").count() == 1


def test_the_confirmation_for_the_current_state_goes_back_to_the_settings(org, owner):
    response = signed_in(owner).get(f"{settings_page()}restrictions/on/")  # already on
    assert response.status_code == 302 and response["Location"] == settings_page()


# --- The consent page's "Organization access" section -----------------------------------


@pytest.fixture
def three_orgs(owner, member, make_user):
    """bob owns Bobs, is a member of Acme (restricted) and of Open (unrestricted)."""
    bobs = orgs.create_organization(actor=member, name="Bobs", slug="bobs")
    other = make_user("oscar")
    open_org = orgs.create_organization(actor=other, name="Open", slug="open")
    orgs.add_member(actor=other, org=open_org, user_id=member.pk, role="member")
    orgs.set_restrictions(actor=other, org=open_org, restricted=False)
    return bobs, open_org


def section(page, slug):
    match = re.search(
        rf'<li class="mm-oauth-org-access-row[^"]*" data-org="{slug}" data-status="(\w+)">(.*?)</li>', page, re.S
    )
    assert match, f"no row for {slug}"
    status, row = match.groups()
    return {
        "status": status,
        "grant": "/grant/" in row and ">Grant</button>" in row,
        "request": "/request/" in row and ">Request</button>" in row,
        "text": row,
    }


def test_consent_page_shows_each_organization_with_the_button_for_my_role(member, three_orgs, app):
    page = signed_in(member).get(authorize_url(app)).content.decode()
    assert "Organization access" in page
    assert section(page, "acme") == {**section(page, "acme"), "status": "none", "grant": False, "request": True}
    assert section(page, "bobs") == {**section(page, "bobs"), "status": "none", "grant": True, "request": False}
    assert section(page, "open") == {**section(page, "open"), "status": "granted", "grant": False, "request": False}
    assert "Access granted" in section(page, "open")["text"]
    # The consent form itself is untouched: Allow and Deny post to the authorize endpoint.
    assert 'value="Authorize"' in page and 'action="/oauth/authorize"' in page


@pytest.mark.parametrize(
    "state, status, label, member_may_request",
    [
        (State.REQUESTED, "requested", "Request pending", False),
        (State.APPROVED, "granted", "Access granted", False),
        (State.DENIED, "denied", "Denied", True),
    ],
)
def test_consent_page_renders_each_state(state, status, label, member_may_request, org, owner, member, app):
    if state == State.REQUESTED:
        orgs.request_access(actor=member, org=org, app=app)
    elif state == State.APPROVED:
        orgs.approve(actor=owner, org=org, app=app)
    else:
        orgs.deny(actor=owner, org=org, app=app)
    as_member = section(signed_in(member).get(authorize_url(app)).content.decode(), "acme")
    assert as_member["status"] == status and label in as_member["text"]
    assert as_member["request"] is member_may_request and not as_member["grant"]
    as_owner = section(signed_in(owner).get(authorize_url(app)).content.decode(), "acme")
    assert as_owner["grant"] is (state != State.APPROVED) and not as_owner["request"]


def test_no_section_without_organizations(make_user, app):
    page = signed_in(make_user("loner")).get(authorize_url(app)).content.decode()
    assert "Organization access" not in page


def test_request_from_the_consent_page_emails_the_owners_and_comes_back(org, owner, member, app):
    client = signed_in(member)
    consent = authorize_url(app)
    page = client.get(consent).content.decode()
    action = re.search(r'action="(/organizations/acme/third-party-access/[^"]+/request/)"', page).group(1)
    next_value = re.search(rf'action="{re.escape(action)}".*?name="next" value="([^"]+)"', page, re.S).group(1)
    assert next_value.replace("&amp;", "&") == consent

    response = client.post(action, {"next": consent})
    assert response.status_code == 302 and response["Location"] == consent
    assert orgs.access_state(org, app) == State.REQUESTED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["olivia@example.com"]
    assert "/organizations/acme/settings/third-party-access/" in mail.outbox[0].body

    back = client.get(consent)
    assert "Asked the owners of Acme to approve Zapier" in back.content.decode()
    assert section(back.content.decode(), "acme")["status"] == "requested"
    # The consent decision still works exactly as before.
    assert authorize(client, app, redirect_uri="https://z.example.com/cb")["code"]


def test_grant_from_the_consent_page_approves_and_comes_back(org, owner, app):
    consent = authorize_url(app)
    response = signed_in(owner).post(
        f"/organizations/acme/third-party-access/{app.client_id}/grant/", {"next": consent}
    )
    assert response.status_code == 302 and response["Location"] == consent
    assert orgs.access_state(org, app) == State.APPROVED


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.net/",
        "//evil.example.net/",
        "http://testserver.evil.example.net/",
        "javascript:alert(1)",
        "https:///evil.example.net/",
        "",
    ],
)
@pytest.mark.parametrize("endpoint", ["request", "grant"])
def test_next_never_leaves_the_site(endpoint, target, org, owner, app):
    response = signed_in(owner).post(
        f"/organizations/acme/third-party-access/{app.client_id}/{endpoint}/", {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == AUTHORIZED_URL


def test_next_is_followed_for_this_sites_absolute_urls(org, member, app):
    target = "http://testserver/account/security/oauth-apps/?x=1"
    response = signed_in(member).post(
        f"/organizations/acme/third-party-access/{app.client_id}/request/", {"next": target}
    )
    assert response["Location"] == target


def test_https_sites_refuse_an_http_next(org, member, app):
    response = signed_in(member).post(
        f"/organizations/acme/third-party-access/{app.client_id}/request/",
        {"next": "http://testserver/account/"},
        secure=True,
    )
    assert response["Location"] == AUTHORIZED_URL


def test_the_consent_page_is_unchanged_for_the_protocol(member, three_orgs, app):
    authorize(signed_in(member), app, redirect_uri="https://z.example.com/cb", allow=False)
    query = authorize(signed_in(member), app, redirect_uri="https://z.example.com/cb")
    assert query["code"] and query["state"] == "xyz"


# --- The authorized-apps page's Request buttons ----------------------------------------


def test_authorized_apps_page_has_the_request_buttons(org, owner, member, app):
    record_authorization(member, app, ["read"])
    client = signed_in(member)
    page = client.get(AUTHORIZED_URL).content.decode()
    row = section(page, "acme")
    assert row["request"] and row["status"] == "none"

    response = client.post(f"/organizations/acme/third-party-access/{app.client_id}/request/", {"next": AUTHORIZED_URL})
    assert response["Location"] == AUTHORIZED_URL
    assert section(client.get(AUTHORIZED_URL).content.decode(), "acme")["status"] == "requested"
    assert len(mail.outbox) == 1


def test_authorized_apps_page_gives_owners_the_grant_button(org, owner, app):
    record_authorization(owner, app, ["read"])
    assert section(signed_in(owner).get(AUTHORIZED_URL).content.decode(), "acme")["grant"]


def test_authorized_apps_page_runs_a_constant_number_of_queries(org, owner, make_app):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count):
        for number in range(count):
            app = make_app(name=f"App {number}")
            record_authorization(owner, app, ["read"])
            orgs.request_access(actor=owner, org=org, app=app)
        client = signed_in(owner)
        client.get(AUTHORIZED_URL)  # warm: the provider settings, the session
        with CaptureQueriesContext(connection) as captured:
            page = client.get(AUTHORIZED_URL)
        assert page.content.decode().count('data-org="acme"') == len(orgs.access_list(org))
        return len(captured)

    assert queries_for(1) == queries_for(20)


# --- The organization admin --------------------------------------------------------------


def admin_form_data(page):
    """Return the admin change form's data as a browser would post it unchanged."""
    forms = [page.context["adminform"].form]
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


def test_admin_lists_members_and_access_read_only(client, superuser, org, owner, member, app):
    orgs.request_access(actor=member, org=org, app=app)
    client.force_login(superuser)
    assert "Acme" in client.get("/admin/mm_oauth/organization/").content.decode()
    page = client.get(f"/admin/mm_oauth/organization/{org.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200 and "bob" in html and "olivia" in html and "Zapier" in html
    # Owners decide on their own page; the admin shows the history but cannot rewrite it.
    assert 'name="app_access-0-state"' not in html and 'name="app_access-0-decided_at"' not in html


def test_admin_restriction_changes_go_through_the_service(client, superuser, org, member, app):
    from mm_oauth import signals

    received = []

    def receiver(**kwargs):
        received.append(kwargs["restricted"])

    signals.org_restrictions_changed.connect(receiver)
    try:
        client.force_login(superuser)
        page = client.get(f"/admin/mm_oauth/organization/{org.pk}/change/")
        data = admin_form_data(page)
        data["restrict_third_party_apps"] = ""
        response = client.post(f"/admin/mm_oauth/organization/{org.pk}/change/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
    finally:
        signals.org_restrictions_changed.disconnect(receiver)
    org.refresh_from_db()
    assert org.restrict_third_party_apps is False
    assert received == [False]
    assert AuditEvent.objects.filter(action="org.oauth_app_restrictions_disabled", actor=superuser).count() == 1


def membership_prefix(page, username):
    """Return the admin inline form prefix of ``username``'s membership row."""
    for inline in page.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if form.instance.pk and form.instance.user.username == username:
                return form.prefix
    raise AssertionError(f"no membership row for {username}")


def test_admin_removes_a_member_and_audits_it(client, superuser, org, owner, member):
    client.force_login(superuser)
    url = f"/admin/mm_oauth/organization/{org.pk}/change/"
    page = client.get(url)
    data = admin_form_data(page)
    data[f"{membership_prefix(page, 'bob')}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [m.user.username for m in orgs.members_of(org)] == ["olivia"]
    event = AuditEvent.objects.get(action="org.member_removed")
    assert event.actor == superuser and event.changes == {"user": "bob", "role": "member", "via": "admin"}


@pytest.mark.parametrize("change", ["delete", "demote"])
def test_admin_cannot_leave_an_organization_without_an_owner(change, client, superuser, org, owner, member):
    client.force_login(superuser)
    url = f"/admin/mm_oauth/organization/{org.pk}/change/"
    page = client.get(url)
    data = admin_form_data(page)
    prefix = membership_prefix(page, "olivia")
    if change == "delete":
        data[f"{prefix}-DELETE"] = "on"
    else:
        data[f"{prefix}-role"] = "member"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "An organization needs at least one owner." in response.content.decode()
    assert [(m.user.username, m.role) for m in orgs.members_of(org)] == [("olivia", "owner"), ("bob", "member")]
    assert not AuditEvent.objects.filter(action__startswith="org.member", actor=superuser).exists()


def test_site_admins_may_act_as_owners_in_the_services(superuser, org, member, app):
    orgs.request_access(actor=member, org=org, app=app)
    assert orgs.approve(actor=superuser, org=org, app=app).state == State.APPROVED


def test_the_last_owner_cannot_step_down(org, owner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        orgs.add_member(actor=owner, org=org, user_id=owner.pk, role="member")
    assert "role" in excinfo.value.message_dict
    assert orgs.membership_of(owner, org).is_owner


def test_a_message_is_shown_on_the_next_page(org, owner, member, app):
    client = signed_in(member)
    response = client.post(f"/organizations/acme/third-party-access/{app.client_id}/request/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Asked the owners of Acme to approve Zapier. You will be told of their decision."
    ]
