# The two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test bench lint messages clean venv dev-venv

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.dev-installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(BIN)/.installed

venv: $(BIN)/.installed
dev-venv: $(BIN)/.dev-installed

# Serves the portal with demo data on embedded defaults: SQLite under var/, a Celery broker on
# the filesystem, mail written to var/mail/. Ctrl-C stops the web server, worker and beat.
run: $(BIN)/.installed
	mkdir -p var/mail var/broker/in var/broker/processed
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py collectstatic --noinput -v 0
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Portal:  http://127.0.0.1:$(PORT)/      (English: http://127.0.0.1:$(PORT)/en/)"
	@echo "  API:     http://127.0.0.1:$(PORT)/api/v1/   docs: http://127.0.0.1:$(PORT)/api/docs/"
	@echo "  Demo accounts (password portal-demo-2026): official, enterprise, enterprise2, supplier, talent"
	@echo "  Mail is written to var/mail/. Ctrl-C stops everything."
	@echo ""
	DEBUG=1 PORT=$(PORT) PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho start -f Procfile

# The whole suite against throwaway PostgreSQL and Redis servers started for the run.
test: $(BIN)/.dev-installed
	scripts/system-packages.sh --browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	scripts/with-services.sh $(MAKE) --no-print-directory _test

_test:
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py collectstatic --noinput -v 0
	HTTPS=0 $(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

bench: $(BIN)/.dev-installed
	scripts/system-packages.sh --bench
	scripts/with-services.sh $(BIN)/python -m bench $(BENCH_ARGS)

lint: $(BIN)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerates the translation catalogues (needs gettext's msgfmt).
messages: $(BIN)/.dev-installed
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --ignore='.venv/*' --ignore='var/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages -l en --ignore='.venv/*'

clean:
	rm -rf var .pytest_cache .coverage htmlcov
