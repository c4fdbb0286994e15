"""Run axe-core (the npm package pinned in tests/e2e/axe) inside a Playwright page and report its violations.

``npm ci --prefix tests/e2e/axe`` installs it (``.ci/run`` does). Without it the
check skips on a developer machine and fails under CI, like the other tools the
end-to-end tests need.
"""

import os
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# The impacts axe-core ranks highest; "moderate" and "minor" are reported by axe but not failed on here.
BLOCKING_IMPACTS = ("serious", "critical")


def require_axe():
    """Skip without the installed package on a developer machine; fail in CI, where .ci/run installs it."""
    if AXE_JS.is_file():
        return
    message = f"{AXE_JS} is missing (run: npm ci --prefix tests/e2e/axe)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def axe_violations(page):
    """Inject axe-core into ``page`` (once), run every WCAG 2.x A/AA rule and return the violations."""
    require_axe()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
            resultTypes: ["violations"],
        }).then(results => results.violations)"""
    )


def describe(violations):
    """One paragraph per violation: its id, impact, help text and the selectors of the nodes at fault."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_accessible(page, name=""):
    """Fail with axe-core's findings if ``page`` has a serious or critical accessibility violation."""
    blocking = [violation for violation in axe_violations(page) if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core on {name or page.url}:\n{describe(blocking)}"
