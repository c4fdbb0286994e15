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
from . import audit


def get_settings_row():
    """Return the settings row, creating it with its defaults on first use."""
    row, _created = ProviderSettings.objects.get_or_create(pk=ProviderSettings.SINGLETON_PK)
    return row


def update_provider_settings(*, actor=None, request=None, **changes):
    """Change provider flags; publish them to every process; send provider_settings_changed.

    Unknown names raise ValueError, invalid text settings ValidationError; either changes nothing.
    """
    unknown = set(changes) - set(ProviderSettings.FLAGS + ProviderSettings.TEXT_SETTINGS)
    if unknown:
        raise ValueError(f"Unknown provider settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        row, _created = ProviderSettings.objects.select_for_update().get_or_create(pk=ProviderSettings.SINGLETON_PK)
        before = row.as_dict()
        for name, value in changes.items():
            setattr(row, name, _text_setting(name, value) if name in ProviderSettings.TEXT_SETTINGS else bool(value))
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


def _text_setting(name, value):
    """Validate a text setting by its model field's rules; return it normalised (trimmed lines, no blank ones)."""
    field = ProviderSettings._meta.get_field(name)
    value = "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())
    try:
        field.run_validators(value)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None
    return value
