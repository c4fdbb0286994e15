"""The benchmark runs end to end (its figures are for people; here only that it works)."""

import pytest

from bench import run as bench


@pytest.mark.django_db
def test_benchmark_runs_and_reports_every_target():
    figures = bench.run(quick=True, pbkdf2_iterations=1, token_iterations=3, me_iterations=5, warmup=1)
    assert len(figures["targets"]) == 5
    report = bench.format_report(figures)
    assert "Targets" in report and "users/me" in report
