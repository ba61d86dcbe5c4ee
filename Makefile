# technopark — two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# Optional local configuration (KEY=value lines); see .env.example.
-include .env
export

.PHONY: run test lint install serve bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Development server on the embedded SQLite database with the reference data loaded.
run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/technopark migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/technopark load-reference
	DEBUG=$${DEBUG:-1} $(BIN)/technopark ensure-admin
	DEBUG=$${DEBUG:-1} $(BIN)/technopark serve

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

bench: $(STAMP)
	$(BIN)/python bench/import.py

clean:
	rm -rf $(VENV) var/*.sqlite3 var/static .pytest_cache
