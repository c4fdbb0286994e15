"""Whether a third-party application may reach an organization: the one home of the rule.

An application is **admitted** by an organization when the organization does
not restrict third-party applications, or its state there is *approved*. An
application the organization owns (``Application.organization``) is always
approved, whatever was stored. Every reader — the services, the pages, the API
and the host's DRF helpers — asks this module (``AppAccess.objects`` and
``owns()``), never the raw rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .organization import Membership, Organization


def owns(org, app):
    """Return whether ``org`` owns ``app`` (and so always approves it)."""
    return app.organization_id is not None and app.organization_id == org.pk


def admits(org, state):
    """Return whether ``org`` lets in an application whose (effective) state there is ``state``."""
    return not org.restrict_third_party_apps or state == AppAccess.State.APPROVED


class AppAccessQuerySet(models.QuerySet):
    def state(self, org, app):
        """Return ``app``'s effective state in ``org``: a State value, or None when never requested."""
        if owns(org, app):
            return AppAccess.State.APPROVED
        return self.filter(organization=org, application=app).values_list("state", flat=True).first()

    def admitting_org_ids(self, user, app=None):
        """Return the ids (a subquery) of ``user``'s organizations that admit ``app``.

        ``app`` None is a first-party request (the user's own session): every
        organization of the user admits it.
        """
        orgs = Organization.objects.filter(memberships__user=user)
        if app is not None:
            approved = self.filter(application=app, state=AppAccess.State.APPROVED).values("organization_id")
            orgs = orgs.filter(Q(restrict_third_party_apps=False) | Q(pk__in=approved) | Q(owned_apps=app))
        return orgs.values("pk")

    def member_states(self, user, apps):
        """Return ``{app.pk: [(organization, the user's role, effective state)]}`` over the user's organizations.

        Two queries, however many apps and organizations; organizations by name.
        """
        orgs = list(
            Organization.objects.filter(memberships__user=user)
            .annotate(my_role=F("memberships__role"))
            .order_by("name")
        )
        stored = {}
        if orgs and apps:
            rows = self.filter(organization__in=orgs, application__in=apps)
            stored = {(org, app): state for org, app, state in rows.values_list("organization", "application", "state")}
        return {
            app.pk: [
                (org, org.my_role, AppAccess.State.APPROVED if owns(org, app) else stored.get((org.pk, app.pk)))
                for org in orgs
            ]
            for app in apps
        }

    def member_rows(self, user, apps):
        """Return ``{app.pk: [row]}``: each app's standing in each of the user's organizations, and what they may do.

        A row is a dict: ``org``, ``is_owner``, ``status`` ("granted" where the
        organization admits the app, else its state or ""), ``can_grant`` (owners,
        where not granted) and ``can_request`` (members, where not granted and no
        request is pending). A constant number of queries.
        """
        return {
            app_pk: [_member_row(org, role, state) for org, role, state in states]
            for app_pk, states in self.member_states(user, apps).items()
        }

    def listing(self, org):
        """Return ``org``'s applications as rows: pending requests first, then approved, then denied.

        Applications the organization owns are listed as approved, with
        ``owned`` true; those never requested are unsaved rows.
        """
        rows = list(self.filter(organization=org).select_related("application", "requested_by", "decided_by"))
        listed = {row.application_id for row in rows}
        owned_apps = org.owned_apps.exclude(pk__in=listed)
        rows.extend(AppAccess(organization=org, application=app, state=AppAccess.State.APPROVED) for app in owned_apps)
        for row in rows:
            if row.owned:
                row.state = AppAccess.State.APPROVED
        return sorted(rows, key=_listing_order)


def _member_row(org, role, state):
    granted = admits(org, state)
    is_owner = role == Membership.Role.OWNER
    return {
        "org": org,
        "is_owner": is_owner,
        "status": "granted" if granted else (state or ""),
        "can_grant": is_owner and not granted,
        "can_request": not is_owner and not granted and state != AppAccess.State.REQUESTED,
    }


def _listing_order(row):
    when = row.requested_at or row.decided_at
    return (LISTING_ORDER[row.state], -when.timestamp() if when else 0, row.application.name)


class AppAccess(models.Model):
    """One application's standing with one organization: requested, approved or denied."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        DENIED = "denied", _("denied")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="app_access")
    application = models.ForeignKey("mm_oauth.Application", on_delete=models.CASCADE, related_name="org_access")
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = AppAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("third-party application access")
        verbose_name_plural = _("third-party application access")
        constraints = [
            models.UniqueConstraint(fields=["organization", "application"], name="mm_oauth_one_access_per_app")
        ]

    def __str__(self):
        return f"{self.application} in {self.organization}: {self.state}"

    @property
    def owned(self):
        """Whether the organization owns the application (so it is always approved and cannot be denied)."""
        return self.application.organization_id == self.organization_id


LISTING_ORDER = {AppAccess.State.REQUESTED: 0, AppAccess.State.APPROVED: 1, AppAccess.State.DENIED: 2}
