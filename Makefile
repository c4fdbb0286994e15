# The two commands of the README:
#   make demo   run the example site (:8000) and the sample third-party client (:8001)
#   make test   run the whole test suite (lint, SQLite; PostgreSQL when MM_OAUTH_TEST_POSTGRES_URL is set)
# Both need only the machine's Python 3.11+; they create .venv on first use.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test docs docs-serve screenshots bench bench-load bench-large lint clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# The site on :8000 and the sample client on :8001 (SITE_PORT=… CLIENT_PORT=… make demo for others).
# `make demo OIDC=1`: OpenID Connect on, with a development key in var/ (manage.py demo --oidc).
# DEMO_ARGS=--register-dynamically make demo: the sample client registers itself (RFC 7591).
demo: $(VENV)/.installed
	$(PY) manage.py demo --site-port $${SITE_PORT:-8000} --client-port $${CLIENT_PORT:-8001} $(if $(OIDC),--oidc) $${DEMO_ARGS}
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/honcho start

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest
	@if [ -n "$$MM_OAUTH_TEST_POSTGRES_URL" ]; then \
		echo "== the suite again on PostgreSQL"; \
		DATABASE_URL="$$MM_OAUTH_TEST_POSTGRES_URL" $(PY) -m pytest; \
	else \
		echo "(PostgreSQL leg not run: set MM_OAUTH_TEST_POSTGRES_URL=postgres://user:pass@host/db; .ci/run does)"; \
	fi

# The documentation site (docs/, mkdocs.yml) into var/docs-site; strict: a broken link or image fails.
docs: $(VENV)/.installed
	$(VENV)/bin/mkdocs build --strict

# The same, served with live reload (DOCS_PORT=… for another port).
docs-serve: $(VENV)/.installed
	$(VENV)/bin/mkdocs serve --strict -a 127.0.0.1:$${DOCS_PORT:-8002}

# The docs' screenshots: the demo story in headless Chromium, English and German (tests/e2e/test_demo_story.py).
# Needs Chromium and `npm ci --prefix tests/e2e/axe`; run after a UI change and commit docs/images/screenshots.
screenshots: $(VENV)/.installed
	MM_OAUTH_SCREENSHOTS=$(abspath docs/images/screenshots) CI=1 $(PY) -m pytest tests/e2e/test_demo_story.py -k each_language -q

bench: $(VENV)/.installed
	$(PY) bench/run.py

# HTTP load against stock DOT: gunicorn, PostgreSQL, wrk (bench/README.md; BENCH_LOAD_ARGS=--quick for a smoke run).
bench-load: $(VENV)/.installed
	$(PY) -m bench.load $(BENCH_LOAD_ARGS)

# Issue 10's large tables on PostgreSQL: 10,000 then 1,000,000 access tokens, side by side
# (BENCH_DATABASE_URL=postgres://user:pass@host:5432/db; it creates and drops mm_bench_large there).
bench-large: $(VENV)/.installed
	$(PY) bench/large.py --database-url $${BENCH_DATABASE_URL:-postgres://mm:mm@127.0.0.1:5432/mm}

clean:
	rm -rf $(VENV) var build dist *.egg-info
