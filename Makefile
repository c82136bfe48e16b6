# revintel — two commands: `make serve` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install -q --disable-pip-version-check
export OMP_WAIT_POLICY ?= passive

.PHONY: install dev serve test test-fast lint typecheck bench system-deps clean docs lock

install: $(VENV)/.installed          ## create .venv with the CLI at .venv/bin/revintel

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip wheel setuptools
	$(PIP) -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed pyproject.toml
	$(PIP) -e '.[dev,spark]'
	@touch $@

dev: $(VENV)/.dev-installed

# Debian packages the tests need: Chromium (browser tests), poppler-utils (PDF -> PNG), a JRE (Spark),
# PostgreSQL (the app-database suite runs on it as well as on SQLite).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

serve: install                       ## run the product on demo data at http://127.0.0.1:8000
	$(BIN)/revintel serve

test: dev system-deps                ## install dev dependencies, lint, type-check and run the whole suite
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not soak"

test-soak: dev system-deps           ## the long acceptance runs: API and page fuzz, every page in Chromium, CLI beside a server, the wheel
	$(BIN)/python -m pytest -m soak

test-fast: dev
	$(BIN)/python -m pytest -m "not browser and not spark and not slow"

lint: dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: dev
	$(BIN)/mypy

bench: dev                           ## run every benchmark and print the results
	$(BIN)/python benchmarks/run_all.py

docs: install                        ## regenerate the generated docs: CLI, configuration, metric catalogue
	$(BIN)/python -c 'from revintel.cli.reference import reference_markdown as r; print(r(), end="")' > docs/cli.md
	$(BIN)/python -c 'from revintel.config import reference_markdown as r; print(r(), end="")' > docs/configuration.md
	$(BIN)/revintel metrics --write-docs docs/metrics.md

clean:
	rm -rf $(VENV) .revintel .pytest_cache

lock:                                ## pin every runtime dependency (requirements.lock, used by the Dockerfile)
	rm -rf /tmp/revintel-lock && $(PYTHON) -m venv /tmp/revintel-lock
	/tmp/revintel-lock/bin/pip install -q --disable-pip-version-check .
	/tmp/revintel-lock/bin/pip freeze --exclude revintel | sort -f > requirements.lock
