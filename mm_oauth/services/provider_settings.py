"""Change the provider settings: audited, signalled, and published to every process.

Reading them (cached) is ``mm_oauth.models.provider_settings``'; its names are
re-exported here for callers that read and write.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models.audit import AuditEvent
from ..models.provider_settings import (  # noqa: F401  (re-exported)
    CACHE_KEY,
    PROVIDER_DISABLED_MESSAGE,
    ProviderConfig,
    ProviderSettings,
    _forget,
    clear_cache,
    get_provider_settings,
    provider_enabled,
    publish,
    registration_enabled,
)
from ..signals import provider_settings_changed
from ..validators import validate_redirect_uri_allowlist
from . import audit


def get_settings_row():
    """Return the settings row, creating it with its defaults on first use."""
    row, _created = ProviderSettings.objects.get_or_create(pk=ProviderSettings.SINGLETON_PK)
    return row


def _validate_texts(changes):
    if "registration_redirect_uri_allowlist" in changes:
        try:
            validate_redirect_uri_allowlist(changes["registration_redirect_uri_allowlist"] or "")
        except ValidationError as exc:
            raise ValidationError({"registration_redirect_uri_allowlist": exc.messages}) from None


def update_provider_settings(*, actor=None, request=None, **changes):
    """Change provider flags; publish them to every process; send provider_settings_changed.

    Unknown names raise ValueError and change nothing; an invalid text setting
    (the registration allowlist) raises ValidationError keyed by its name.
    """
    unknown = set(changes) - set(ProviderSettings.FLAGS) - set(ProviderSettings.TEXTS)
    if unknown:
        raise ValueError(f"Unknown provider settings: {', '.join(sorted(unknown))}")
    _validate_texts(changes)
    with transaction.atomic():
        row, _created = ProviderSettings.objects.select_for_update().get_or_create(pk=ProviderSettings.SINGLETON_PK)
        before = row.as_dict()
        for name, value in changes.items():
            setattr(row, name, (value or "") if name in ProviderSettings.TEXTS else bool(value))
        if actor is not None and getattr(actor, "is_authenticated", False):
            row.updated_by = actor
        row.save()
        after = row.as_dict()
        changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
        if changed:
            audit.record(
                AuditEvent.Action.SETTINGS_CHANGED,
                actor=actor,
                request=request,
                target_type="settings",
                target_label="OAuth 2.0 provider settings",
                changes=changed,
            )
        # Forget the old values at once (a rollback then just re-reads them);
        # publish the new ones to every process only once they are committed.
        _forget()
        transaction.on_commit(lambda: publish(row))
    if changed:
        changes = {name: tuple(values) for name, values in changed.items()}
        provider_settings_changed.send(sender=ProviderSettings, actor=actor, request=request, changes=changes)
    return row
