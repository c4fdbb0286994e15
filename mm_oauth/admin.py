"""Django admin for applications, the provider settings, organizations and the audit trail.

django-oauth-toolkit registers the swapped Application model itself; point it
at ``ApplicationAdmin`` with ``OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]``
(``mm_oauth.defaults`` does) rather than registering it again.

Changes go through the same services as the pages and the API, so the admin
obeys ``mm_oauth.policy`` and leaves the same audit events and signals.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import policy, scopes, validators
from .models import AppAccess, AuditEvent, Membership, Organization, ProviderSettings
from .services import applications, audit, organizations
from .services.provider_settings import get_settings_row, update_provider_settings

# The admin form's fields the application service changes, by the service's name for them.
SERVICE_FIELDS = {
    "name": "name",
    "description": "description",
    "homepage": "homepage",
    "icon_url": "icon_url",
    "redirect_uris": "callback_urls",
    "is_trusted": "is_trusted",
    "allowed_scopes": "scopes",
}


class CallbackURLsField(forms.CharField):
    """DOT's space-separated ``redirect_uris``, edited one URL per line as on the pages."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"})

    def has_changed(self, initial, data):
        return validators.split_callback_urls(initial or "") != validators.split_callback_urls(data or "")


class ApplicationAdminForm(forms.ModelForm):
    """Check every rule the application service applies, so its save cannot fail on bad input.

    The rules are ``mm_oauth.validators``' and ``Application.clean``'s: the
    callback URLs here, the rest through the model's ``full_clean`` that a
    ModelForm runs on the changed instance.
    """

    redirect_uris = CallbackURLsField(label=validators.CALLBACK_URLS_LABEL)
    allowed_scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Allowed scopes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every registered scope."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["redirect_uris"] = "\n".join(self.instance.callback_urls)
            self.initial["allowed_scopes"] = self.instance.scopes
        self.fields["allowed_scopes"].choices = [(name, name) for name in scopes.scope_names()]

    def clean_redirect_uris(self):
        # One URL per line: a line holding a space is one bad URL, not two good ones.
        urls = validators.validate_callback_lines(self.cleaned_data["redirect_uris"], public=self.instance.is_public)
        return " ".join(urls)

    def clean_allowed_scopes(self):
        names = self.cleaned_data["allowed_scopes"]
        validators.validate_scope_names(names)
        return " ".join(names)


