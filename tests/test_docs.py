"""The documentation site: the strict MkDocs build, and the settings reference it generates from the code.

``mkdocs build --strict`` with mkdocs.yml's ``validation`` fails on a link to a missing page, an anchor no
page has, an absolute link into the site or a missing image, so running it here checks every link inside
the site on every test run. The settings page must list every key the code defines, and no marker of
``docs/hooks.py`` may survive into the HTML.
"""

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mm_oauth import checks
from mm_oauth.conf import DEFAULTS
from mm_oauth.defaults import oauth2_provider_settings, oidc_settings
from mm_oauth.models import ProviderSettings

# Each test runs ``mkdocs build`` in a process of its own (make test runs them; -m "not slow" skips them).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / "docs" / "hooks.py"


def mkdocs_build(config, site_dir):
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the documentation strictly into a temporary directory; return that directory."""
    site_dir = tmp_path_factory.mktemp("docs-site")
    result = mkdocs_build(ROOT / "mkdocs.yml", site_dir)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    return site_dir


def page_text(site, name):
    """The page's HTML with entities decoded (backticks became <code>, quotes &#39;)."""
    return html.unescape((site / name / "index.html").read_text())


def test_strict_build_covers_every_page_of_the_nav(site):
    for name in ("quickstart", "settings", "pages", "api", "organizations", "security", "deployment", "upgrading"):
        assert (site / name / "index.html").is_file(), name


def test_settings_page_lists_every_mm_oauth_key_with_its_default(site):
    text = page_text(site, "settings")
    for key, default in DEFAULTS.items():
        assert f"<code>{key}</code>" in text, key
        assert f"<code>{default!r}</code>" in text, (key, default)


def test_settings_page_lists_what_oauth2_provider_settings_sets(site):
    text = page_text(site, "settings")
    for key in [*oauth2_provider_settings(), *oidc_settings("key")]:
        assert f"<code>{key}</code>" in text, key


def test_settings_page_lists_every_provider_setting_and_system_check(site):
    text = page_text(site, "settings")
    for name in ProviderSettings.FLAGS + ProviderSettings.TEXT_SETTINGS:
        assert f"<code>{name}</code>" in text, name
        assert str(ProviderSettings._meta.get_field(name).verbose_name) in text, name
    check_ids = set(re.findall(r'id="(mm_oauth\.[EW]\d{3})"', Path(checks.__file__).read_text()))
    assert check_ids
    for check_id in check_ids:
        assert f"<code>{check_id}</code>" in text, check_id


def test_settings_page_keeps_the_reasons_written_beside_the_defaults(site):
    text = page_text(site, "settings")
    # The comment above SECRET_ROTATION_GRACE_SECONDS in mm_oauth/conf.py, and the one above PKCE_REQUIRED.
    assert "the previous secret keeps working for new token requests" in text
    assert "False keeps clients written for Mattermost's provider (no PKCE) working" in text


def test_no_settings_marker_is_left_in_the_built_site(site):
    for page in site.rglob("*.html"):
        assert "mm_oauth:settings" not in page.read_text(), page


@pytest.fixture
def tiny_site(tmp_path):
    """Return a function writing a one-page site that uses the real hook, and building it."""

    def build(markdown):
        (tmp_path / "docs").mkdir(exist_ok=True)
        (tmp_path / "docs" / "index.md").write_text(markdown)
        config = tmp_path / "mkdocs.yml"
        config.write_text(f"site_name: t\ndocs_dir: docs\nhooks:\n  - {HOOKS}\n")
        return mkdocs_build(config, tmp_path / "site"), tmp_path / "site" / "index.html"

    return build


def test_an_unknown_settings_marker_fails_the_build(tiny_site):
    result, _ = tiny_site("# Settings\n\n<!-- mm_oauth:settings MM_OAUTHH -->\n")
    assert result.returncode != 0
    assert "Unknown settings marker 'MM_OAUTHH'" in result.stdout + result.stderr


def test_a_marker_is_replaced_by_its_table(tiny_site):
    result, index = tiny_site("# Settings\n\n<!-- mm_oauth:settings MM_OAUTH -->\n")
    assert result.returncode == 0, result.stderr[-4000:]
    text = index.read_text()
    assert "mm_oauth:settings" not in text
    assert "<code>SETTINGS_CACHE_SECONDS</code>" in text


def test_strict_build_fails_on_a_broken_link(tmp_path):
    """The site's own validation settings turn a link to a missing page into a failed build."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [the missing page](missing.md) and [an anchor](#nowhere).\n")
    config = (ROOT / "mkdocs.yml").read_text()
    config = re.sub(r"(?ms)^hooks:.*?(?=^\w)|^nav:.*", "", config)
    config = re.sub(r"(?ms)^exclude_docs:.*?(?=^\w)", "", config)
    (tmp_path / "mkdocs.yml").write_text(config.replace("site_dir: var/docs-site", ""))
    result = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "missing.md" in output
    assert "#nowhere" in output


SCREENSHOTS = {
    "sample-client-home",
    "login",
    "consent",
    "consent-organizations",
    "sample-client-signed-in",
    "authorized-apps",
    "integrations",
    "app-form",
    "app-secret",
    "app-regenerate",
    "app-delete",
    "organizations",
    "organization-new",
    "third-party-access",
    "provider-disabled",
}


def test_every_screenshot_is_shown_and_every_one_shown_exists():
    """Each page of the demo story appears in the docs; the strict build then proves each file is there."""
    markdown = "\n".join(path.read_text() for path in (ROOT / "docs").glob("*.md"))
    shown = set(re.findall(r"\(images/screenshots/en/([\w-]+)\.png\)", markdown))
    assert shown == SCREENSHOTS
    for language, name in re.findall(r"\(images/screenshots/(\w+)/([\w-]+)\.png\)", markdown):
        assert (ROOT / "docs" / "images" / "screenshots" / language / f"{name}.png").is_file(), (language, name)
