"""The form of the "New organization" page.

The rules (name length, slug shape, a slug used once) are the model's and
``mm_oauth.services.organizations.create_organization``'s; the form only
proposes a slug from the name when none is typed.
"""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..models import Organization


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=Organization._meta.get_field("name").max_length,
        help_text=_("How the organization is shown to its members and on consent pages."),
    )
    slug = forms.SlugField(
        label=_("Slug"),
        required=False,
        max_length=Organization._meta.get_field("slug").max_length,
        help_text=_("Its short name in URLs: letters, numbers, hyphens, underscores. Made from the name if empty."),
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("slug") and "slug" not in self.errors:
            data["slug"] = slugify(data["name"])[: self.fields["slug"].max_length].strip("-")
            if not data["slug"]:
                self.add_error("slug", _("The name gives no slug: type one (letters, numbers, hyphens)."))
        return data
