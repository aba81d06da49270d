# The platform's commands. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PIP_FLAGS ?= --disable-pip-version-check --quiet

.DEFAULT_GOAL := help
.PHONY: help install run reset test test-pg check lint format migrate seed bench openapi clean

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

# The SQLite databases `make run` uses: KJT_VAR_DIR when set, as for kjt itself.
VAR_DIR := $(or $(KJT_VAR_DIR),var)

reset: ## Delete the SQLite databases (var/, or KJT_VAR_DIR) after asking; FORCE=1 deletes without asking
	@if [ ! -e "$(VAR_DIR)" ]; then echo "make reset: $(VAR_DIR) does not exist; nothing to delete"; exit 0; fi; \
	others=$$(find "$(VAR_DIR)" -mindepth 1 -maxdepth 1 ! -name '*.db' ! -name '*.db-*' | head -3 | tr '\n' ' '); \
	if [ -n "$$others" ]; then \
		echo "make reset: $(VAR_DIR) holds more than databases ($$others); delete it yourself if you mean it" >&2; \
		exit 1; \
	fi; \
	if [ "$(FORCE)" != 1 ]; then \
		if [ ! -t 0 ]; then \
			echo "make reset: not asking without a terminal; FORCE=1 make reset deletes $(VAR_DIR) without asking" >&2; \
			exit 1; \
		fi; \
		printf 'Delete %s and every database in it (accounts, applications, the demo data)? [y/N] ' "$(VAR_DIR)"; \
		read answer; \
		case "$$answer" in y|Y|yes|YES) ;; *) echo "make reset: nothing deleted"; exit 1;; esac; \
	fi; \
	rm -rf -- "$(VAR_DIR)" && echo "make reset: deleted $(VAR_DIR); the next make run starts afresh"

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

openapi: $(STAMP) ## Write each service's openapi.json and the problem catalogue, docs/problems.md
	$(VENV)/bin/kjt openapi
	$(PY) -m tests.problem_catalogue

clean: ## Remove the virtual environment and local databases
	rm -rf $(VENV) var
