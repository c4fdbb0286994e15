"""HTTP load benchmark: mm_oauth's example site against a stock DOT project, under gunicorn on PostgreSQL.

Run ``python -m bench.load`` (``make bench-load``) from the repository root;
bench/README.md ("Load benchmark") says what is measured. The modules:

- ``cli``: the options and the run, from the stock venv to the verdicts;
- ``stock_venv``: the stock project's virtual environment (created once, reused);
- ``databases``: the two PostgreSQL databases, dropped and created per run;
- ``prepare``: run in each project's interpreter, it migrates and stores the fixtures;
- ``fixtures_common``, ``fixtures_mm``, ``fixtures_dot``: users, apps, codes, tokens, sessions;
- ``servers``: gunicorn on a free port;
- ``scenarios``: the requests of each scenario, for each project;
- ``wrk``: one wrk run and its figures (``request.lua`` counts the status codes);
- ``report``: the table and the targets (plain data).
"""
