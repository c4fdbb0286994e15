"""Partial consent: the user may untick the optional scopes a client asked for.

RFC 6749 section 3.3 lets the authorization server grant fewer scopes than
requested; the token response then says which (section 5.1). Required scopes
(``mm_oauth.scopes``) are granted with the rest or not at all (Deny).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from oauth2_provider.forms import AllowForm

from .. import scopes as scope_registry

NOTHING_GRANTED_MESSAGE = _("Allow at least one permission, or deny the request.")
NOT_REQUESTED_MESSAGE = _("Only the optional permissions the application asked for can be granted.")


def consent_items(requested):
    """Return the consent page's rows for the ``requested`` scope names: name, description, optional."""
    return scope_registry.describe(requested)


class ConsentForm(AllowForm):
    """DOT's form plus ``granted``: the optional scopes the user left ticked.

    ``scope`` (hidden) still carries what the client requested; after cleaning
    it holds what the user granted, and ``refused`` what they unticked. A
    ``granted`` value that was not requested, or is not optional, is refused:
    a forged POST cannot widen the grant.
    """

    granted = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, error_messages={"invalid_choice": NOT_REQUESTED_MESSAGE}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        requested = str(self.data.get("scope", "") if self.is_bound else self.initial.get("scope", "")).split()
        optional = [scope for scope in scope_registry.describe(requested) if scope.optional]
        self.fields["granted"].choices = [(scope.name, scope.description) for scope in optional]

    def clean(self):
        cleaned_data = super().clean()
        if "scope" not in cleaned_data or self.errors:
            return cleaned_data
        requested = cleaned_data["scope"].split()
        optional = {name for name, _label in self.fields["granted"].choices}
        ticked = set(cleaned_data.get("granted", []))
        granted = [name for name in requested if name not in optional or name in ticked]
        if cleaned_data.get("allow") and not granted:
            raise ValidationError(NOTHING_GRANTED_MESSAGE, code="nothing_granted")
        cleaned_data["scope"] = " ".join(granted)
        cleaned_data["refused"] = [name for name in requested if name not in granted]
        return cleaned_data
