"""Organization third-party application restrictions: the state machine and enforcement."""

import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from example_project.site.models import Project
from mm_oauth.contrib.rest_framework import organizations as org_access
from mm_oauth.models import AppAccess, AuditEvent, Membership
from mm_oauth.services import organizations as orgs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]
State = AppAccess.State


class TestStateMachine:
    def test_new_organizations_restrict_apps_and_the_creator_owns_them(self, org, owner):
        assert org.restrict_third_party_apps is True
        assert orgs.membership_of(owner, org).is_owner

    def test_request_approve_deny_and_approve_again(self, org, owner, member, app):
        access = orgs.request_access(actor=member, org=org, app=app)
        assert access.state == State.REQUESTED and access.requested_by == member
        assert orgs.access_state(org, app) == State.REQUESTED
        orgs.approve(actor=owner, org=org, app=app)
        assert orgs.access_state(org, app) == State.APPROVED
        orgs.deny(actor=owner, org=org, app=app)
        assert orgs.access_state(org, app) == State.DENIED
        orgs.request_access(actor=member, org=org, app=app)  # a denied app may be asked for again
        assert orgs.access_state(org, app) == State.REQUESTED
        orgs.approve(actor=owner, org=org, app=app)
        assert orgs.access_state(org, app) == State.APPROVED
        actions = list(AuditEvent.objects.filter(target_id="acme").values_list("action", flat=True).order_by("pk"))
        assert actions[-5:] == [
            "org.oauth_app_access_requested",
            "org.oauth_app_access_approved",
            "org.oauth_app_access_denied",
            "org.oauth_app_access_requested",
            "org.oauth_app_access_approved",
        ]

    def test_requesting_an_approved_or_pending_app_changes_nothing(
        self, org, owner, member, app, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):  # the notices go out after the commit
            orgs.request_access(actor=member, org=org, app=app)
            orgs.request_access(actor=member, org=org, app=app)
        assert len(mail.outbox) == 1
        orgs.approve(actor=owner, org=org, app=app)
        assert orgs.request_access(actor=member, org=org, app=app).state == State.APPROVED

    def test_only_owners_decide_and_only_members_request(self, org, member, outsider, app):
        with pytest.raises(PermissionDenied):
            orgs.approve(actor=member, org=org, app=app)
        with pytest.raises(PermissionDenied):
            orgs.set_restrictions(actor=member, org=org, restricted=False)
        with pytest.raises(Http404):
            orgs.request_access(actor=outsider, org=org, app=app)
        with pytest.raises(Http404):
            orgs.approve(actor=outsider, org=org, app=app)
        assert not AppAccess.objects.exists()

    def test_an_app_the_organization_owns_is_approved_automatically(self, org, member, app):
        app.organization = org
        app.save()
        assert orgs.access_state(org, app) == State.APPROVED
        assert orgs.request_access(actor=member, org=org, app=app).state == State.APPROVED
        with pytest.raises(ValidationError):
            orgs.deny(actor=org.memberships.get(role="owner").user, org=org, app=app)

    def test_apps_the_organization_owns_are_listed_as_approved(self, org, owner, member, make_app):
        owned, requested, other = make_app(name="Owned"), make_app(name="Asked"), make_app(name="Elsewhere")
        owned.organization = org
        owned.save()
        AppAccess.objects.create(organization=org, application=owned, state=State.DENIED)  # denied before it was owned
        orgs.request_access(actor=member, org=org, app=requested)
        second_owned = make_app(name="Also owned")
        second_owned.organization = org
        second_owned.save()

        rows = orgs.access_list(org)

        listed = [(row.application.name, row.state, row.owned) for row in rows]
        assert listed == [
            ("Asked", State.REQUESTED, False),
            ("Also owned", State.APPROVED, True),
            ("Owned", State.APPROVED, True),
        ]
        assert other.name not in {row.application.name for row in rows}
        assert AppAccess.objects.count() == 2  # listing writes nothing

    def test_owners_remove_members_and_members_leave_and_both_are_audited(self, org, owner, member, make_user):
        carol = make_user("carol")
        orgs.add_member(actor=owner, org=org, user_id=carol.pk, role="member")
        assert [(m.user.username, m.role) for m in orgs.members_of(org)] == [
            ("olivia", "owner"),
            ("bob", "member"),
            ("carol", "member"),
        ]
        orgs.remove_member(actor=owner, org=org, user_id=str(carol.pk))
        orgs.remove_member(actor=member, org=org, user_id=member.pk)  # bob leaves
        assert [m.user.username for m in orgs.members_of(org)] == ["olivia"]
        events = AuditEvent.objects.filter(action="org.member_removed").order_by("pk")
        assert [(e.actor.username, e.changes["user"], e.changes["role"]) for e in events] == [
            ("olivia", "carol", "member"),
            ("bob", "bob", "member"),
        ]

    def test_members_cannot_remove_others_and_outsiders_learn_nothing(self, org, owner, member, outsider):
        with pytest.raises(PermissionDenied):
            orgs.remove_member(actor=member, org=org, user_id=owner.pk)
        with pytest.raises(Http404):
            orgs.remove_member(actor=outsider, org=org, user_id=member.pk)
        with pytest.raises(Http404):
            orgs.remove_member(actor=owner, org=org, user_id=outsider.pk)  # not a member
        with pytest.raises(Http404):
            orgs.remove_member(actor=owner, org=org, user_id="not-an-id")
        assert Membership.objects.filter(organization=org).count() == 2
        assert not AuditEvent.objects.filter(action="org.member_removed").exists()

    def test_the_last_owner_can_neither_leave_nor_be_removed(self, org, owner, member, make_user):
        with pytest.raises(ValidationError) as caught:
            orgs.remove_member(actor=owner, org=org, user_id=owner.pk)
        assert caught.value.message_dict == {"user_id": ["An organization needs at least one owner."]}
        second = make_user("oscar")
        orgs.add_member(actor=owner, org=org, user_id=second.pk, role="owner")
        orgs.remove_member(actor=second, org=org, user_id=owner.pk)  # two owners: one may go
        with pytest.raises(ValidationError):
            orgs.remove_member(actor=second, org=org, user_id=second.pk)
        assert [(m.user.username, m.role) for m in orgs.members_of(org)] == [("oscar", "owner"), ("bob", "member")]

    def test_pending_requests_are_listed_first(self, org, owner, member, make_app):
        first, second, third = make_app(name="A"), make_app(name="B"), make_app(name="C")
        orgs.request_access(actor=member, org=org, app=first)
        orgs.approve(actor=owner, org=org, app=first)
        orgs.request_access(actor=member, org=org, app=second)
        orgs.deny(actor=owner, org=org, app=third)
        assert [row.application.name for row in orgs.access_list(org)] == ["B", "A", "C"]

    def test_turning_restrictions_off_and_on_keeps_earlier_approvals(self, org, owner, app):
        orgs.approve(actor=owner, org=org, app=app)
        orgs.set_restrictions(actor=owner, org=org, restricted=False)
        orgs.set_restrictions(actor=owner, org=org, restricted=True)
        assert orgs.access_state(org, app) == State.APPROVED
        assert AuditEvent.objects.filter(action="org.oauth_app_restrictions_disabled").count() == 1
        assert AuditEvent.objects.filter(action="org.oauth_app_restrictions_enabled").count() == 1

    def test_duplicate_slug_is_a_clear_error(self, org, owner):
        with pytest.raises(ValidationError) as excinfo:
            orgs.create_organization(actor=owner, name="Acme 2", slug="acme")
        assert "slug" in excinfo.value.message_dict


