# The two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run dev _banner test bench lint messages clean venv dev-venv

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

# `make run` serves the portal as it is deployed (DEBUG off, gunicorn, whitenoise, the portal's
# own 404/403/500 pages) on embedded defaults: SQLite under var/, a Celery broker on the
# filesystem, mail written to var/mail/, a secret key made once in var/secret_key. Plain HTTP on
# loopback, hence HTTPS=0. Ctrl-C stops the web server, worker and beat.
RUN_ENV = DEBUG=0 HTTPS=0 SECRET_KEY="$$(cat var/secret_key)"

# The key `make run` signs sessions and reset links with: made once, readable by its owner only.
var/secret_key:
	mkdir -p var
	umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.tmp && mv $@.tmp $@

run: $(BIN)/.installed var/secret_key
	mkdir -p var/mail var/broker/in var/broker/processed
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput -v 0
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --force
	@$(MAKE) --no-print-directory _banner
	$(RUN_ENV) PORT=$(PORT) PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho start -f Procfile

# For developers: Django's debug server (reloads on change, technical error pages), DEBUG on.
dev: $(BIN)/.installed
	mkdir -p var/mail var/broker/in var/broker/processed
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@$(MAKE) --no-print-directory _banner
	DEBUG=1 PORT=$(PORT) PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho start -f Procfile.dev

_banner:
	@echo ""
	@echo "  Portal:  http://127.0.0.1:$(PORT)/      (English: http://127.0.0.1:$(PORT)/en/)"
	@echo "  API:     http://127.0.0.1:$(PORT)/api/v1/   docs: http://127.0.0.1:$(PORT)/api/docs/"
	@echo "  Demo accounts (password portal-demo-2026): official, enterprise, enterprise2, supplier, talent"
	@echo "  Mail is written to var/mail/. Ctrl-C stops everything."
	@echo ""

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

# Regenerates the translation catalogues (needs gettext's msgfmt): the English one from the
# sources, the Chinese overrides of Django's and DRF's wordings from scripts/zh_overrides.py.
messages: $(BIN)/.dev-installed
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --ignore='.venv/*' --ignore='var/*'
	$(BIN)/python scripts/zh_overrides.py
	DEBUG=1 $(BIN)/python manage.py compilemessages -l en -l zh_Hans --ignore='.venv/*'

clean:
	rm -rf var .pytest_cache .coverage htmlcov
