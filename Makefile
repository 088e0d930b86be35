# MOL Portal. `make run` serves the embedded default; `make test` runs the suite.
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
IGNORE := --ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*' \
	--ignore='static/vendor/*' --ignore='node_modules/*'

.PHONY: run install venv dev test lint format bench messages schema

run: install
	$(MANAGE) migrate --noinput
	@echo "== Demo data and logins =="
	$(MANAGE) seed_demo
	@echo "== Serving http://127.0.0.1:$(PORT)/ (demo logins above; Ctrl-C stops) =="
	$(MANAGE) runserver 127.0.0.1:$(PORT)

venv: $(BIN)/python
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime dependencies only; re-run when the pins change.
install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e .
	@touch $@

# Test and lint tools (pytest, ruff, playwright...).
dev: $(BIN)/pytest
$(BIN)/pytest: | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e ".[test]"

# DATABASE_URL/REDIS_URL from the environment when set, else SQLite and eager Celery.
# With DATABASE_URL (production mode) the test client and live_server still speak plain HTTP,
# so HTTPS hardening (redirect, HSTS, secure cookies) is off unless DJANGO_HTTPS says otherwise;
# `check --deploy` in .ci/run checks it.
test: $(BIN)/pytest
	@if [ -n "$$DATABASE_URL" ]; then \
	  [ -n "$$SECRET_KEY" ] || export SECRET_KEY="test-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))')"; \
	  [ -n "$$REDIS_URL" ] || export CELERY_TASK_ALWAYS_EAGER=1; \
	  [ -n "$$DJANGO_HTTPS" ] || export DJANGO_HTTPS=0; \
	  [ -n "$$OIDC_ALLOW_HTTP_REDIRECTS" ] || export OIDC_ALLOW_HTTP_REDIRECTS=1; \
	fi; \
	$(BIN)/pytest $(ARGS)

lint: $(BIN)/pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(BIN)/pytest
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every bench/*.py in turn (modules starting with _ are helpers); stops at the first failure.
bench: install
	@set -e; for f in bench/[!_]*.py; do echo "== $$f"; $(BIN)/python $$f; done

messages: install
	$(MANAGE) makemessages -l zh_Hant -l en --no-obsolete $(IGNORE)
	msgattrib --clear-fuzzy --empty locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po
	msgen locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po
	$(MANAGE) compilemessages --ignore='.venv/*'

schema: install
	$(MANAGE) spectacular --lang en --file tests/openapi.yaml --validate
