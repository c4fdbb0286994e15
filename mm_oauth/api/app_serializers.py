"""Serializers for ``/api/v4/oauth/apps``, with Mattermost's field names.

An application reads as::

    {"id": "<client ID>", "name": "...", "description": "...", "homepage": "...",
     "icon_url": "...", "callback_urls": ["..."], "is_trusted": false,
     "creator_id": "<user pk or ''>", "create_at": <ms>, "update_at": <ms>,
     "client_type": "confidential", "scopes": ["read"], "is_dynamically_registered": false}

plus ``client_secret`` in the create and regenerate responses only.

Input serializers check the *shape* of a body (types, unknown keys). The field
rules (lengths, URL forms, callbacks) are ``mm_oauth.validators``', applied by
the services; ``API_FIELD_NAMES`` renames the model's field names to the API's.
"""

from oauth2_provider.models import AbstractApplication
from rest_framework import serializers

from .serializers import StrictBooleanField, StrictCharField, StrictInputSerializer, epoch_ms

# Keys an app has when read back, which a client may send back unchanged (a
# Mattermost client sends its whole OAuthApp struct, ``mattermost_app_id``
# included). The server sets them: on input they are accepted and ignored.
READ_ONLY_KEYS = frozenset(
    {"id", "client_secret", "creator_id", "create_at", "update_at", "mattermost_app_id", "is_dynamically_registered"}
)
READ_ONLY_KEYS |= {"registration_source"}

# The model's field names where the API's differ.
API_FIELD_NAMES = {
    "redirect_uris": "callback_urls",
    "client_id": "id",
    "user": "creator_id",
    "allowed_scopes": "scopes",
}

CLIENT_TYPES = [AbstractApplication.CLIENT_CONFIDENTIAL, AbstractApplication.CLIENT_PUBLIC]


class URLListField(serializers.ListField):
    """A JSON list of strings, taken exactly as sent (no trimming: stray whitespace is an error)."""

    child = StrictCharField(allow_blank=True, trim_whitespace=False)

    def run_child_validation(self, data):
        # ListField reports child errors as {index: [...]}; the API's error shape is a flat list per field.
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            messages = [f"Item {index}: {message}" for index, errors in exc.detail.items() for message in errors]
            raise serializers.ValidationError(messages) from None


class ScopeListField(URLListField):
    """A JSON list of scope names, taken exactly as sent: the registry decides which are known."""


class AppPublicSerializer(serializers.Serializer):
    """An application's public fields, as its consent page shows them: no secret, no creator."""

    id = serializers.CharField(source="client_id", read_only=True, help_text="The client ID.")
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    homepage = serializers.CharField(read_only=True)
    icon_url = serializers.CharField(read_only=True)


class OAuthAppInfoSerializer(AppPublicSerializer):
    """What anyone signed in may read about an application, for consent pages."""

    callback_urls = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_trusted = serializers.BooleanField(read_only=True)


class OAuthAppSerializer(OAuthAppInfoSerializer):
    """An application as its managers read it (never with its secret)."""

    creator_id = serializers.SerializerMethodField(help_text="The creator's user ID; empty if none.")
    create_at = serializers.SerializerMethodField(help_text="Milliseconds since the epoch.")
    update_at = serializers.SerializerMethodField(help_text="Milliseconds since the epoch.")
    client_type = serializers.ChoiceField(choices=CLIENT_TYPES, read_only=True)
    registration_source = serializers.CharField(
        read_only=True,
        help_text=(
            'How the app came to be: "manual", "dcr" (it registered itself, RFC 7591) '
            'or "cimd" (a client ID metadata document).'
        ),
    )
    scopes = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The registered scopes the application may ask for; empty: every registered scope.",
    )
    is_dynamically_registered = serializers.BooleanField(
        read_only=True, help_text="Whether the client registered itself (RFC 7591) rather than being added by a person."
    )

    def get_creator_id(self, app) -> str:
        return str(app.user_id) if app.user_id is not None else ""

    def get_create_at(self, app) -> int:
        return epoch_ms(app.created)

    def get_update_at(self, app) -> int:
        return epoch_ms(app.updated)


class OAuthAppWithSecretSerializer(OAuthAppSerializer):
    """An application with its client secret: only in the create and regenerate responses."""

    # The plaintext comes in context={"client_secret": ...}: the database keeps only its hash.
    client_secret = serializers.SerializerMethodField(
        help_text="Shown this once; only its hash is kept. Empty for public clients."
    )

    def get_client_secret(self, app) -> str:
        return self.context["client_secret"]


class _OAuthAppInput(StrictInputSerializer):
    # The editable fields; unknown keys are refused, read-only ones ignored.
    ignored_keys = READ_ONLY_KEYS
    # Names and descriptions are trimmed (as the HTML forms do); URLs are taken as sent.
    name = StrictCharField(allow_blank=True)
    description = StrictCharField(allow_blank=True)
    homepage = StrictCharField(allow_blank=True, trim_whitespace=False)
    icon_url = StrictCharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)
    callback_urls = URLListField()
    is_trusted = StrictBooleanField(
        required=False, help_text="Only superusers may set it; anyone else's value is ignored."
    )
    client_type = serializers.ChoiceField(
        choices=CLIENT_TYPES,
        required=False,
        help_text="Fixed at registration. Confidential clients get a secret; public clients use PKCE.",
    )
    scopes = ScopeListField(
        required=False,
        help_text="Registered scope names the application may ask for; empty or left out: every registered scope.",
    )

    def validate(self, attrs):
        if attrs.get("icon_url", "") is None:
            attrs["icon_url"] = ""
        return attrs


class OAuthAppCreateSerializer(_OAuthAppInput):
    """A new application. The server's own keys (id, client_secret, creator_id, ...) are ignored if sent."""


class OAuthAppUpdateSerializer(_OAuthAppInput):
    """Changes to an application: a field left out stays as it is, so the whole app as read may be sent back.

    The server's own keys (client_secret, creator_id, create_at, update_at) are ignored.
    """

    # Expects context={"client_id": <the app in the URL>}.
    id = StrictCharField(required=False, help_text="If sent, must be this application's client ID.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def validate_id(self, value):
        if value != self.context["client_id"]:
            raise serializers.ValidationError("The id in the body does not match the application in the URL.")
        return value

    def validate(self, attrs):
        attrs.pop("id", None)
        return super().validate(attrs)


class StatusOKSerializer(serializers.Serializer):
    """Mattermost's reply to a delete."""

    status = serializers.CharField(read_only=True)
