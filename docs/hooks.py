"""MkDocs hook: the settings reference, generated from the code at build time so it cannot drift.

A page asks for a table with a marker, ``<!-- mm_oauth:settings NAME -->``, replaced here by:

- ``MM_OAUTH``: every key of ``mm_oauth.conf.DEFAULTS``, its default and the comment above it;
- ``OAUTH2_PROVIDER``: what ``mm_oauth.defaults.oauth2_provider_settings()`` sets, with its comments;
- ``oidc_settings``: what ``mm_oauth.defaults.oidc_settings()`` adds;
- ``provider``: the fields of the provider settings model (label, default, help text);
- ``checks``: the system checks of ``mm_oauth/checks.py``, by ID, with their message and hint.

The comments are read from the source with ``ast``, so a key added without one shows up
with an empty reason rather than not at all; an unknown marker fails the build.
"""

import ast
import inspect
import os
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"<!-- mm_oauth:settings (?P<name>[\w ]+?) -->")


def on_config(config):
    """Set Django up (the example site's settings) so the models can be read."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
    import django

    django.setup()
    return config


def on_page_markdown(markdown, page, config, files):
    """Replace each settings marker on the page with its generated table."""
    return MARKER.sub(lambda match: render(match["name"]), markdown)


def render(name):
    renderers = {
        "MM_OAUTH": render_mm_oauth,
        "OAUTH2_PROVIDER": render_oauth2_provider,
        "oidc_settings": render_oidc_settings,
        "provider": render_provider_settings,
        "checks": render_checks,
    }
    if name not in renderers:
        raise PluginError(f"Unknown settings marker {name!r}; known: {', '.join(renderers)}.")
    return renderers[name]()


# --- reading dict literals and the comments above their keys


def commented_keys(module, variable):
    """Return ``[(key, source of the value, comment)]`` for the dict literal ``module.variable``."""
    source = inspect.getsource(module)
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == variable for t in node.targets):
            return [
                (key.value, ast.get_source_segment(source, value), comment_above(lines, key.lineno))
                for key, value in zip(node.value.keys, node.value.values, strict=True)
            ]
    raise PluginError(f"{variable} not found in {module.__name__}.")


def comment_above(lines, lineno):
    """Return the comment lines directly above line ``lineno`` (1-based), joined as Markdown prose."""
    comment = []
    index = lineno - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        comment.insert(0, lines[index].strip().lstrip("#").strip())
        index -= 1
    text = " ".join(comment).replace("``", "`")
    return prose(re.sub(r"^-+\s*", "", text))


def groups(entries):
    """Group keys under the comment above the first of them (a key without one shares its predecessor's)."""
    grouped = []
    for key, source, comment in entries:
        if comment or not grouped:
            grouped.append(([], comment))
        grouped[-1][0].append((key, source))
    return grouped


def prose(text):
    """Text for a table cell: Markdown's emphasis and HTML characters escaped outside `code` spans."""
    parts = str(text).split("`")
    for index in range(0, len(parts), 2):
        parts[index] = re.sub(r"([*_\\])", r"\\\1", parts[index]).replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


def code(value):
    return f"`{value}`".replace("|", "\\|")


def value_cell(actual, source=None):
    """The value as Python writes it; the source expression too when it says more (``5 * 1024``)."""
    shown = code(repr(actual))
    if source and source != repr(actual) and not source.startswith(("[", "{", '"', "'")):
        shown += f" ({code(source)})"
    return shown


def stacked(pairs):
    """One cell of keys, each over its value, so the table leaves room for the reason beside them."""
    return "<br>".join(f"**{code(key)}**<br>= {value}" for key, value in pairs)


def table(header, rows):
    out = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
    out += [f"| {' | '.join(cell.replace(chr(10), ' ') for cell in row)} |" for row in rows]
    return "\n".join(out) + "\n"


# --- the four tables


def render_mm_oauth():
    from mm_oauth import conf

    rows = []
    for keys, comment in groups(commented_keys(conf, "DEFAULTS")):
        rows.append([stacked((key, value_cell(conf.DEFAULTS[key], source)) for key, source in keys), comment])
    return table(["key = default", "what it does, and why"], rows)


def render_oauth2_provider():
    from mm_oauth import defaults

    values = defaults.oauth2_provider_settings()
    rows = []
    for keys, comment in groups(commented_keys(defaults, "RECOMMENDED")):
        rows.append([stacked((key, code(repr(values[key]))) for key, _ in keys), comment])
    return table(["key = value", "why"], rows)


def render_oidc_settings():
    from mm_oauth.defaults import oidc_settings

    values = oidc_settings("<your PEM key>")
    return table(["key = value", ""], [[stacked([(key, code(repr(value)))]), ""] for key, value in values.items()])


def render_provider_settings():
    from django.utils import translation

    from mm_oauth.models import ProviderSettings

    rows = []
    with translation.override("en"):
        for name in ProviderSettings.FLAGS + ProviderSettings.TEXT_SETTINGS:
            field = ProviderSettings._meta.get_field(name)
            rows.append([code(name), prose(field.verbose_name), code(repr(field.default)), prose(field.help_text)])
    return table(["setting", "label (admin)", "default", "help text"], rows)


def render_checks():
    from mm_oauth import checks

    source = inspect.getsource(checks)
    found = {}
    for node in ast.walk(ast.parse(source)):
        keywords = {keyword.arg: keyword.value for keyword in getattr(node, "keywords", ())}
        if isinstance(node, ast.Call) and isinstance(keywords.get("id"), ast.Constant) and node.args:
            hint = text_of(keywords["hint"]) if "hint" in keywords else ""
            found.setdefault(keywords["id"].value, []).append((text_of(node.args[0]), hint))
    rows = [
        [code(check_id), prose(message), prose(hint)] for check_id in sorted(found) for message, hint in found[check_id]
    ]
    return table(["check", "message", "hint"], rows)


def text_of(node):
    """A message as the code writes it: literal text, with ``{...}`` where a value goes in."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{…}" for part in node.values)
    if isinstance(node, ast.BinOp):
        return text_of(node.left) + text_of(node.right)
    return "{…}"
