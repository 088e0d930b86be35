# MOL Portal. `make run` serves the embedded default; `make test` runs the suite.
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
IGNORE := --ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*' \
	--ignore='static/vendor/*' --ignore='node_modules/*'

.PHONY: help run install venv dev test lint format bench messages schema

# `make help` lists the targets: the text after "## " on a target's line.
help: ## list the targets
	@echo "MOL Portal. Usage: make <target> [PORT=8001] [ARGS='pytest arguments']"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## (.*)/  \1\t\2/' | expand -t 12

run: install ## create .venv, install, migrate, load the demo, serve on 127.0.0.1:8000 (PORT=...)
	$(MANAGE) migrate --noinput
	@echo "== Demo data and logins =="
	$(MANAGE) seed_demo
	@echo "== Serving http://127.0.0.1:$(PORT)/ (demo logins above; Ctrl-C stops) =="
	$(MANAGE) runserver 127.0.0.1:$(PORT)

venv: $(BIN)/python
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime dependencies only; re-run when the pins change.
install: $(VENV)/.installed ## install the runtime dependencies (again when the pins change)
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e .
	@touch $@

# Test and lint tools (pytest, ruff, playwright...); re-run when the pins change, like install.
dev: $(VENV)/.installed-dev ## install the test and lint tools too (again when the pins change)
$(VENV)/.installed-dev: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e ".[test]"
	@touch $@

# DATABASE_URL/REDIS_URL from the environment when set, else SQLite and eager Celery.
# With DATABASE_URL (production mode) the test client and live_server still speak plain HTTP,
# so HTTPS hardening (redirect, HSTS, secure cookies) is off unless DJANGO_HTTPS says otherwise;
# `check --deploy` in .ci/run checks it.
# `make test ARGS="tests/documents -x -k overdue"` passes ARGS to pytest.
test: dev ## run the test suite; ARGS="..." is passed to pytest
	@if [ -n "$$DATABASE_URL" ]; then \
	  [ -n "$$SECRET_KEY" ] || export SECRET_KEY="test-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))')"; \
	  [ -n "$$REDIS_URL" ] || export CELERY_TASK_ALWAYS_EAGER=1; \
	  [ -n "$$DJANGO_HTTPS" ] || export DJANGO_HTTPS=0; \
	  [ -n "$$OIDC_ALLOW_HTTP_REDIRECTS" ] || export OIDC_ALLOW_HTTP_REDIRECTS=1; \
	fi; \
	$(BIN)/pytest $(ARGS)

lint: dev ## ruff check, ruff format --check and the import layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: dev ## ruff fix and format in place
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every bench/*.py in turn (modules starting with _ are helpers); stops at the first failure.
bench: install ## run every bench/*.py
	@set -e; for f in bench/[!_]*.py; do echo "== $$f"; $(BIN)/python $$f; done

messages: install ## regenerate and compile the zh-Hant/English catalogues
	$(MANAGE) makemessages -l zh_Hant -l en --no-obsolete $(IGNORE)
	msgattrib --clear-fuzzy --empty locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po
	msgen locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po
	$(MANAGE) compilemessages --ignore='.venv/*'

schema: install ## regenerate the committed OpenAPI schema tests/openapi.yaml
	$(MANAGE) spectacular --lang en --file tests/openapi.yaml --validate
