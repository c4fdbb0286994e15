"""Every page, and every notice mailed, in German when the browser asks for German: no English sentence left.

The English sentences are the catalogs' own: every msgid of mm_oauth's and the
example site's German catalogs whose German differs. A page is rendered by
Django's test client with ``Accept-Language: de``; its text (tags stripped,
plus the attributes a screen reader speaks) must hold none of them, and its
``<html>`` must say ``lang="de"``. A sentence marked for translation but
rendered before the language is chosen (at import time, say) shows up here.
"""

import gettext
import html
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

import example_project
import mm_oauth
from mm_oauth import scopes
from mm_oauth.services import organizations as orgs
from mm_oauth.services.provider_settings import update_provider_settings
from tests.oauth_helpers import authorize
from tests.test_translations import read_mo, read_po, require_gettext

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provider_on")]

CATALOGS = [
    Path(mm_oauth.__file__).resolve().parent / "locale/de/LC_MESSAGES/django.mo",
    Path(example_project.__file__).resolve().parent / "locale/de/LC_MESSAGES/django.mo",
]
# The parts of a msgid that never appear as they are: placeholders and markup.
NOT_LITERAL = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{?[^}]*\}?\}|<[^>]+>")
SPOKEN_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


@cache
def english_sentences():
    """Return the English phrases (two words or more) whose German translation reads differently."""
    phrases = set()
    for path in CATALOGS:
        with open(path, "rb") as fp:
            catalog = gettext.GNUTranslations(fp)._catalog
        for key, german in catalog.items():
            msgid = key[0] if isinstance(key, tuple) else key.rpartition("\x04")[2]
            for piece in NOT_LITERAL.split(msgid):
                piece = " ".join(piece.split()).strip(" .,:;()")
                if len(re.findall(r"[A-Za-z]+", piece)) >= 2 and piece not in german:
                    phrases.add(piece)
    return sorted(phrases)


def page_text(content):
    """Return what a person reads and hears of an HTML page: its text and its spoken attributes."""
    content = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", content)
    spoken = " ".join(SPOKEN_ATTRIBUTES.findall(content))
    text = re.sub(r"<[^>]+>", " ", content)
    return " ".join(html.unescape(f"{text} {spoken}").split())


def english_in(text):
    return [phrase for phrase in english_sentences() if phrase in text]


def assert_german_page(response):
    assert response.status_code in (200, 400, 403, 501), (response.status_code, response.content[:300])
    content = response.content.decode()
    assert re.search(r'<html lang="de"', content), content[:300]
    leaks = english_in(page_text(content))
    assert not leaks, f"English on the German page {response.request['PATH_INFO']}: {leaks}"


@pytest.fixture
def story(user, make_user, make_app):
    """Alice: owner of Acme (bob a member, restrictions on), creator of an app, and a user of another."""
    update_provider_settings(restrict_to_admins=False)
    org = orgs.create_organization(actor=user, name="Acme", slug="acme")
    bob = make_user("bob")
    orgs.add_member(actor=user, org=org, user_id=bob.pk, role="member")
    own = make_app(name="Release notes bot", creator=user)
    other = make_app(name="Zapier", description="Connects apps", callback_urls=["https://z.example.com/cb"])
    return {"org": org, "bob": bob, "own": own, "other": other}


@pytest.fixture
def german(client_for, user):
    """Alice's browser, asking for German."""
    return client_for(user, **GERMAN)


def consent_query(app):
    return {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback_urls[0]}


def test_the_catalogs_yield_english_sentences_to_look_for():
    phrases = english_sentences()
    assert "This application will be able to" in phrases
    assert "Authorized applications" in phrases  # the example's own catalog


def test_an_english_sentence_on_a_page_is_found():
    assert english_in(page_text('<p aria-label="Skip to content">Weiter</p>')) == ["Skip to content"]


@pytest.mark.parametrize("path", ["/", "/login/"])
def test_pages_for_visitors_are_german(path):
    assert_german_page(Client(**GERMAN).get(path))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/account/",
        "/board/",
        "/account/security/oauth-apps/",
        "/integrations/oauth2-apps/",
        "/integrations/oauth2-apps/add/",
        "/organizations/",
        "/organizations/new/",
        "/oauth/authorize?response_type=code&client_id=no-such-client",
    ],
)
def test_pages_are_german(german, story, path):
    assert_german_page(german.get(path))


def test_consent_page_with_organizations_is_german(german, story):
    response = german.get("/oauth/authorize", consent_query(story["other"]))

    assert "Acme" in response.content.decode()
    assert_german_page(response)


