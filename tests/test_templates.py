"""mm_oauth's templates hold no CSS framework: pages render through element templates a host maps to its own.

The shipped templates use only mm_oauth's ``mm-…`` classes (styled by
``mm_oauth/mm_oauth.css``); the example project maps the elements to
Bootstrap 5 in ``example_project/templates/mm_oauth/elements/``.
"""

import re
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

import mm_oauth
from mm_oauth.services.authorizations import record_authorization
from mm_oauth.services.provider_settings import update_provider_settings

TEMPLATE_DIR = Path(mm_oauth.__file__).resolve().parent / "templates"
TEMPLATES = sorted(path for path in TEMPLATE_DIR.rglob("*") if path.is_file())

# Bootstrap's class names, and the prefixes of its component, form, grid and utility classes.
BOOTSTRAP_CLASS = re.compile(
    r"""^(?:
        btn|alert|badge|card|table|row|container|container-fluid|nav|navbar|list-group|pagination|page-item
        |page-link|breadcrumb|breadcrumb-item|visually-hidden|visually-hidden-focusable|small|lead|mark|initialism
        |h[1-6]|display-[1-6]|disabled|active|show|fade|collapse|close|clearfix|shadow|border|rounded|invisible
        |(?:btn|alert|badge|card|table|form|input-group|col|row|list-group|nav|navbar|page|dropdown|modal|toast
          |spinner|progress|accordion|carousel|offcanvas|tooltip|popover|breadcrumb|link|icon-link|text-bg|text|bg
          |border|rounded|shadow|d|flex|justify-content|align-items|align-self|align-content|order|gap|g|gx|gy
          |w|h|mw|mh|vw|vh|min-vw|min-vh|fw|fs|fst|lh|font-monospace|user-select|pe|ps|me|ms|mx|my|mt|mb|m|px|py
          |pt|pb|p|position|top|bottom|start|end|translate-middle|float|overflow|opacity|z|ratio|object-fit
          |placeholder|stretched-link|text-truncate|vr|hstack|vstack|sticky|fixed|was-validated|is-valid
          |is-invalid|invalid-feedback|valid-feedback)-\S*
    )$""",
    re.VERBOSE,
)
TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
# Classes a page passes to an element ({% mm_element "button" classes="…" %}) end up in the HTML too.
ELEMENT_CLASSES = re.compile(r"""\{%\s*mm_element\b[^%]*?\bclasses=(["'])(.*?)\1""", re.S)
CLASS_ATTRIBUTE = re.compile(r"""\bclass=(["'])(.*?)\1""", re.S)


def classes_in(source):
    """Return the CSS classes a template's source writes, its template code left out."""
    found = [value for _, value in ELEMENT_CLASSES.findall(source)]
    found += [value for _, value in CLASS_ATTRIBUTE.findall(TEMPLATE_CODE.sub(" ", source))]
    return {name for value in found for name in value.split()}


def bootstrap_classes_in(source):
    return sorted(name for name in classes_in(source) if BOOTSTRAP_CLASS.match(name))


@pytest.mark.parametrize(
    "source, expected",
    [
        ('<a class="btn btn-primary mm-oauth-add">', ["btn", "btn-primary"]),
        ('<p class="mm-oauth-meta text-muted small">', ["small", "text-muted"]),
        ('<div class="d-flex gap-2 mb-0 col-md-6">', ["col-md-6", "d-flex", "gap-2", "mb-0"]),
        ('<span class="visually-hidden">', ["visually-hidden"]),
        ('{% mm_element "button" classes="w-100 mm-oauth-copy" %}Copy{% endmm_element %}', ["w-100"]),
        ('<div class="mm-alert mm-alert--{{ level }}{% if classes %} {{ classes }}{% endif %}">', []),
        ('<h1 class="mm-oauth-page-title">', []),
    ],
)
def test_the_bootstrap_detector_finds_bootstrap_classes(source, expected):
    assert bootstrap_classes_in(source) == expected


def test_there_are_templates_to_check():
    assert TEMPLATE_DIR / "mm_oauth" / "base.html" in TEMPLATES
    assert TEMPLATE_DIR / "mm_oauth" / "elements" / "button.html" in TEMPLATES


@pytest.mark.parametrize("path", TEMPLATES, ids=[str(p.relative_to(TEMPLATE_DIR)) for p in TEMPLATES])
def test_no_template_uses_a_bootstrap_class(path):
    found = bootstrap_classes_in(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(TEMPLATE_DIR)} uses Bootstrap classes {found}: use an element or an mm- class"


