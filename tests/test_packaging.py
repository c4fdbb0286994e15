"""The built distribution: what a site gets from ``pip install mm-oauth``.

Builds the sdist and, from it, the wheel (``python -m build``, as a release
would) from a clean copy of the source tree, then reads the wheel: templates,
static files, migrations and compiled translations are in; the test suite, the
example site and the benchmarks are not; the dependency pins that the swapped
Application model relies on are declared. Last, the README's install story is
followed literally: the wheel goes into a fresh venv with the README's ``pip
install`` line, a new project gets the README's settings and URLconf snippets,
and ``migrate`` and ``check`` pass.
"""

import email.parser
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement

import mm_oauth

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "mm_oauth"
# Never copied into the build tree: local environments, caches and earlier build output.
TOP_LEVEL_JUNK = {".git", "var", "build", "dist", ".tox", ".pytest_cache", ".ruff_cache", "node_modules"}
JUNK_ANYWHERE = ("__pycache__", "*.pyc", "*.egg-info")
SECTION = "Adding mm_oauth to an existing project"


def _ignore(directory, names):
    ignored = set(shutil.ignore_patterns(*JUNK_ANYWHERE)(directory, names))
    if Path(directory) == ROOT:
        ignored |= {name for name in names if name in TOP_LEVEL_JUNK or name.startswith(".venv")}
    return ignored


@pytest.fixture(scope="module")
def wheel_path(tmp_path_factory):
    """Build the project from a clean copy of its tree; return the wheel's path."""
    work = tmp_path_factory.mktemp("build")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=_ignore)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"python -m build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    (path,) = (work / "dist").glob("*.whl")
    return path


@pytest.fixture(scope="module")
def wheel(wheel_path):
    """The built wheel as an open ZipFile."""
    with zipfile.ZipFile(wheel_path) as archive:
        yield archive


@pytest.fixture(scope="module")
def metadata(wheel):
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return email.parser.Parser().parsestr(wheel.read(name).decode("utf-8"))


def test_wheel_ships_templates_static_files_migrations_and_compiled_translations(wheel):
    names = set(wheel.namelist())
    for template in ("base.html", "authorize.html", "provider_disabled.html"):
        assert f"mm_oauth/templates/mm_oauth/{template}" in names
    assert any(n.startswith("mm_oauth/static/mm_oauth/") for n in names)
    assert "mm_oauth/migrations/0001_initial.py" in names
    assert "mm_oauth/locale/de/LC_MESSAGES/django.mo" in names


def test_wheel_ships_every_file_of_the_package(wheel):
    """Nothing under mm_oauth/ is left behind (a new data directory, a subpackage without a pattern)."""
    expected = {
        PurePosixPath(path.relative_to(ROOT)).as_posix()
        for path in PACKAGE_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    missing = sorted(expected - set(wheel.namelist()))
    assert not missing, f"files of mm_oauth/ missing from the wheel (see MANIFEST.in): {missing}"
    templates = {n for n in expected if n.startswith("mm_oauth/templates/mm_oauth/") and n.endswith(".html")}
    static = {n for n in expected if n.startswith("mm_oauth/static/mm_oauth/")}
    assert templates and static


def test_wheel_installs_mm_oauth_only(wheel):
    top_level = {name.split("/", 1)[0] for name in wheel.namelist()}
    assert top_level == {"mm_oauth", f"mm_oauth-{mm_oauth.__version__}.dist-info"}
    for unwanted in ("tests", "example_project", "bench"):
        assert unwanted not in top_level
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/top_level.txt")]
    assert wheel.read(name).decode().split() == ["mm_oauth"]


def test_wheel_ships_no_bytecode_or_translation_sources_without_their_compiled_catalog(wheel):
    names = set(wheel.namelist())
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    for po in (n for n in names if n.endswith(".po")):
        assert po[:-3] + ".mo" in names, f"{po} is shipped without its compiled .mo"


def test_metadata_pins_the_versions_the_swapped_model_depends_on(metadata):
    assert metadata["Name"] == "mm-oauth"
    assert metadata["Version"] == mm_oauth.__version__
    runtime = {}
    for line in metadata.get_all("Requires-Dist"):
        requirement = Requirement(line)
        if requirement.marker is None:
            runtime[requirement.name.lower()] = requirement.specifier

    dot = runtime["django-oauth-toolkit"]
    assert "<3.5" in {str(spec) for spec in dot}
    assert dot.contains("3.4.1") and not dot.contains("3.5.0")

    oauthlib = runtime["oauthlib"]
    assert "<4" in {str(spec) for spec in oauthlib}
    assert oauthlib.contains("3.3.1") and not oauthlib.contains("4.0.1")

    django = runtime["django"]
    assert django.contains("5.2") and not django.contains("5.1")


def test_test_and_example_tools_are_extras_not_runtime_dependencies(metadata):
    runtime = {
        Requirement(line).name.lower() for line in metadata.get_all("Requires-Dist") if Requirement(line).marker is None
    }
    for tool in ("pytest", "pytest-django", "playwright", "ruff", "build", "gunicorn", "hypothesis"):
        assert tool not in runtime


def readme_blocks(section, language):
    """Return the ``language`` code blocks of the README's ``section`` (a level-2 heading), in order."""
    text = (ROOT / "README.md").read_text()
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", body, flags=re.DOTALL)


def run(command, cwd, env=None):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def test_the_readmes_install_story_works_as_written_in_a_fresh_venv(wheel_path, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python, pip = venv / "bin" / "python", venv / "bin" / "pip"
    (install,) = [
        line for block in readme_blocks(SECTION, "sh") for line in block.splitlines() if "pip install" in line
    ]
    arguments = shlex.split(install.split("#", 1)[0])[2:]
    arguments = [arg.replace("/path/to/mm_oauth", str(wheel_path)) for arg in arguments]
    run([str(pip), "install", "--quiet", *arguments], cwd=tmp_path)

    run([str(venv / "bin" / "django-admin"), "startproject", "host", "."], cwd=tmp_path)
    settings_snippet, urls_snippet = readme_blocks(SECTION, "python")[:2]
    settings_file = tmp_path / "host" / "settings.py"
    settings_file.write_text(settings_file.read_text() + "\n" + settings_snippet)
    (tmp_path / "host" / "urls.py").write_text(urls_snippet)

    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    run([str(python), "manage.py", "migrate", "--noinput"], cwd=tmp_path, env=env)
    checked = run([str(python), "manage.py", "check", "--fail-level", "WARNING"], cwd=tmp_path, env=env)
    assert "no issues" in checked
    imported = run([str(python), "-c", "import mm_oauth; print(mm_oauth.__file__)"], cwd=tmp_path / "host", env=env)
    assert str(venv) in imported  # the installed wheel, not this checkout
