"""Organizations > Settings > Third-party application access.

- ``organizations/``: the organizations you belong to, with your role.
- ``organizations/<slug>/settings/third-party-access/``: for owners, the
  restriction policy (changed through a confirmation page that explains the
  effect) and the applications: pending requests first, then approved, then
  denied, each with the decision that undoes it.
- ``organizations/<slug>/third-party-access/<client_id>/request/`` and
  ``…/grant/``: the small POST forms of the consent page and the
  authorized-apps page; a member asks, an owner grants. Both go back to
  ``next`` when it is a URL of this site.

Outsiders get 404 for anything under an organization's slug; a member doing an
owner's thing gets a 403 page with the reason. The rules, audit trail, signals
and emails are ``mm_oauth.services.organizations``'; the views translate HTTP
to its calls. These pages work while the provider is switched off: an owner
must always be able to withdraw an organization's access.
"""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import View
from oauth2_provider.models import get_application_model

from ..errors import messages_by_field
from ..models import AppAccess, Membership
from ..services import organizations as orgs
from .org_forms import OrganizationForm

State = AppAccess.State
Role = Membership.Role


def safe_next(request, fallback):
    """Return ``next`` from the POST when it is a URL of this site (no open redirect), else ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def forbidden_page(request, org, reason):
    """Answer 403 with the reason: a member may know the organization, not do an owner's thing."""
    context = {"org": org, "reason": reason}
    return TemplateResponse(request, "mm_oauth/organizations/forbidden.html", context, status=HTTPStatus.FORBIDDEN)


def settings_redirect(org):
    return redirect("mm_oauth:org-third-party-access", org.slug)


class OrganizationListView(LoginRequiredMixin, View):
    """List the organizations the user belongs to, with their role."""

    def get(self, request):
        organizations = orgs.organizations_of(request.user).order_by("name", "pk")
        return TemplateResponse(request, "mm_oauth/organizations/list.html", {"organizations": organizations})


class OrganizationCreateView(LoginRequiredMixin, View):
    """The "New organization" page: a name and slug; the creator becomes its first owner, restrictions on."""

    template_name = "mm_oauth/organizations/form.html"

    def get(self, request):
        return TemplateResponse(request, self.template_name, {"form": OrganizationForm()})

    def post(self, request):
        form = OrganizationForm(request.POST)
        if form.is_valid():
            try:
                org = orgs.create_organization(actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                for field, messages_ in messages_by_field(error).items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                messages.success(request, _("Created %(name)s. You are its owner.") % {"name": org.name})
                return settings_redirect(org)
        return TemplateResponse(request, self.template_name, {"form": form}, status=HTTPStatus.BAD_REQUEST)


class OrganizationPageMixin(LoginRequiredMixin):
    """Sign-in required; load the organization in the URL (404 for outsiders), then check the owner's right.

    A PermissionDenied raised here or by a service becomes the 403 page with its reason.
    """

    owners_only = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.org, self.membership = orgs.get_org_for(request.user, kwargs["slug"])
        try:
            if self.owners_only:
                orgs.require_owner(request.user, self.org)
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as reason:
            return forbidden_page(request, self.org, reason)

    def get_app(self):
        app = get_application_model().objects.filter(client_id=self.kwargs["client_id"]).first()
        if app is None:
            raise Http404("No such OAuth 2.0 application.")
        return app


class ThirdPartyAccessView(OrganizationPageMixin, View):
    """The owners' page: the restriction policy, then pending, approved and denied applications."""

    def get(self, request, slug):
        rows = orgs.access_list(self.org)
        context = {
            "org": self.org,
            "pending": [row for row in rows if row.state == State.REQUESTED],
            "approved": [row for row in rows if row.state == State.APPROVED],
            "denied": [row for row in rows if row.state == State.DENIED],
        }
        return TemplateResponse(request, "mm_oauth/organizations/third_party_access.html", context)


class RestrictionsView(OrganizationPageMixin, View):
    """Confirm (GET), then turn the restrictions on or off (POST)."""

    restricted = True  # set by the URLconf: the state to switch to

    def get(self, request, slug):
        if self.org.restrict_third_party_apps == self.restricted:
            return settings_redirect(self.org)
        approved = [row for row in orgs.access_list(self.org) if row.state == State.APPROVED]
        context = {"org": self.org, "restricted": self.restricted, "approved": approved}
        return TemplateResponse(request, "mm_oauth/organizations/confirm_restrictions.html", context)

    def post(self, request, slug):
        orgs.set_restrictions(actor=request.user, org=self.org, restricted=self.restricted, request=request)
        if self.restricted:
            message = _("Third-party application restrictions are on: only approved applications reach %(org)s.")
        else:
            message = _(
                "Third-party application restrictions are off: every application members authorized reaches %(org)s."
            )
        messages.success(request, message % {"org": self.org.name}, fail_silently=True)
        return settings_redirect(self.org)


class DecisionView(OrganizationPageMixin, View):
    """POST only: an owner approves or denies an application, then goes back to ``next`` or ``fallback``."""

    approve = True  # set by the URLconf
    fallback = None  # a URL name; None: the organization's third-party access page

    def post(self, request, slug, client_id):
        app = self.get_app()
        decide = orgs.approve if self.approve else orgs.deny
        try:
            decide(actor=request.user, org=self.org, app=app, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages), fail_silently=True)
        else:
            if self.approve:
                message = _("Approved %(app)s for %(org)s: it reaches the organization's resources for its members.")
            else:
                message = _(
                    "Denied %(app)s: it no longer reaches %(org)s's private resources. "
                    "Members' authorizations of it are unchanged."
                )
            messages.success(request, message % {"app": app.name, "org": self.org.name}, fail_silently=True)
        if self.fallback is None:
            return settings_redirect(self.org)
        return redirect(safe_next(request, self.fallback))


class RequestAccessView(OrganizationPageMixin, View):
    """POST only: a member asks the owners to approve an application, then goes back to ``next``."""

    owners_only = False

    def post(self, request, slug, client_id):
        app = self.get_app()
        access = orgs.request_access(actor=request.user, org=self.org, app=app, request=request)
        if access.state == State.APPROVED:
            message = _("%(app)s already has access to %(org)s.")
        else:
            message = _("Asked the owners of %(org)s to approve %(app)s. You will be told of their decision.")
        messages.success(request, message % {"app": app.name, "org": self.org.name}, fail_silently=True)
        return redirect(safe_next(request, "mm_oauth:authorized-apps"))
