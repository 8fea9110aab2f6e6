# Capitalis — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Every printed, signed or mailed link (QR codes, /verify/ links, Open Badges ids) uses this.
PUBLIC_BASE_URL ?= $(or $(SITE_URL),http://$(HOST):$(PORT))

.PHONY: run test lint typecheck bench serve migrate data demo messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@ $(VENV)/.base-installed

migrate: $(VENV)/.base-installed
	$(BIN)/python manage.py migrate --noinput

data: migrate
	$(BIN)/python manage.py load_data

demo: data
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/python manage.py seed_demo

## run: install, migrate the embedded SQLite database, load the shipped data and demo, serve.
run: demo
	@echo "Capitalis on http://$(HOST):$(PORT)/ (admin: /admin/, API: /api/docs/); Ctrl-C stops it."
	DEBUG=1 PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

## test: the whole suite (lint, import contracts, types, tests) on $DATABASE_URL or SQLite,
## one test process per CPU (pytest-xdist; PYTEST_WORKERS=0 runs it in this process); an idle
## worker takes pending tests from a busy one (--dist worksteal).
PYTEST_WORKERS ?= auto
## Test processes keep their compiled, assertion-rewritten modules in __pycache__ (git ignores
## it) even where PYTHONDONTWRITEBYTECODE is set: rewriting ~170 modules again costs each
## process about three CPU-seconds.
## The checks (lint, import contracts, types) run beside the tests, at a lower priority, and
## print when the tests are done: on a new checkout, one test process waits about twenty
## seconds for the other to build the migrated test database, and mypy (about forty seconds
## without its cache) uses that CPU instead of delaying the tests. Either failing fails.
test: $(VENV)/.dev-installed
	@checks=$$(mktemp); \
	nice -n 10 $(MAKE) --no-print-directory lint typecheck >$$checks 2>&1 & pid=$$!; \
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(if $(filter 0,$(PYTEST_WORKERS)),,--dist worksteal) $(PYTEST_ARGS); \
	tests=$$?; wait $$pid; checked=$$?; cat $$checks; rm -f $$checks; \
	if [ $$checked -ne 0 ]; then echo "make test: lint, import contracts or types failed"; fi; \
	[ $$tests -eq 0 ] && [ $$checked -eq 0 ]

bench: $(VENV)/.dev-installed
	$(BIN)/python -m benchmarks

messages: $(VENV)/.dev-installed
	cd capitalis && ../$(BIN)/django-admin makemessages -l fr -l en --no-obsolete --no-location
	cd capitalis && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var
