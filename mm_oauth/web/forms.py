"""The application form of the Integrations pages.

The field rules live once, in ``mm_oauth.validators`` and the model. The form
checks them through the model (``full_clean`` on an unsaved stand-in) so every
error shows next to its field before anything is saved, or before the
callback confirmation step is offered. No FormHelper: the host's
``CRISPY_TEMPLATE_PACK`` decides how the form looks.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication, get_application_model

from .. import policy, validators
from .. import scopes as scope_registry
from ..errors import messages_by_field

# The model stores the callback URLs in DOT's ``redirect_uris`` and reports their errors there.
MODEL_TO_FORM_FIELD = {"redirect_uris": "callback_urls", "allowed_scopes": "scopes"}
TEXT_FIELDS = ("name", "description", "homepage", "icon_url")

CLIENT_TYPE_CHOICES = [
    (
        AbstractApplication.CLIENT_CONFIDENTIAL,
        _("Confidential: a server-side application that can keep a client secret"),
    ),
    (
        AbstractApplication.CLIENT_PUBLIC,
        _("Public: a mobile, desktop or single-page application; no client secret, PKCE required"),
    ),
]


class ApplicationForm(forms.Form):
    """Register an application (``app=None``) or change one.

    The client type is chosen at registration only. *Is Trusted* is a field for
    superusers only: for anyone else it is not rendered, and a submitted value
    never reaches the services (which ignore it as well).
    """

    name = forms.CharField(
        label=_("Display Name"),
        max_length=validators.NAME_MAX_LENGTH,
        help_text=_("Shown to users on the consent page. At most 64 characters."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=validators.DESCRIPTION_MAX_LENGTH,
        help_text=_("What the application does, in a sentence. At most 512 characters."),
    )
    homepage = forms.CharField(
        label=_("Homepage"),
        max_length=validators.HOMEPAGE_MAX_LENGTH,
        widget=forms.URLInput,
        help_text=_("The application's web site, starting with http:// or https://."),
    )
    icon_url = forms.CharField(
        label=_("Icon URL"),
        required=False,
        max_length=validators.ICON_URL_MAX_LENGTH,
        widget=forms.URLInput,
        help_text=_("Optional: an image shown next to the application's name, starting with http:// or https://."),
    )
    callback_urls = forms.CharField(
        label=validators.CALLBACK_URLS_LABEL,
        widget=forms.Textarea(
            attrs={"rows": 3, "class": "mm-oauth-grow", "spellcheck": "false", "autocapitalize": "off"}
        ),
        help_text=_(
            "One URL per line. Users are sent back to one of these after they sign in; each must start "
            "with https:// (http:// only for 127.0.0.1, [::1] or localhost) and have no fragment (#). "
            "A public client (a native app) may also use its own private-use scheme, such as "
            "com.example.app:/callback, and a loopback callback on any port."
        ),
    )
    client_type = forms.ChoiceField(
        label=_("Client type"),
        choices=CLIENT_TYPE_CHOICES,
        initial=AbstractApplication.CLIENT_CONFIDENTIAL,
        widget=forms.RadioSelect,
    )
    is_trusted = forms.BooleanField(
        label=_("Is Trusted"),
        required=False,
        help_text=_("Trusted applications sign users in without showing the consent page."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Allowed scopes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The permissions the application may ask users for. Leave all unticked to allow every scope, "
            "including scopes this site adds later."
        ),
    )

    def __init__(self, *args, user, app=None, **kwargs):
        self.app = app
        if app is not None:
            kwargs.setdefault("initial", initial_for(app))
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = scope_choices()
        if app is not None:
            del self.fields["client_type"]  # fixed at registration
        if not policy.may_set_trusted(user):
            del self.fields["is_trusted"]

    def clean_callback_urls(self):
        # One URL per line: a line holding a space is one bad URL, not two good ones.
        return validators.validate_callback_lines(self.cleaned_data["callback_urls"], public=self.is_public())

    def is_public(self):
        """Return whether the app is a public client (a native app's schemes are allowed only then).

        The client type field may not be cleaned yet: the submitted value decides here, and the
        model (in ``clean``) checks the callbacks again against the cleaned one.
        """
        if self.app is not None:
            return self.app.is_public
        return self.data.get(self.add_prefix("client_type")) == AbstractApplication.CLIENT_PUBLIC

    def clean(self):
        cleaned_data = super().clean()
        try:
            self._stand_in(cleaned_data).full_clean(
                exclude=["client_secret"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self.add_model_errors(error)
        return cleaned_data

    def _stand_in(self, cleaned_data):
        """Return an unsaved application holding the submitted values (the real one stays untouched)."""
        Application = get_application_model()
        client_type = self.app.client_type if self.app is not None else cleaned_data.get("client_type")
        stand_in = Application(
            client_type=client_type or AbstractApplication.CLIENT_CONFIDENTIAL,
            **{name: cleaned_data.get(name) or "" for name in TEXT_FIELDS},
        )
        stand_in.callback_urls = cleaned_data.get("callback_urls") or []
        stand_in.scopes = cleaned_data.get("scopes") or []
        return stand_in

    def add_model_errors(self, error):
        """Show a model or service ValidationError next to the fields it concerns.

        A field that already shows an error keeps only that one; errors about
        fields the form does not have go to the top of the form.
        """
        for field, messages in messages_by_field(error, MODEL_TO_FORM_FIELD).items():
            if field not in self.fields:
                self.add_error(None, messages)
            elif field not in self.errors:
                self.add_error(field, messages)

    def service_fields(self):
        """Return the cleaned values as keyword arguments for the application services."""
        names = (*TEXT_FIELDS, "callback_urls", "client_type", "is_trusted", "scopes")
        return {name: self.cleaned_data[name] for name in names if name in self.fields}


def initial_for(app):
    """Return the form's initial values for ``app`` (never its secret)."""
    return {
        "name": app.name,
        "description": app.description,
        "homepage": app.homepage,
        "icon_url": app.icon_url,
        "callback_urls": "\n".join(app.callback_urls),
        "is_trusted": app.is_trusted,
        "scopes": app.scopes,
    }


def scope_choices():
    """Return every registered scope as a checkbox choice: its name and what it allows."""
    return [(scope.name, f"{scope.name}: {scope.description}") for scope in scope_registry.registry().values()]
