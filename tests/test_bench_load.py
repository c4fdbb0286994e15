"""The load benchmark's parts that need no server: wrk's output, the targets, the table, the stock stack.

The benchmark itself (gunicorn, PostgreSQL, wrk, a venv of stock DOT) takes
minutes, so CI does not run it; ``make bench-load`` does (bench/README.md).
Set ``MM_OAUTH_BENCH_LOAD=1`` to run its ``--quick`` mode here too.
"""

import os
import shutil

import pytest

import example_project.settings as example_settings
from bench.load import report, scenarios, wrk
from bench.stock_dot import settings as stock_settings

# wrk's own summary, then the line request.lua's done() prints (recorded from a run).
RECORDED = """\
Running 10s test @ http://127.0.0.1:44993/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.31ms    4.02ms  61.89ms   79.20%
    Req/Sec   195.95    28.48   270.00     71.43%
  3921 requests in 10.02s, 1.78MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    391.32
Transfer/sec:    182.11KB
BENCH_RESULT {"requests": 3921, "duration_us": 10020000, "p50_us": 9021, "p99_us": 17453, "mean_us": 10310.4, \
"errors": {"connect": 0, "read": 1, "write": 0, "timeout": 0}, "exhausted": 0, "statuses": {"200": 3918, "400": 3}}
"""


def figures(rps, non_2xx=0):
    return {"rps": rps, "p50_ms": 1.0, "p99_ms": 2.0, "non_2xx": non_2xx, "socket_errors": 0, "exhausted": 0}


@pytest.fixture
def passing_results():
    return {
        "dot/code": figures(50),
        "dot/code-pbkdf2": figures(2),
        "mm/code": figures(100),
        "dot/refresh": figures(40),
        "mm/refresh": figures(60),
        "dot/bearer": figures(400),
        "mm/bearer": figures(400),
        "dot/introspect": figures(300),
        "mm/introspect": figures(250),
        "dot/consent": figures(100),
        "mm/consent": figures(90),
        "mm/apps": figures(200),
    }


def test_wrk_output_gives_rate_percentiles_and_counted_statuses():
    result = wrk.figures(wrk.parse_result(RECORDED))
    assert result["requests"] == 3921
    assert result["rps"] == pytest.approx(391.3, abs=0.1)
    assert (result["p50_ms"], result["p99_ms"]) == (9.021, 17.453)
    assert result["non_2xx"] == 3
    assert result["socket_errors"] == 1
    assert result["statuses"] == {"200": 3918, "400": 3}


def test_wrk_output_without_the_result_line_is_refused():
    with pytest.raises(ValueError, match="BENCH_RESULT"):
        wrk.parse_result(RECORDED.rsplit("BENCH_RESULT", 1)[0])


def test_rounds_combine_into_the_median_round_with_every_failure():
    slow, median, fast = figures(90), figures(100, non_2xx=1), figures(120)
    for each, requests in ((slow, 900), (median, 1000), (fast, 1200)):
        each.update(requests=requests, statuses={"200": requests})
    combined = report.combine([fast, slow, median])
    assert (combined["rps"], combined["p50_ms"]) == (100, 1.0)
    assert combined["requests"] == 3100
    assert combined["non_2xx"] == 1
    assert combined["rounds_rps"] == [120, 90, 100]


def test_ratio_over_rounds_is_the_median_of_each_rounds_pair():
    results = {"mm/code": figures(100), "dot/code": figures(100)}
    results["mm/code"]["rounds_rps"] = [120, 100, 60]
    results["dot/code"]["rounds_rps"] = [100, 50, 60]  # ratios 1.2, 2.0, 1.0
    assert report.ratio(results, "mm/code", "dot/code") == pytest.approx(1.2)


def test_every_target_passes_on_figures_that_meet_them(passing_results):
    verdicts = report.evaluate(passing_results)
    assert [verdict["passed"] for verdict in verdicts] == [True] * 5
    assert verdicts[3]["value"] == pytest.approx(50.0)


def test_a_slower_token_endpoint_fails_its_targets(passing_results):
    passing_results["mm/code"] = figures(55)
    verdicts = {verdict["target"]: verdict for verdict in report.evaluate(passing_results)}
    assert not verdicts["code exchange >= 1.2x stock DOT unhashed"]["passed"]
    assert not verdicts["code exchange >= 40x stock DOT default (PBKDF2)"]["passed"]
    assert verdicts["bearer GET >= 1.0x stock DOT's bare DRF view"]["passed"]


def test_one_failed_request_anywhere_fails_the_zero_target(passing_results):
    passing_results["dot/consent"] = figures(100, non_2xx=1)
    zero = report.evaluate(passing_results)[-1]
    assert not zero["passed"]
    assert zero["runs"] == ["dot/consent"]


def test_table_shows_a_dash_where_stock_dot_has_no_endpoint(passing_results):
    table = report.format_table(passing_results)
    apps_line = next(line for line in table.splitlines() if line.startswith("GET /api/v4/oauth/apps"))
    assert "—" in apps_line and "200.0" in apps_line
    assert "2.00x" in table  # code exchange vs DOT unhashed: 100 / 50


def test_rows_and_targets_name_runs_that_exist():
    keys = {run.key for run in scenarios.RUNS}
    assert {row.mm_run for row in scenarios.ROWS} | {row.dot_run for row in scenarios.ROWS if row.dot_run} <= keys
    assert {t.mm_run for t in report.TARGETS} | {t.dot_run for t in report.TARGETS} <= keys
    assert set(scenarios.WARMUP_RUNS) <= keys


def test_one_use_values_go_where_request_lua_puts_them():
    fixtures = {
        "clients": {"unhashed": {"client_id": "abc", "client_secret": "s3cret"}},
        "files": {"codes/unhashed": "/tmp/codes.txt"},
    }
    request = scenarios.code_exchange(scenarios.DOT_PATHS, "unhashed")(fixtures)
    assert request.body.startswith("grant_type=authorization_code&code=@TOKEN@&")
    assert request.tokens_file == "/tmp/codes.txt"
    env = wrk.environment(request, threads=2)
    assert env["BENCH_HEADERS"] == "Content-Type: application/x-www-form-urlencoded"
    assert env["BENCH_PATH"] == "/o/token/"


def test_stock_project_runs_on_the_example_sites_middleware_and_database_settings():
    assert stock_settings.MIDDLEWARE == example_settings.MIDDLEWARE
    url = "postgres://mm:pw@db.example.com:5433/mm_bench?sslmode=require"
    for kwargs in ({}, {"conn_max_age": 0}, {"pool": {"min_size": 2, "max_size": 8}}, {"prepared_statements": True}):
        assert stock_settings.database_from_url(url, **kwargs) == example_settings.database_from_url(url, **kwargs)
    for value in ("", "on", "2:8"):
        assert stock_settings.database_pool(value) == example_settings.database_pool(value)
    for value in ("on", "off", "1", "no"):
        name = "DATABASE_PREPARED_STATEMENTS"
        assert stock_settings.switch(value, name=name) == example_settings.switch(value, name=name)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("MM_OAUTH_BENCH_LOAD") or shutil.which("wrk") is None,
    reason="set MM_OAUTH_BENCH_LOAD=1 (with wrk and PostgreSQL) to run the load benchmark's quick mode",
)
def test_quick_load_benchmark_runs(tmp_path):
    from bench.load import cli

    assert cli.main(["--quick", "--workdir", str(tmp_path), "--json", str(tmp_path / "load.json")]) == 0
    assert (tmp_path / "load.json").exists()
