"""Serializers with Mattermost's field names."""

from rest_framework import serializers


def epoch_ms(value):
    """Return a datetime as milliseconds since the epoch (Mattermost's time format)."""
    return int(value.timestamp() * 1000) if value else 0


class TimezoneSerializer(serializers.Serializer):
    """Mattermost's timezone map (every value a string)."""

    useAutomaticTimezone = serializers.CharField(read_only=True, help_text='"true" or "false".')
    manualTimezone = serializers.CharField(read_only=True, help_text="An IANA time zone name.")
    automaticTimezone = serializers.CharField(read_only=True)


class UserSerializer(serializers.Serializer):
    """Mattermost's user object (``model.User``), as ``users/me`` and ``users/{user_id}`` return it.

    The fields describe the shape (for the OpenAPI schema);
    ``mm_oauth.services.user_object`` builds it directly, since ``users/me`` is
    the hottest read of the API and DRF's per-field machinery would cost more
    than the database lookup.
    """

    id = serializers.CharField(read_only=True)
    create_at = serializers.IntegerField(read_only=True, help_text="Milliseconds since the epoch.")
    update_at = serializers.IntegerField(read_only=True, help_text="Milliseconds since the epoch.")
    delete_at = serializers.IntegerField(read_only=True, help_text="0, or when the account was deactivated.")
    username = serializers.CharField(read_only=True)
    auth_service = serializers.CharField(read_only=True, help_text='"" for a password account; empty for others.')
    email = serializers.CharField(
        read_only=True, help_text='"" for another user, and for a token without the read or email scope.'
    )
    email_verified = serializers.BooleanField(read_only=True)
    nickname = serializers.CharField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    position = serializers.CharField(read_only=True)
    roles = serializers.CharField(read_only=True, help_text='"system_user", "system_admin system_user" for admins.')
    locale = serializers.CharField(read_only=True)
    timezone = TimezoneSerializer(read_only=True)


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean: ``true`` or ``false``, not "yes", 1 or "on"."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid")


class StrictCharField(serializers.CharField):
    """A JSON string: numbers and booleans are refused rather than turned into text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictInputSerializer(serializers.Serializer):
    """Refuse keys the endpoint does not know, reported with the other fields' errors."""

    # Keys the server sets: a client may send an object back as read, they are ignored.
    ignored_keys = frozenset()

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, dict):
            expected = ", ".join(name for name, field in self.fields.items() if not field.read_only)
            for name in sorted(set(data) - set(self.fields) - self.ignored_keys):
                unknown[name] = [f"Unknown field; expected one of: {expected}."]
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):
                exc.detail.update(unknown)
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return attrs


class ProviderSettingsSerializer(StrictInputSerializer):
    """The provider settings, read and changed (a client may send back what it read)."""

    ignored_keys = frozenset({"update_at", "updated_by"})

    enable_provider = StrictBooleanField(required=False)
    restrict_to_admins = StrictBooleanField(required=False)
    allow_username_override = StrictBooleanField(required=False)
    allow_icon_override = StrictBooleanField(required=False)
    enable_client_id_metadata_documents = StrictBooleanField(required=False)
    client_metadata_document_hosts = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Hosts whose client ID metadata documents are fetched, one per line.",
    )
    enable_dynamic_client_registration = StrictBooleanField(required=False)
    registration_redirect_uri_allowlist = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="One pattern per line (scheme, host with optional leading *., port, path prefix).",
    )
    update_at = serializers.SerializerMethodField()
    updated_by = serializers.SerializerMethodField()

    def get_update_at(self, row) -> int:
        return epoch_ms(row.updated_at)

    def get_updated_by(self, row) -> str:
        return str(row.updated_by_id) if row.updated_by_id else ""
