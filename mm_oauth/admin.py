"""Django admin for applications, the provider settings, organizations and the audit trail.

django-oauth-toolkit registers the swapped Application model itself; point it
at ``ApplicationAdmin`` with ``OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]``
(``mm_oauth.defaults`` does) rather than registering it again.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import AppAccess, AuditEvent, Membership, Organization, ProviderSettings
from .services import audit, organizations
from .services.provider_settings import get_settings_row, update_provider_settings


class ApplicationAdmin(admin.ModelAdmin):
    """Applications without their secrets: the secret is shown once, at registration, elsewhere."""

    list_display = ("name", "client_id", "client_type", "is_trusted", "user", "created")
    list_filter = ("client_type", "is_trusted")
    search_fields = ("name", "client_id")
    raw_id_fields = ("user",)
    fields = (
        "name",
        "description",
        "homepage",
        "icon_url",
        "redirect_uris",
        "client_type",
        "is_trusted",
        "user",
        "client_id",
        "created",
        "updated",
    )
    readonly_fields = ("client_id", "created", "updated")

    def has_add_permission(self, request):
        # A new app's secret must be shown to its developer once; the
        # registration pages, the API and ``manage.py mm_oauth_create_app`` do.
        return False

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_trusted")
        return readonly


@admin.register(ProviderSettings)
class ProviderSettingsAdmin(admin.ModelAdmin):
    """The singleton, edited in place; changes go through the service so every process sees them."""

    fields = ("enable_provider", "restrict_to_admins", "allow_username_override", "allow_icon_override")
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
    """An organization that has an owner keeps one: the admin cannot remove or demote the last."""

    def clean(self):
        super().clean()
        if (
            self.instance.pk is None
            or not Membership.objects.filter(organization=self.instance, role=Membership.Role.OWNER).exists()
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
