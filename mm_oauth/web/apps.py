"""Integrations > OAuth 2.0 Applications: list, add, edit, delete, regenerate secret.

The views translate HTTP into calls: who may do what is ``mm_oauth.policy``,
the operations (with their audit trail and signals) are
``mm_oauth.services.applications``. Every form POST answers with a redirect,
so reloading a page never registers an app or issues a secret again. A new
client secret waits in the session, keyed by client ID, until the secret page
shows it once with ``Cache-Control: no-store``; that view removes it. It is
never put in a URL or a message, and error reports leave it out.

While the provider is switched off every page answers the HTML 501 page, even
before the login redirect. Someone else's application is a 404. A signed-in
user who may not register applications gets a 403 page saying why from the add
page (not a 404: the section is no secret, and the list tells them the same).
"""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django.views.generic import ListView, View
from oauth2_provider.models import get_application_model

from .. import policy
from ..conf import app_settings
from ..gate import ProviderRequiredMixin
from ..services import applications as services
from .forms import ApplicationForm

LIST_URL = "mm_oauth:apps-list"
# The session key holding new client secrets until the secret page shows them: {client_id: {...}}.
PENDING_SECRETS_KEY = "mm_oauth_pending_secrets"


class AppsPageMixin(ProviderRequiredMixin, LoginRequiredMixin):
    """Answer the 501 page while the provider is off, then require a signed-in user."""

    provider_disabled_as_html = True


class OneAppMixin(AppsPageMixin):
    """Load the application named in the URL, or raise Http404 if the user may not manage it."""

    def get_app(self):
        if not hasattr(self, "_app"):
            self._app = services.get_app_for(self.request.user, self.kwargs["client_id"])
        return self._app


class AppListView(AppsPageMixin, ListView):
    """List the apps the user manages (everyone's for system-wide managers), filtered by name."""

    template_name = "mm_oauth/apps/list.html"
    context_object_name = "apps"
    paginate_by = 20

    def get_queryset(self):
        Application = get_application_model()
        queryset = Application.objects.select_related("user").order_by("-created", "-pk")
        queryset = policy.manageable_apps(self.request.user, queryset)
        if query := self.query():
            queryset = queryset.filter(name__icontains=query)
        return queryset

    def paginate_queryset(self, queryset, page_size):
        # A page number past the end or mistyped shows the nearest page rather than a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def query(self):
        return self.request.GET.get("q", "").strip()

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            query=self.query(),
            may_register=policy.may_register_apps(user),
            manages_all=policy.manages_all_apps(user),
            **kwargs,
        )


class AppCreateView(AppsPageMixin, View):
    """Register an application, then send the browser to its secret page."""

    def get(self, request):
        if not policy.may_register_apps(request.user):
            return not_allowed_page(request)
        return form_page(request, ApplicationForm(user=request.user))

    @sensitive_variables("secret")
    def post(self, request):
        if not policy.may_register_apps(request.user):
            return not_allowed_page(request)
        form = ApplicationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                app, secret = services.register_application(
                    actor=request.user, request=request, **form.service_fields()
                )
            except ValidationError as error:
                form.add_model_errors(error)
            else:
                return redirect_to_secret(request, app, secret, created=True)
        return form_page(request, form)


class AppEditView(OneAppMixin, View):
    """Change an application; a change of its callback URLs needs a second, confirming POST."""

    def get(self, request, client_id):
        app = self.get_app()
        return form_page(request, ApplicationForm(user=request.user, app=app), app=app)

    def post(self, request, client_id):
        app = self.get_app()
        form = ApplicationForm(request.POST, user=request.user, app=app)
        if "back" in request.POST or not form.is_valid():
            return form_page(request, form, app=app)
        callback_urls = form.cleaned_data["callback_urls"]
        confirmed = request.POST.get("confirm_callbacks") == "1"
        if not confirmed and services.callbacks_would_change(app, callback_urls):
            return confirm_callbacks_page(request, form, app, callback_urls)
        try:
            services.update_application(app, actor=request.user, request=request, **form.service_fields())
        except ValidationError as error:
            form.add_model_errors(error)
            return form_page(request, form, app=app)
        messages.success(request, _("Saved %(name)s.") % {"name": app.name}, fail_silently=True)
        return redirect(LIST_URL)


