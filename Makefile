# The single entry point. `make run` and `make test` are the two commands of the README;
# `make check` runs the CI gates (.ci/run: `make check`, then `make test`).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: run test check lint migrations-check openapi openapi-check mypy test-fast format bench bench-national bench-demo messages \
	vendor clean check-deploy

# The gates need no running service: makemigrations runs on in-memory SQLite; the OpenAPI
# document is generated with the PostgreSQL engine (production's integer ranges) without
# connecting to it.
GATE_ENV := DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=sqlite://:memory:
OPENAPI_ENV := DJANGO_SETTINGS_MODULE=config.settings.test \
	DATABASE_URL=postgres://openapi@127.0.0.1:5432/openapi-not-connected
OPENAPI := docs/openapi.yaml
# A failing gate stops `make check` (and so .ci/run) with this line.
fail = { echo >&2; echo "make check: FAILED: $(1)" >&2; exit 1; }

UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv

## The virtualenv, installed with uv (a pinned release, bootstrapped with pip into the venv):
## it installs the pinned requirements from its cache in seconds where pip takes a minute.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install -q uv==$(UV_VERSION)
	$(UV) pip install -q --python $(PY) -r requirements-dev.txt
	touch $(STAMP)

## Embedded default: SQLite, Celery tasks in-process, demo loaded, demo users printed.
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py create_demo_users
	@echo "Open http://127.0.0.1:8000 and log in with one of the accounts above."
	$(PY) manage.py runserver 127.0.0.1:8000

## Test processes in parallel (pytest-xdist; each has its own test database). `auto` is one
## per core, at most four: the browser and worker tests each start a process of their own.
TEST_WORKERS ?= auto
## Compiled bytecode under .cache/pycache (outside the source tree), also where the shell says
## PYTHONDONTWRITEBYTECODE: a run starts a dozen Python processes (xdist workers, Celery
## workers), and each one used to compile Django, the project and the tests from source
## (about 6 s of CPU per worker on this machine).
PYCACHE := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.cache/pycache
PYTEST := $(PYCACHE) DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses=4

## The whole suite on PostgreSQL + Redis, a real Celery worker and headless Chromium.
test: $(STAMP)
	./scripts/ensure-services.sh
	$(PYTEST) --create-db

## The inner loop: everything but the browser and real-worker tests, on a kept test database
## (`make test` or `--create-db` after a new migration).
test-fast: $(STAMP)
	./scripts/ensure-services.sh
	$(PYTEST) --reuse-db -m "not browser and not worker"

## CI gates, in order; the first that fails stops the run with a FAILED line.
check: lint migrations-check openapi-check mypy
	@echo "make check: all gates passed"

lint: $(STAMP)
	@echo "== ruff check"
	@$(VENV)/bin/ruff check . || $(call fail,ruff check found lint errors (fix them; many go with 'make format'))
	@echo "== ruff format --check"
	@$(VENV)/bin/ruff format --check . || $(call fail,files not formatted (run 'make format'))

migrations-check: $(STAMP)
	@echo "== makemigrations --check"
	@$(GATE_ENV) $(PY) manage.py makemigrations --check --dry-run \
		|| $(call fail,model changes without a migration (run 'python manage.py makemigrations'))

## Regenerate the committed OpenAPI document after an API change.
openapi: $(STAMP)
	$(OPENAPI_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file $(OPENAPI)

openapi-check: $(STAMP)
	@echo "== OpenAPI document ($(OPENAPI)) equals the generated one"
	@tmp=$$(mktemp); trap 'rm -f "$$tmp"' EXIT; \
	$(OPENAPI_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file "$$tmp" \
		|| $(call fail,the OpenAPI schema has errors or warnings); \
	diff -u $(OPENAPI) "$$tmp" > "$$tmp.diff" && rm -f "$$tmp.diff" && echo "$(OPENAPI) is up to date" \
		|| { head -n 60 "$$tmp.diff"; rm -f "$$tmp.diff"; \
		     $(call fail,$(OPENAPI) differs from the API (run 'make openapi' and commit it)); }

mypy: $(STAMP)
	@echo "== mypy (engines strict, services basic)"
	@$(VENV)/bin/mypy || $(call fail,mypy found type errors)

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Every figure of issue 19 at region scale, each beside its floor (bench/summary.py prints
## the table at the end; the figures go to bench/results.json): loading a scenario, the
## ranking, the main pages (in process and under gunicorn), a 100 MB upload, the letters, and
## the surge: 500 seals in the last minute before a deadline against gunicorn (bench/surge.py;
## options in SURGE_ARGS, e.g. "--burst"). A benchmark that fails does not stop the others;
## `make bench` then exits 1 after the table.
SURGE_ARGS ?=
bench: $(STAMP)
	./scripts/ensure-services.sh
	@failed=""; \
	$(PY) bench/bench_import.py region --label=latest || failed="$$failed import"; \
	$(PY) bench/bench_ranking.py --scale region || failed="$$failed ranking"; \
	$(PY) bench/bench_pages.py region --gunicorn || failed="$$failed pages"; \
	$(PY) bench/bench_upload.py --label=latest || failed="$$failed upload"; \
	$(PY) bench/bench_letters.py || failed="$$failed letters"; \
	$(PY) bench/surge.py $(SURGE_ARGS) || failed="$$failed surge"; \
	$(PY) bench/summary.py; \
	if [ -n "$$failed" ]; then echo "make bench: failed or missed a target:$$failed"; exit 1; fi

## The same figures for loading and ranking at national scale (342 municipalities, 10,000
## bidders, 600,000 scores); building the data the first time takes several minutes
## (README, Benchmarks).
bench-national: $(STAMP)
	./scripts/ensure-services.sh
	$(PY) bench/bench_import.py national --label=latest-national
	$(PY) bench/bench_ranking.py --scale national
	$(PY) bench/summary.py

## The demo's own figures: load_scenario, both rankings and the lumpsum at the demo's size and
## ten times it (PostgreSQL; `DATABASE_URL=sqlite:///...` for the embedded default).
bench-demo: $(STAMP)
	$(PY) bench/bench_scenario.py

check-deploy: $(STAMP)
	SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=example.org \
	SUBMISSION_MASTER_KEY=$$(head -c 32 /dev/urandom | base64) \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/aanbesteding \
	$(PY) manage.py check --deploy --fail-level WARNING --settings=config.settings.production

## Rebuild the vendored front-end files from package.json (needs npm).
vendor:
	npm ci && npm run vendor

## Recompile the translations (English) after editing locale/*/LC_MESSAGES/django.po.
messages: $(STAMP)
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
