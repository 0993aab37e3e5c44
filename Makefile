# beatpolice: every target sets up .venv itself; `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= demo-out/station.db

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint typecheck unit docs bench bench-province clean

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)  ## Create .venv and install beatpolice with its dev tools.

demo: $(STAMP)  ## Record a synthetic station month into SQLite and appraise it.
	$(BIN)/beatpolice demo --db $(DB)

lint: $(STAMP)  ## Ruff (lint and format check) on src/ and tests/.
	$(BIN)/ruff check src tests benchmarks docs/_hooks.py
	$(BIN)/ruff format --check src tests benchmarks docs/_hooks.py

typecheck: $(STAMP)  ## mypy --strict on src/.
	$(BIN)/mypy

unit: $(STAMP)  ## The test suite alone, with coverage of domain/ and projections/ (>= 90%).
	$(BIN)/python -m pytest -q --cov --cov-report=term

test: lint typecheck unit  ## Lint, typecheck and the whole test suite (PostgreSQL included).

docs: $(STAMP)  ## Build the documentation site (strict: warnings fail) into site/.
	$(BIN)/mkdocs build --strict

bench: $(STAMP)  ## The benchmark suite: storage, registries rebuild, month appraisal (sizes are flags).
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.bench_registries --events 50000 --backend sqlite --backend postgres
	$(BIN)/python -m benchmarks.bench_appraisal --events 150000 --month 2014-01

bench-province: $(STAMP)  ## Once, not in CI: a year of 6,000 officers on PostgreSQL (MONTHS=12).
	$(BIN)/python -m benchmarks.bench_province --officers 6000 --months $(or $(MONTHS),12)

clean:  ## Remove the virtual environment and generated files.
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache .hypothesis