class TestNotifications:
    """The notices go out after the commit: each action runs its on-commit callbacks as a request would."""

    def test_owners_are_emailed_about_a_request(
        self, org, owner, member, app, make_user, django_capture_on_commit_callbacks
    ):
        second_owner = make_user("oscar")
        orgs.add_member(actor=owner, org=org, user_id=second_owner.pk, role="owner")
        with django_capture_on_commit_callbacks(execute=True):
            orgs.request_access(actor=member, org=org, app=app)
        assert len(mail.outbox) == 1
        assert set(mail.outbox[0].to) == {"olivia@example.com", "oscar@example.com"}
        assert "Zapier" in mail.outbox[0].subject and "Acme" in mail.outbox[0].subject
        assert "/organizations/acme/settings/third-party-access/" in mail.outbox[0].body

    @pytest.mark.parametrize("decide, word", [(orgs.approve, "approved"), (orgs.deny, "denied")])
    def test_the_requester_is_told_of_the_decision(
        self, org, owner, member, app, decide, word, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            orgs.request_access(actor=member, org=org, app=app)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            decide(actor=owner, org=org, app=app)
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["bob@example.com"] and word in mail.outbox[0].subject


class TestEnforcement:
    """A resource host's view of it: the example site's projects API, over bearer tokens."""

    @pytest.fixture
    def projects(self, org, owner):
        Project.objects.create(organization=org, name="Secret plans", private=True)
        return Project.objects.create(organization=org, name="Open roadmap", private=False)

    def names(self, headers):
        response = Client().get("/api/v4/organizations/acme/projects", **headers)
        assert response.status_code == 200, response.content
        return {item["name"] for item in response.json()}

    def test_unapproved_app_sees_only_public_resources_read_only(self, member, app, projects, bearer_token):
        headers = bearer_token(member, app)
        assert self.names(headers) == {"Open roadmap"}
        secret = Project.objects.get(private=True)
        assert Client().get(f"/api/v4/organizations/acme/projects/{secret.pk}", **headers).status_code == 404
        public = f"/api/v4/organizations/acme/projects/{projects.pk}"
        assert Client().get(public, **headers).status_code == 200
        change = Client().patch(public, json.dumps({"name": "Hacked"}), content_type="application/json", **headers)
        assert change.status_code == 403
        assert "approve" in change.json()["message"]
        create = Client().post(
            "/api/v4/organizations/acme/projects",
            json.dumps({"name": "New"}),
            content_type="application/json",
            **headers,
        )
        assert create.status_code == 403
        assert Project.objects.count() == 2 and Project.objects.get(pk=projects.pk).name == "Open roadmap"

    def test_approved_app_reaches_what_the_user_may_reach(self, org, owner, member, app, projects, bearer_token):
        headers = bearer_token(member, app)
        orgs.approve(actor=owner, org=org, app=app)
        assert self.names(headers) == {"Open roadmap", "Secret plans"}
        response = Client().post(
            "/api/v4/organizations/acme/projects",
            json.dumps({"name": "New"}),
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 201

    def test_deny_takes_effect_on_the_next_request_and_keeps_the_token(
        self, org, owner, member, app, projects, bearer_token
    ):
        headers = bearer_token(member, app)
        orgs.approve(actor=owner, org=org, app=app)
        assert "Secret plans" in self.names(headers)
        orgs.deny(actor=owner, org=org, app=app)
        assert self.names(headers) == {"Open roadmap"}
        assert Client().get("/api/v4/users/me", **headers).status_code == 200  # the token still works
        orgs.approve(actor=owner, org=org, app=app)
        assert "Secret plans" in self.names(headers)  # no re-authorization needed

    def test_a_removed_member_s_app_loses_the_private_resources_at_once(
        self, org, owner, member, app, projects, bearer_token
    ):
        headers = bearer_token(member, app)
        orgs.approve(actor=owner, org=org, app=app)
        assert "Secret plans" in self.names(headers)
        orgs.remove_member(actor=owner, org=org, user_id=member.pk)
        assert self.names(headers) == {"Open roadmap"}
        assert Client().get("/api/v4/users/me", **headers).status_code == 200  # the user's token is theirs

    def test_unrestricted_organizations_let_every_app_through(self, org, owner, member, app, projects, bearer_token):
        orgs.set_restrictions(actor=owner, org=org, restricted=False)
        assert self.names(bearer_token(member, app)) == {"Open roadmap", "Secret plans"}

    def test_first_party_session_requests_are_unaffected(self, client, member, projects):
        client.force_login(member)
        response = client.get("/api/v4/organizations/acme/projects")
        assert {item["name"] for item in response.json()} == {"Open roadmap", "Secret plans"}

    def test_outsiders_see_public_resources_only_whatever_the_app(
        self, org, owner, outsider, app, projects, bearer_token
    ):
        orgs.approve(actor=owner, org=org, app=app)
        assert self.names(bearer_token(outsider, app)) == {"Open roadmap"}

    def test_an_app_owned_by_the_organization_needs_no_approval(self, org, member, app, projects, bearer_token):
        app.organization = org
        app.save()
        assert "Secret plans" in self.names(bearer_token(member, app))

    def test_visible_to_runs_one_query_whatever_the_number_of_organizations(
        self, member, app, owner, django_assert_num_queries, bearer_token
    ):
        for i in range(5):
            extra = orgs.create_organization(actor=owner, name=f"Org {i}", slug=f"org-{i}")
            orgs.add_member(actor=owner, org=extra, user_id=member.pk, role="member")
            Project.objects.create(organization=extra, name=f"P{i}", private=True)
        from rest_framework.request import Request
        from rest_framework.test import APIRequestFactory

        from mm_oauth.contrib.rest_framework.authentication import OAuth2Authentication

        raw = bearer_token(member, app)["HTTP_AUTHORIZATION"]
        request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=raw), authenticators=[OAuth2Authentication()])
        _ = request.user  # authenticate outside the counted block
        with django_assert_num_queries(1):
            list(org_access.visible_to(request, Project.objects.all()))