class AppDeleteView(OneAppMixin, View):
    """Confirm (GET), then delete the application and revoke everything it holds (POST)."""

    def get(self, request, client_id):
        return TemplateResponse(request, "mm_oauth/apps/delete.html", {"app": self.get_app()})

    def post(self, request, client_id):
        app = self.get_app()
        services.delete_application(app, actor=request.user, request=request)
        messages.success(
            request,
            _("Deleted %(name)s and revoked its access for all users.") % {"name": app.name},
            fail_silently=True,
        )
        return redirect(LIST_URL)


class AppRegenerateSecretView(OneAppMixin, View):
    """Confirm (GET), then give the application a new secret and send the browser to see it once (POST)."""

    def get(self, request, client_id):
        context = {"app": self.get_app(), "grace_seconds": app_settings.SECRET_ROTATION_GRACE_SECONDS}
        return TemplateResponse(request, "mm_oauth/apps/regenerate.html", context)

    @sensitive_variables("secret")
    def post(self, request, client_id):
        app = self.get_app()
        if app.is_public:
            messages.error(request, _("Public clients have no client secret."), fail_silently=True)
            return redirect(LIST_URL)
        secret = services.regenerate_secret(app, actor=request.user, request=request)
        return redirect_to_secret(request, app, secret, created=False)


class AppSecretView(OneAppMixin, View):
    """Show a new client secret once; a reload or a later visit says it was already shown."""

    def get(self, request, client_id):
        app = self.get_app()
        return secret_page(request, app, take_pending_secret(request, app.client_id))


def form_page(request, form, app=None):
    """Render the add form (``app`` None) or the edit form."""
    return TemplateResponse(request, "mm_oauth/apps/form.html", {"form": form, "app": app})


def not_allowed_page(request):
    """Answer 403 with the reason: the user can see the section exists, but may not register apps."""
    return TemplateResponse(request, "mm_oauth/apps/not_allowed.html", status=HTTPStatus.FORBIDDEN)


def confirm_callbacks_page(request, form, app, callback_urls):
    """Ask to confirm a change of callback URLs, re-posting the submitted form as hidden fields."""
    current = app.callback_urls
    context = {
        "app": app,
        "form": form,
        "removed": [url for url in current if url not in callback_urls],
        "added": [url for url in callback_urls if url not in current],
        # Without a redirect_uri parameter, DOT sends users to the first callback URL.
        "new_default": callback_urls[0] if callback_urls[:1] != current[:1] else None,
        "resubmit": resubmitted_values(form),
    }
    return TemplateResponse(request, "mm_oauth/apps/confirm_callbacks.html", context)


def resubmitted_values(form):
    """Return the submitted ``(name, value)`` pairs to re-post as hidden fields (a list field gives one per item)."""
    pairs = []
    for field in form:
        value = field.value()
        for item in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((field.html_name, "" if item is None else item))
    return pairs


@sensitive_variables("secret", "pending")
def redirect_to_secret(request, app, secret, *, created):
    """Keep ``secret`` in the session for exactly one view of the secret page, and redirect there."""
    pending = request.session.get(PENDING_SECRETS_KEY, {})
    pending[app.client_id] = {"secret": secret, "created": created}
    request.session[PENDING_SECRETS_KEY] = pending
    return redirect("mm_oauth:apps-secret", client_id=app.client_id)


@sensitive_variables("pending", "entry")
def take_pending_secret(request, client_id):
    """Remove and return the secret waiting for ``client_id`` (``{"secret", "created"}``), or None."""
    pending = request.session.get(PENDING_SECRETS_KEY, {})
    entry = pending.pop(client_id, None)
    if entry is not None:
        if pending:
            request.session[PENDING_SECRETS_KEY] = pending
        else:
            del request.session[PENDING_SECRETS_KEY]
    return entry


@sensitive_variables("pending", "context")
def secret_page(request, app, pending):
    """Show the client ID and, when one waits, the new secret; no browser or proxy may keep a copy."""
    context = {"app": app, "client_secret": "", "created": False, "regenerated": False, "already_shown": False}
    if pending is not None:
        created = pending["created"]
        context.update(client_secret=pending["secret"], created=created, regenerated=not created)
    else:
        context["already_shown"] = not app.is_public
    response = TemplateResponse(request, "mm_oauth/apps/secret.html", context)
    add_never_cache_headers(response)
    return response
