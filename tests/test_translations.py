"""mm_oauth's translations: German comes out in German, and the shipped catalogs are complete and compiled.

The catalog checks run Django's ``makemessages`` and ``compilemessages`` on
temporary copies, so they need GNU gettext (``xgettext``, ``msgmerge``,
``msgfmt``); ``.ci/run`` installs it. Outside CI a machine without gettext
skips them; in CI (``CI`` set) they fail instead.
"""

import gettext
import os
import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

import mm_oauth
from mm_oauth import validators
from mm_oauth.services.provider_settings import PROVIDER_DISABLED_MESSAGE

PACKAGE_DIR = Path(mm_oauth.__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def require_gettext(*tools):
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        message = f"GNU gettext is not installed (missing {', '.join(missing)}; apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def read_po(path):
    """Return ``{msgid: (msgstrs, flags)}`` for a .po file's active entries (header and obsolete ones left out).

    A minimal reader of the subset of the PO format that GNU gettext writes:
    ``#,`` flag lines, ``msgid``/``msgstr`` keywords and continuation strings.
    ``msgstrs`` holds every form (``msgstr``, or ``msgstr[0]``, ``msgstr[1]``, ...).
    """
    entries = {}

    def unquote(text):
        # A PO string is a C string literal; Python's escape rules match for what gettext writes.
        return text[1:-1].encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")

    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags, fields, current = set(), {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[current] += unquote(line)
            else:
                current, _, value = line.partition(" ")
                fields[current] = unquote(value)
        msgid = fields.get("msgid")
        if msgid:
            entries[msgid] = ([value for key, value in fields.items() if key.startswith("msgstr")], flags)
    return entries


def read_mo(path):
    """Return a compiled catalog's messages (the header entry included) as a dict."""
    with open(path, "rb") as fp:
        return dict(gettext.GNUTranslations(fp)._catalog)


def test_there_is_a_german_catalog():
    assert LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po" in PO_FILES


def test_provider_disabled_message_comes_out_in_german():
    with translation.override("de"):
        assert str(PROVIDER_DISABLED_MESSAGE) == "Der Systemadministrator hat den OAuth 2.0-Dienstanbieter deaktiviert."
    with translation.override("en"):
        assert str(PROVIDER_DISABLED_MESSAGE) == "The system admin has turned off the OAuth 2.0 service provider."


def test_validation_messages_come_out_in_german_with_their_parameters():
    with translation.override("de"):
        with pytest.raises(ValidationError) as homepage:
            validators.validate_homepage("ftp://example.com/")
        with pytest.raises(ValidationError) as callbacks:
            validators.validate_callback_urls(["https://a.example.com/cb#frag"])
        # The messages are lazy: read them while German is active.
        homepage_messages, callback_messages = homepage.value.messages, callbacks.value.messages
    assert homepage_messages == ["Die Homepage muss eine gültige URL sein und mit http:// oder https:// beginnen."]
    assert callback_messages == ["Die Callback-URL https://a.example.com/cb#frag darf kein Fragment (#) enthalten."]


def test_provider_disabled_page_renders_in_german():
    # Rendered through the host's template chain (the example overrides mm_oauth/base.html).
    with translation.override("de"):
        context = {"message": PROVIDER_DISABLED_MESSAGE, "home_url": "/"}
        html = render_to_string("mm_oauth/provider_disabled.html", context)
    assert '<h1 class="mm-oauth-page-title">OAuth 2.0 ist deaktiviert</h1>' in html
    assert "Zurück zur Startseite" in html
    assert "Der Systemadministrator hat den OAuth 2.0-Dienstanbieter deaktiviert." in html
    assert "Bitten Sie den Systemadministrator dieser Website" in html


def test_app_verbose_name_is_translated():
    from django.apps import apps

    with translation.override("de"):
        assert str(apps.get_app_config("mm_oauth").verbose_name) == "OAuth 2.0-Anwendungen"


@pytest.mark.parametrize("po_path", PO_FILES, ids=[str(p.relative_to(LOCALE_DIR)) for p in PO_FILES])
def test_every_message_is_translated(po_path):
    entries = read_po(po_path)
    assert entries, f"{po_path} has no messages"
    untranslated = sorted(msgid for msgid, (msgstrs, _) in entries.items() if not msgstrs or not all(msgstrs))
    fuzzy = sorted(msgid for msgid, (_, flags) in entries.items() if "fuzzy" in flags)
    assert not untranslated, f"untranslated in {po_path}: {untranslated}"
    assert not fuzzy, f"fuzzy (needs review) in {po_path}: {fuzzy}"


def test_catalogs_hold_every_string_in_the_source(tmp_path, settings, monkeypatch):
    """Re-extract the strings (``makemessages``) from a copy of the package; no msgid may be missing or stale."""
    require_gettext("xgettext", "msgmerge", "msguniq")
    copy = tmp_path / "mm_oauth"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    # makemessages writes to LOCALE_PATHS first: keep it on the copy.
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(copy)
    languages = sorted(p.name for p in (copy / "locale").iterdir() if p.is_dir())
    call_command("makemessages", locale=languages, verbosity=0)

    for po_path in PO_FILES:
        shipped = set(read_po(po_path))
        extracted = set(read_po(copy / po_path.relative_to(PACKAGE_DIR)))
        assert not extracted - shipped, (
            f"strings missing from {po_path} (run `django-admin makemessages -a` in mm_oauth/ and translate them): "
            f"{sorted(extracted - shipped)}"
        )
        assert not shipped - extracted, (
            f"stale strings in {po_path} (run `django-admin makemessages -a` in mm_oauth/): "
            f"{sorted(shipped - extracted)}"
        )


@pytest.mark.parametrize("po_path", PO_FILES, ids=[str(p.relative_to(LOCALE_DIR)) for p in PO_FILES])
def test_compiled_catalog_matches_its_po_file(po_path, tmp_path, settings, monkeypatch):
    """Compile the .po afresh (``compilemessages``) in a temporary copy; the shipped .mo must hold the same messages."""
    require_gettext("msgfmt")
    shipped_mo = po_path.with_suffix(".mo")
    assert shipped_mo.exists(), f"{shipped_mo.relative_to(PACKAGE_DIR)} is missing: run `django-admin compilemessages`"

    copy = tmp_path / "locale" / po_path.relative_to(LOCALE_DIR)
    copy.parent.mkdir(parents=True)
    shutil.copyfile(po_path, copy)
    # compilemessages also compiles LOCALE_PATHS: keep it on the copy.
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(tmp_path)
    call_command("compilemessages", verbosity=0)

    assert read_mo(shipped_mo) == read_mo(copy.with_suffix(".mo")), (
        f"{shipped_mo.relative_to(PACKAGE_DIR)} is out of date: run `django-admin compilemessages` in mm_oauth/"
    )
