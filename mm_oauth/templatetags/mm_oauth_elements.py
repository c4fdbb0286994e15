"""Render mm_oauth's buttons, alerts, badges and inputs through element templates a host can override.

mm_oauth's pages hold no CSS framework of their own. Like allauth's
``{% element %}``, they write::

    {% load mm_oauth_elements %}
    {% mm_element "button" variant="danger" type="submit" %}{% translate "Delete" %}{% endmm_element %}

which renders ``mm_oauth/elements/button.html`` with the keyword arguments as
its context, the rendered body as ``content``, and the ``data_*`` and
``aria_*`` arguments as ready-made HTML attributes in ``attrs``
(``data_copy_target="x"`` becomes ``data-copy-target="x"``). The element
templates shipped with mm_oauth use its own ``mm-…`` classes, styled by
``mm_oauth/mm_oauth.css``; a host maps them to its framework by overriding
``templates/mm_oauth/elements/<name>.html`` (the example project maps them to
Bootstrap 5).
"""

from django import template
from django.forms.utils import flatatt
from django.template.base import token_kwargs
from django.utils.safestring import mark_safe

register = template.Library()

# Arguments passed through as HTML attributes, the underscore written as a hyphen.
ATTRIBUTE_PREFIXES = ("data_", "aria_")


class ElementNode(template.Node):
    def __init__(self, name, kwargs, nodelist):
        self.name = name
        self.kwargs = kwargs
        self.nodelist = nodelist

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.kwargs.items()}
        attrs = {
            key.replace("_", "-"): value
            for key, value in values.items()
            if key.startswith(ATTRIBUTE_PREFIXES) and value is not None and value is not False
        }
        element = context.template.engine.get_template(f"mm_oauth/elements/{self.name.resolve(context)}.html")
        # The body is template output, escaped already; the element sees only its own arguments.
        content = mark_safe(self.nodelist.render(context).strip())
        return element.render(context.new({**values, "content": content, "attrs": flatatt(attrs)}))


@register.tag("mm_element")
def mm_element(parser, token):
    """Render ``mm_oauth/elements/<name>.html``: ``{% mm_element "name" key=value … %}body{% endmm_element %}``."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes the element's name, e.g. {{% {bits[0]} \"button\" %}}.")
    remaining = bits[2:]
    kwargs = token_kwargs(remaining, parser, support_legacy=False)
    if remaining:
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' takes only key=value arguments after the name, not {remaining[0]!r}."
        )
    nodelist = parser.parse(("endmm_element",))
    parser.delete_first_token()
    return ElementNode(parser.compile_filter(bits[1]), kwargs, nodelist)
