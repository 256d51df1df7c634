# The single entry point. `make run` and `make test` are the two commands of the README.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: run test test-fast lint format bench messages vendor clean check-deploy

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
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
PYTEST := DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses=4

## The whole suite on PostgreSQL + Redis, a real Celery worker and headless Chromium.
test: $(STAMP)
	./scripts/ensure-services.sh
	$(PYTEST) --create-db

## The inner loop: everything but the browser and real-worker tests, on a kept test database
## (`make test` or `--create-db` after a new migration).
test-fast: $(STAMP)
	./scripts/ensure-services.sh
	$(PYTEST) --reuse-db -m "not browser and not worker"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	./scripts/ensure-services.sh
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
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
