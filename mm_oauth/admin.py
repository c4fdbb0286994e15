"""Django admin for applications and the provider settings.

django-oauth-toolkit registers the swapped Application model itself; point it
at ``ApplicationAdmin`` with ``OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]``
(``mm_oauth.defaults`` does) rather than registering it again.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from .models import AuditEvent, ProviderSettings
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
