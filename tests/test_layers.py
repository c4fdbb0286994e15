"""Imports run one way (README: Architecture): the import-linter contract holds, and would catch a breach."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(cwd, config):
    """Run import-linter on ``mm_oauth`` as found in ``cwd``; return (exit code, output)."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command as c; c()", config],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_package_keeps_its_layers():
    code, output = lint_imports(ROOT, str(ROOT / "setup.cfg"))
    assert code == 0, output
    assert "1 kept, 0 broken" in output


def test_an_import_upwards_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "mm_oauth", tmp_path / "mm_oauth", ignore=shutil.ignore_patterns("__pycache__", "locale"))
    services = tmp_path / "mm_oauth" / "services" / "authorizations.py"
    services.write_text(services.read_text() + "\nfrom ..web import apps  # a service reaching up to a page\n")
    code, output = lint_imports(tmp_path, str(ROOT / "setup.cfg"))
    assert code != 0
    assert "mm_oauth.services.authorizations -> mm_oauth.web.apps" in output
