# The platform's commands. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PIP_FLAGS ?= --disable-pip-version-check --quiet

.DEFAULT_GOAL := help
.PHONY: help install run test test-pg check lint format migrate seed bench openapi clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) --upgrade pip
	$(PY) -m pip install $(PIP_FLAGS) -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked versions

run: $(STAMP) ## Migrate the SQLite databases under var/ and start the gateway and the five services
	$(VENV)/bin/kjt run

test: $(STAMP) ## Run the whole test suite (SQLite; PostgreSQL too with KJT_TEST_POSTGRES_URL)
	$(PY) -m pytest $(PYTEST_ARGS)

test-pg: $(STAMP) ## Run the suite on SQLite and on the local PostgreSQL
	KJT_TEST_POSTGRES_URL=$${KJT_TEST_POSTGRES_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test} \
	KJT_REQUIRE_POSTGRES=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff (lint and format check), mypy (strict on shared/, gateway/ and kjt/), import contracts, alembic check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m shared.db.migrate check

format: $(STAMP) ## Format and fix what ruff can
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: lint test ## lint + types + contracts + alembic check + tests

migrate: $(STAMP) ## Upgrade every database to its newest migration
	$(VENV)/bin/kjt migrate

seed: $(STAMP) ## Load the demo data
	$(VENV)/bin/kjt seed

bench: $(STAMP) ## Run the benchmarks under tests/bench/ and print their figures
	$(PY) -m tests.bench $(BENCH)

openapi: $(STAMP) ## Write each service's openapi.json
	$(VENV)/bin/kjt openapi

clean: ## Remove the virtual environment and local databases
	rm -rf $(VENV) var
