# Harbour: the two commands are `make run` and `make test`; everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test test-sqlite test-postgres lint format bench setup demo clean browser office

setup: $(VENV)/.synced

# Bootstrap with nothing but the machine's Python: a venv, then uv (pinned) inside it,
# then the locked dependencies.
$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) sync --locked --python $(PY)
	touch $@

# The demo runs with DEBUG on (local only) as a fictional authority numbered 999.
run: export DEBUG ?= 1
run: export LOCAL_AUTHORITY_CODE ?= 999
# Ten years of invented history: only triggers of the last 90 days still need a meeting.
run: export HARBOUR_MEETING_LOOKBACK_DAYS ?= 90
run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_data --if-empty
	$(PY) manage.py raise_meeting_tasks
	$(PY) manage.py demo_users
	$(PY) manage.py runserver 127.0.0.1:8000

test: setup lint browser office test-sqlite test-postgres

# Bandit fails the build on a high-severity finding only (-lll); see docs/security.md.
# mypy: pyproject.toml [tool.mypy] says what is checked (docs/architecture.md, "Types").
lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r harbour -lll
	@# mypy with django-stubs loads the settings, which need DEBUG or a SECRET_KEY.
	DEBUG=1 $(VENV)/bin/mypy harbour

# The browser tests run here, once, with Debian's Chromium (see `browser`).
test-sqlite: setup
	@echo "== Test suite on SQLite (with the browser tests)"
	env -u DATABASE_URL $(VENV)/bin/pytest -q -p no:cacheprovider

test-postgres: setup
	@echo "== Test suite on PostgreSQL"
	@scripts/with-postgres $(VENV)/bin/pytest -q -p no:cacheprovider -m "not browser"

# Debian's Chromium for the browser tests (Playwright's own browser download does not work
# here). Installed with apt when missing; under CI a Chromium that cannot be installed fails.
browser:
	@scripts/ensure-chromium

# LibreOffice Calc (headless), for the test that opens the Annex A workbook in it.
office:
	@scripts/ensure-libreoffice

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Benchmarks take minutes; results are recorded by hand in docs/performance.md. The casework
# benchmark keeps its 1,000,000-episode databases in bench/.data/ (about 15 minutes to build
# the first time, reused afterwards).
bench: setup
	$(PY) bench/import_bench.py --episodes 100000 --database sqlite
	scripts/with-postgres $(PY) bench/import_bench.py --episodes 100000 --database postgres
	$(PY) bench/casework_bench.py --episodes 1000000 --database sqlite
	scripts/with-postgres $(PY) bench/casework_bench.py --episodes 1000000 --database postgres
	$(PY) bench/match_bench.py --database sqlite
	scripts/with-postgres $(PY) bench/match_bench.py --database postgres

# Issue 15's side-by-side run (docs/performance.md): the report engine against the
# hand-written SQL, the validated import against a plain COPY of the same files, and the
# page table, on both databases, with the load average before and after. EPISODES sets the
# size of the import and the pages (1,000,000 by default: the pages' databases are kept in
# bench/.data/, about 15 minutes each to build the first time); the reports run at
# 100,000 and 1,000,000. Run it on a quiet machine.
EPISODES ?= 1000000
.PHONY: bench-compare
bench-compare: setup
	@uptime
	$(PY) bench/yardstick.py
	-@scripts/with-postgres true
	$(PY) bench/compare.py --episodes 100000
	$(PY) bench/compare.py --episodes 1000000 --runs 5
	$(PY) bench/import_bench.py --episodes $(EPISODES) --database sqlite --copy-baseline
	scripts/with-postgres $(PY) bench/import_bench.py --episodes $(EPISODES) --database postgres --copy-baseline
	$(PY) bench/casework_bench.py --episodes $(EPISODES) --database sqlite
	scripts/with-postgres $(PY) bench/casework_bench.py --episodes $(EPISODES) --database postgres
	$(PY) bench/match_bench.py --database sqlite
	scripts/with-postgres $(PY) bench/match_bench.py --database postgres
	$(PY) bench/yardstick.py
	@uptime

# Load test (docs/performance.md, "Load"): 20 signed-in sessions browsing for 60 s through
# gunicorn on 127.0.0.1, against a PostgreSQL database of the demo authority (built once,
# then reused). Stops by itself; exits non-zero when the target is not met.
.PHONY: loadtest
loadtest: setup
	scripts/loadtest

clean:
	rm -rf $(VENV) var/
