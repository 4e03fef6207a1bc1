# Defensor — the two commands a new user needs are `make demo` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen
MANAGE := $(RUN) python -m defensor.cli

.PHONY: demo test lint e2e migrations-check messages messages-check install install-dev clean-demo help

help:
	@echo "make demo   - install, create the SQLite database with demo data, run web + worker"
	@echo "make test   - install test dependencies and run the whole suite"
	@echo "make lint | make e2e | make migrations-check | make messages"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

install: $(UV)
	$(UV) sync --frozen --no-dev --inexact

install-dev: $(UV)
	$(UV) sync --frozen

# Compile the translations with Babel (pure Python: no gettext tools needed).
messages: $(UV)
	@for po in defensor/locale/*/LC_MESSAGES/django.po; do \
		mo=$${po%.po}.mo; \
		if [ ! -f "$$mo" ] || [ "$$po" -nt "$$mo" ]; then $(RUN) pybabel compile -i "$$po" -o "$$mo" >/dev/null || exit 1; fi; \
	done

demo: install messages
	@mkdir -p var
	@DEFENSOR_DEMO=1 $(MANAGE) keys init
	@DEFENSOR_DEMO=1 $(MANAGE) migrate --noinput -v 0
	@DEFENSOR_DEMO=1 $(MANAGE) createcachetable
	@DEFENSOR_DEMO=1 $(MANAGE) collectstatic --noinput -v 0
	@DEFENSOR_DEMO=1 $(MANAGE) demo
	@echo ""
	@echo "Open http://127.0.0.1:8000/ and sign in with one of the accounts above."
	@DEFENSOR_DEMO=1 exec $(MANAGE) run

test: install-dev messages
	$(RUN) pytest -n 2 -p no:cacheprovider

lint: install-dev
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy defensor

migrations-check: install-dev
	$(RUN) python -m defensor.cli makemigrations --check --dry-run

# Extract the strings again and fail if any is missing from the Russian catalogue or untranslated
# (needs GNU gettext: apt-get install gettext).
messages-check: install-dev
	$(MANAGE) translations check

e2e: install-dev messages
	$(RUN) pytest -m e2e -p no:cacheprovider -o addopts="-p defensor.testing_env -p defensor.e2e.fixtures --strict-markers -q" defensor

clean-demo:
	rm -rf var
