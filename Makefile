# The two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint fmt clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Run the whole loop on SQLite with the built-in sandboxes; serves the dashboard and API.
demo: install
	$(BIN)/parcelsync demo

## The full test suite (unit, integration on SQLite and PostgreSQL, acceptance, browser).
test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Quick benchmark (issue #13): ingest and sync at a reduced N on SQLite, prints the ratios to the targets.
bench: install
	$(BIN)/python -m bench.quick

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) parcelsync.db parcelsync.db-wal parcelsync.db-shm