class ApplicationAdmin(admin.ModelAdmin):
    """Applications without their secrets: the secret is shown once, at registration, elsewhere.

    Saving and deleting go through ``mm_oauth.services.applications`` (policy,
    audit event, signal, token revocation). The client type and the creator
    are fixed at registration here, as on the pages and in the API.
    """

    form = ApplicationAdminForm

    list_display = ("name", "client_id", "client_type", "is_trusted", "user", "created")
    list_filter = ("client_type", "is_trusted", "registration_source")
    search_fields = ("name", "client_id")
    raw_id_fields = ("user",)
    fields = (
        "name",
        "description",
        "homepage",
        "icon_url",
        "redirect_uris",
        "allowed_scopes",
        "client_type",
        "is_trusted",
        "user",
        "client_id",
        "created",
        "updated",
    )
    readonly_fields = ("client_id", "client_type", "user", "created", "updated")

    def has_add_permission(self, request):
        # A new app's secret must be shown to its developer once; the
        # registration pages, the API and ``manage.py mm_oauth_create_app`` do.
        return False

    def has_change_permission(self, request, obj=None):
        # The service answers "no such application" to whoever may not manage it.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or policy.may_manage_app(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        # Also asked per selected app by the bulk "delete selected" action.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or policy.may_manage_app(request.user, obj))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not policy.may_set_trusted(request.user):
            readonly.append("is_trusted")
        return readonly

    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name in SERVICE_FIELDS]
        changes = {SERVICE_FIELDS[name]: form.cleaned_data[name] for name in changed}
        if "callback_urls" in changes:
            changes["callback_urls"] = obj.callback_urls
        if "scopes" in changes:
            changes["scopes"] = obj.scopes
        # The form already wrote its values onto ``obj``; the service compares
        # them with the stored ones to record what changed.
        stored = type(obj).objects.get(pk=obj.pk)
        applications.update_application(stored, actor=request.user, request=request, **changes)

    def get_deleted_objects(self, objs, request):
        # The service revokes the app's tokens and codes itself (DOT's admin
        # refuses raw deletes of tokens), so only the apps' own permission counts.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed & {self.opts.verbose_name}, protected

    def delete_model(self, request, obj):
        applications.delete_application(obj, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for app in queryset:
            applications.delete_application(app, actor=request.user, request=request)


@admin.register(ProviderSettings)
class ProviderSettingsAdmin(admin.ModelAdmin):
    """The singleton, edited in place; changes go through the service so every process sees them."""

    fields = ("enable_provider", "restrict_to_admins", "allow_username_override", "allow_icon_override")
    fields += ("enable_client_id_metadata_documents", "client_metadata_document_hosts")
    fields += ("enable_dynamic_client_registration", "registration_redirect_uri_allowlist")
    readonly_fields = ()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def changelist_view(self, request, extra_context=None):
        row = get_settings_row()
        return HttpResponseRedirect(reverse("admin:mm_oauth_providersettings_change", args=[row.pk]))

    def save_model(self, request, obj, form, change):
        update_provider_settings(
            actor=request.user, request=request, **{name: form.cleaned_data[name] for name in self.fields}
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody edits or deletes history in the admin."""

    list_display = ("created_at", "action", "actor_label", "target_label", "target_id", "ip_address")
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "target_label", "target_id", "ip_address")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipFormSet(BaseInlineFormSet):
    """A new organization needs an owner, and one that has an owner keeps one.

    The admin cannot add an organization without an owner, nor remove or
    demote the last. (An organization left without owners by other means can
    still be edited, to give it one.)
    """

    def clean(self):
        super().clean()
        adding = self.instance._state.adding
        if (
            not adding
            and not Membership.objects.filter(organization=self.instance, role=Membership.Role.OWNER).exists()
        ):
            return
        owners = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == Membership.Role.OWNER
        ]
        if not owners:
            raise ValidationError(_("An organization needs at least one owner."))


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


class AppAccessInline(admin.TabularInline):
    """Each application's standing, read-only here: owners decide on their third-party access page."""

    model = AppAccess
    extra = 0
    fields = ("application", "state", "requested_by", "requested_at", "decided_by", "decided_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Organizations with their members and third-party application access.

    Turning restrictions on or off goes through the owners' service (site
    admins may act as owners), so it is audited and signalled the same way.
    """

    list_display = ("name", "slug", "restrict_third_party_apps", "created_at")
    list_filter = ("restrict_third_party_apps",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "restrict_third_party_apps", "created_at")
    readonly_fields = ("created_at",)
    inlines = [MembershipInline, AppAccessInline]

    def save_model(self, request, obj, form, change):
        if change and "restrict_third_party_apps" in form.changed_data:
            restricted = obj.restrict_third_party_apps
            obj.restrict_third_party_apps = not restricted  # the service makes the change
            super().save_model(request, obj, form, change)
            organizations.set_restrictions(actor=request.user, org=obj, restricted=restricted, request=request)
            return
        super().save_model(request, obj, form, change)
        if not change:
            audit.record_for(
                AuditEvent.Action.ORG_CREATED,
                obj,
                actor=request.user,
                request=request,
                changes={"name": obj.name, "slug": obj.slug},
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        events = []
        for inline_form in formset.forms:
            data = inline_form.cleaned_data
            if not data or not (inline_form.has_changed() or data.get("DELETE")):
                continue
            if data.get("DELETE"):
                if inline_form.instance.pk is not None:
                    removed = Membership.objects.select_related("user").get(pk=inline_form.instance.pk)
                    changes = {"user": removed.user.get_username(), "role": removed.role, "via": "admin"}
                    events.append((AuditEvent.Action.ORG_MEMBER_REMOVED, changes))
            elif data.get("user") is not None:
                changes = {"user": data["user"].get_username(), "role": data.get("role"), "via": "admin"}
                events.append((AuditEvent.Action.ORG_MEMBER_ADDED, changes))
        super().save_formset(request, form, formset, change)
        for action, changes in events:
            audit.record_for(action, form.instance, actor=request.user, request=request, changes=changes)