@pytest.mark.parametrize("path", TEMPLATES, ids=[str(p.relative_to(TEMPLATE_DIR)) for p in TEMPLATES])
def test_every_class_is_mm_oauths_own(path):
    foreign = sorted(name for name in classes_in(path.read_text(encoding="utf-8")) if not name.startswith("mm-"))
    assert not foreign, f"{path.relative_to(TEMPLATE_DIR)} uses classes outside mm_oauth's mm- namespace: {foreign}"


# Rendering with mm_oauth's own templates only: no host base.html, no host elements.


@pytest.fixture
def plain_templates(settings):
    """A host that overrides nothing: its template DIRS are empty, so mm_oauth's defaults render."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]


def consent_page(client, app):
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]}
    return client.get("/oauth/authorize", query).content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on", "plain_templates")
def test_the_consent_page_renders_mm_oauths_own_elements(client, user, app):
    client.force_login(user)
    page = consent_page(client, app)
    assert '<body class="mm-oauth">' in page and "mm_oauth/mm_oauth.css" in page
    assert (
        '<button type="submit" name="allow" value="" class="mm-button mm-button--secondary mm-button--outline '
        'mm-oauth-deny">Deny</button>' in page
    )
    assert (
        '<button type="submit" name="allow" value="Authorize" class="mm-button mm-button--primary '
        'mm-oauth-allow">Allow</button>' in page
    )
    assert not bootstrap_classes_in(page)


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on", "plain_templates")
def test_the_apps_list_renders_mm_oauths_own_elements(client, superuser, app):
    client.force_login(superuser)
    page = client.get("/integrations/oauth2-apps/").content.decode()
    assert 'class="mm-button mm-button--primary mm-oauth-add"' in page
    assert '<label for="mm-oauth-filter" class="mm-visually-hidden">' in page
    assert (
        '<input type="search" id="mm-oauth-filter" name="q" value="" class="mm-input" placeholder="Filter by name">'
        in page
    )
    assert (
        f'<button type="button" class="mm-button mm-button--secondary mm-button--outline mm-button--sm mm-oauth-copy" '
        f'aria-label="Copy the client ID" data-copied-label="Copied" data-copy-target="client-id-{app.pk}" '
        f'data-select-label="Press Ctrl+C to copy">Copy</button>' in page
    )
    assert "mm-button mm-button--danger mm-button--outline mm-button--sm" in page
    assert not bootstrap_classes_in(page)


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on", "plain_templates")
def test_the_authorized_apps_page_renders_mm_oauths_own_alert_and_badge(client, user, trusted_app):
    record_authorization(user, trusted_app, ["read"])
    update_provider_settings(enable_provider=False)
    client.force_login(user)
    page = client.get("/account/security/oauth-apps/").content.decode()
    assert '<div class="mm-alert mm-alert--neutral" role="status">' in page
    assert '<span class="mm-badge mm-badge--success mm-oauth-trusted-badge">Trusted</span>' in page
    assert not bootstrap_classes_in(page)


@pytest.mark.django_db
@pytest.mark.usefixtures("provider_on")
def test_the_example_project_maps_the_elements_to_bootstrap(client, user, app):
    client.force_login(user)
    page = consent_page(client, app)
    assert (
        '<button type="submit" name="allow" value="Authorize" class="btn btn-primary mm-oauth-allow">Allow</button>'
        in page
    )
    assert 'class="btn btn-outline-secondary mm-oauth-deny"' in page
    assert "mm-button" not in page


# The {% mm_element %} tag itself.


def render(source, **context):
    return Template("{% load mm_oauth_elements %}" + source).render(Context(context))


@pytest.mark.usefixtures("plain_templates")
def test_an_element_escapes_its_arguments_and_keeps_its_body():
    html = render(
        '{% mm_element "alert" level=level role="alert" data_note=note %}<b>{{ text }}</b>{% endmm_element %}',
        level="error",
        note='"quoted"',
        text="<b>",
    )
    assert html == (
        '<div class="mm-alert mm-alert--error" role="alert" data-note="&quot;quoted&quot;">\n  <b>&lt;b&gt;</b>\n</div>'
    )


@pytest.mark.usefixtures("plain_templates")
def test_a_button_with_an_href_is_a_link():
    html = render('{% mm_element "button" href="/x/" variant="link" %}Cancel{% endmm_element %}')
    assert html == '<a href="/x/" class="mm-button mm-button--link">Cancel</a>'


@pytest.mark.parametrize(
    "source",
    ["{% mm_element %}{% endmm_element %}", '{% mm_element "button" primary %}{% endmm_element %}'],
)
def test_the_element_tag_rejects_a_missing_name_or_positional_arguments(source):
    with pytest.raises(TemplateSyntaxError):
        render(source)