def test_authorized_app_pages_are_german(german, story):
    authorize(german, story["other"])
    client_id = story["other"].client_id

    assert_german_page(german.get("/account/security/oauth-apps/"))
    assert_german_page(german.get(f"/account/security/oauth-apps/{client_id}/deauthorize/"))


def test_app_management_pages_are_german(german, story):
    client_id = story["own"].client_id
    for path in ("edit/", "regenerate-secret/", "delete/"):
        assert_german_page(german.get(f"/integrations/oauth2-apps/{client_id}/{path}"))

    errors = german.post("/integrations/oauth2-apps/add/", {})
    assert errors.context["form"].errors
    assert_german_page(errors)

    fields = {"name": "Bot", "description": "Posts", "homepage": "https://bot.example.com"}
    fields.update(callback_urls="https://bot.example.com/cb", client_type="confidential")
    assert_german_page(german.post("/integrations/oauth2-apps/add/", fields, follow=True))  # the secret page


def test_organization_pages_are_german(german, story):
    base = "/organizations/acme/settings/third-party-access/"
    orgs.request_access(actor=story["bob"], org=story["org"], app=story["other"])

    assert_german_page(german.get(base))
    assert_german_page(german.get(base + "restrictions/off/"))


def test_refusals_are_german(client_for, story):
    bob = client_for(story["bob"], **GERMAN)
    update_provider_settings(restrict_to_admins=True)

    for path in ("/integrations/oauth2-apps/add/", "/organizations/acme/settings/third-party-access/"):
        response = bob.get(path)  # only admins register apps here; bob is a member of Acme, not an owner
        assert response.status_code == 403
        assert_german_page(response)


def test_changing_callback_urls_asks_in_german(german, story):
    app = story["own"]
    fields = {"name": app.name, "description": app.description, "homepage": app.homepage}
    fields["callback_urls"] = "https://elsewhere.example.com/cb"

    response = german.post(f"/integrations/oauth2-apps/{app.client_id}/edit/", fields)

    assert response.templates[0].name == "mm_oauth/apps/confirm_callbacks.html"
    assert_german_page(response)


def test_provider_off_page_is_german(german, story):
    update_provider_settings(enable_provider=False)

    response = german.get("/integrations/oauth2-apps/")

    assert response.status_code == 501
    assert_german_page(response)


def assert_german_mail(message):
    leaks = english_in(f"{message.subject} {message.body}")
    assert not leaks, f"English in the German notice {message.subject!r}: {leaks}"


def test_notices_are_mailed_in_the_language_of_the_request_that_caused_them(
    german, story, client_for, django_capture_on_commit_callbacks, mm_oauth_settings
):
    mm_oauth_settings(NOTIFY_NEW_AUTHORIZATION=True)
    bob = client_for(story["bob"], **GERMAN)
    client_id = story["other"].client_id
    with django_capture_on_commit_callbacks(execute=True):
        authorize(german, story["other"])  # the new-authorization notice to alice
        bob.post(f"/organizations/acme/third-party-access/{client_id}/request/")  # the owners are told
        german.post(f"/organizations/acme/settings/third-party-access/{client_id}/approve/")  # the requester is told

    assert len(mail.outbox) == 3, [message.subject for message in mail.outbox]
    for message in mail.outbox:
        assert_german_mail(message)


def test_scope_descriptions_are_german(oidc_on):
    with translation.override("de"):
        descriptions = [str(scope.description) for scope in scopes.builtin_scopes()]

    assert len(descriptions) == 5
    assert not english_in(" ".join(descriptions)), descriptions


def test_client_types_from_django_oauth_toolkit_are_german(german, story):
    page = page_text(german.get("/integrations/oauth2-apps/").content.decode())

    assert "Client-Typ Vertraulich" in page


def test_the_example_sites_catalog_is_translated_and_compiled(tmp_path):
    po_path = CATALOGS[1].with_suffix(".po")
    untranslated = [
        msgid for msgid, (msgstrs, flags) in read_po(po_path).items() if not all(msgstrs) or "fuzzy" in flags
    ]
    assert not untranslated, f"untranslated in {po_path}: {untranslated}"
    require_gettext("msgfmt")
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(po_path)], check=True)
    assert read_mo(CATALOGS[1]) == read_mo(compiled), f"{CATALOGS[1]} is out of date: run compilemessages"


def test_the_navbars_language_switcher_keeps_the_page(client_for, user):
    client = client_for(user)
    assert 'name="language" value="de"' in client.get("/account/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "de", "next": "/account/"})

    assert (response.status_code, response["Location"]) == (302, "/account/")
    page = client.get("/account/").content.decode()
    assert '<html lang="de"' in page and "Kontoeinstellungen" in page
    assert 'name="language" value="en"' in page  # and back to English
