"""Django admin for applications, the provider settings, organizations and the audit trail.

django-oauth-toolkit registers the swapped Application model itself; point it
at ``ApplicationAdmin`` with ``OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]``
(``mm_oauth.defaults`` does) rather than registering it again.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from . import signals
from .models import AppAccess, AuditEvent, Membership, Organization, ProviderSettings
from .services import audit
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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


class AppAccessInline(admin.TabularInline):
    """Each application's standing; who asked and who decided, and when, are history: read-only."""

    model = AppAccess
    extra = 0
    raw_id_fields = ("application",)
    fields = ("application", "state", "requested_by", "requested_at", "decided_by", "decided_at")
    readonly_fields = ("requested_by", "requested_at", "decided_by", "decided_at")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Organizations with their members and third-party application access.

    A site admin is usually no owner, so these changes cannot go through the
    owners' services; they are recorded in the audit trail and signalled the
    same way (no emails are sent).
    """

    list_display = ("name", "slug", "restrict_third_party_apps", "created_at")
    list_filter = ("restrict_third_party_apps",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "restrict_third_party_apps", "created_at")
    readonly_fields = ("created_at",)
    inlines = [MembershipInline, AppAccessInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            _record(AuditEvent.Action.ORG_CREATED, obj, request, {"name": obj.name, "slug": obj.slug})
        elif "restrict_third_party_apps" in form.changed_data:
            restricted = obj.restrict_third_party_apps
            action = (
                AuditEvent.Action.ORG_RESTRICTIONS_ENABLED
                if restricted
                else AuditEvent.Action.ORG_RESTRICTIONS_DISABLED
            )
            _record(action, obj, request, {"via": "admin"})
            signals.org_restrictions_changed.send(
                sender=Organization, organization=obj, restricted=restricted, actor=request.user, request=request
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is AppAccess:
            self._save_access(request, form.instance, formset)
            return
        if formset.model is Membership:
            for inline_form in formset.forms:
                if inline_form.has_changed() and not inline_form.cleaned_data.get("DELETE"):
                    member = inline_form.cleaned_data.get("user")
                    role = inline_form.cleaned_data.get("role")
                    if member is not None:
                        changes = {"user": member.get_username(), "role": role, "via": "admin"}
                        _record(AuditEvent.Action.ORG_MEMBER_ADDED, form.instance, request, changes)
        super().save_formset(request, form, formset, change)

    def _save_access(self, request, org, formset):
        """Stamp who decided and when on every state change, then audit and signal it."""
        decided = []
        for access in formset.save(commit=False):
            previous = AppAccess.objects.filter(pk=access.pk).values_list("state", flat=True).first()
            if access.state != previous:
                now = timezone.now()
                if access.state == AppAccess.State.REQUESTED:
                    access.requested_by, access.requested_at = request.user, now
                    access.decided_by = access.decided_at = None
                else:
                    access.decided_by, access.decided_at = request.user, now
                decided.append(access)
            access.save()
        for access in formset.deleted_objects:
            access.delete()
        formset.save_m2m()
        actions = {
            AppAccess.State.REQUESTED: (AuditEvent.Action.APP_ACCESS_REQUESTED, signals.app_access_requested),
            AppAccess.State.APPROVED: (AuditEvent.Action.APP_ACCESS_APPROVED, signals.app_access_approved),
            AppAccess.State.DENIED: (AuditEvent.Action.APP_ACCESS_DENIED, signals.app_access_denied),
        }
        for access in decided:
            action, signal = actions[access.state]
            _record(action, org, request, {"application": access.application.client_id, "via": "admin"})
            signal.send(sender=AppAccess, access=access, actor=request.user, request=request)


def _record(action, org, request, changes):
    audit.record(
        action,
        actor=request.user,
        request=request,
        target_type="organization",
        target_id=org.slug,
        target_label=org.name,
        changes=changes,
    )
