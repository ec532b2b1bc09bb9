# Microblog: `make run` sets up and serves the site, `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
MOMENT := app/static/vendor/moment/moment-with-locales.min.js
# Pins name packages only: never this machine's pip index or wheel folders.
PIN_FLAGS := --no-emit-index-url --no-emit-find-links --no-emit-trusted-host

.DEFAULT_GOAL := help
.PHONY: help run setup test test-fast services lint requirements db translations bench screenshots

help: ## List the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: setup ## Set up everything, then serve on http://127.0.0.1:5000 (SQLite, no other service)
	$(FLASK) run --host 127.0.0.1 --port 5000

setup: $(VENV)/.installed $(MOMENT) .env translations db ## Install dependencies and assets, compile catalogues, migrate

test: lint $(MOMENT) translations services ## Lint, then set up and run the whole test suite
	$(PY) -m pytest

test-fast: $(VENV)/.dev-installed $(MOMENT) translations ## Run the suite without the browser tests
	$(PY) -m pytest -m "not e2e"

services: ## Start PostgreSQL, MariaDB and Redis if down; install Chromium if missing
	bash scripts/ensure-services.sh

lint: $(VENV)/.dev-installed ## Check style and layout: ruff lint and format, no import cycle in app/
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/import_cycles.py

requirements: $(VENV)/.installed ## Re-pin requirements*.txt from requirements*.in
	$(VENV)/bin/pip install -q pip-tools
	$(VENV)/bin/pip-compile -q --strip-extras --no-header $(PIN_FLAGS) -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --strip-extras --no-header $(PIN_FLAGS) -o requirements-dev.txt requirements-dev.in

db: $(VENV)/.installed .env ## Apply the migrations
	$(FLASK) db upgrade

translations: $(VENV)/.installed .env ## Compile the message catalogues
	$(FLASK) translate compile

screenshots: $(VENV)/.dev-installed $(MOMENT) translations services ## Photograph the main pages for the README (docs/screenshots/)
	@# The seeded posts include Chinese: without a CJK font Chromium draws empty boxes.
	@fc-list :lang=zh | grep -q . || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null \
		|| echo "no CJK font: Chinese posts show as boxes"
	$(PY) scripts/screenshots.py

bench: $(VENV)/.installed ## Run the benchmark against SQLite; DB=postgresql for PostgreSQL
	$(PY) bench/run.py --db $(or $(DB),sqlite) $(BENCH_ARGS)

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(MOMENT): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(MOMENT))
	cp node_modules/moment/min/moment-with-locales.min.js $(MOMENT)

.env:
	$(PYTHON) -c "import secrets; print('SECRET_KEY=' + secrets.token_hex(32))" > .env
	@# Development uses the console outbox: new accounts need no emailed confirmation.
	echo "REQUIRE_EMAIL_CONFIRMATION=0" >> .env
	@echo "Created .env with a random SECRET_KEY and confirmation off (see .env.example for the other settings)."
