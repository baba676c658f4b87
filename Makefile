# plateforme — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The app refuses to start without an explicit profile: the targets here run it for development
# (a server sets PLATEFORME_ENV=production itself).
export PLATEFORME_ENV ?= development

LOCK      := requirements.lock
TEST_LOCK := requirements-test.lock
# uv computes the lock files (make lock, make outdated); it lives in its own small venv,
# apart from the project's, and only that step needs it.
UV_VERSION := 0.13.10
TOOLS := build/tools
UV    := $(TOOLS)/bin/uv
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" --quiet \
              $(if $(UPGRADE),--upgrade) $(if $(UPGRADE_PACKAGE),--upgrade-package $(UPGRADE_PACKAGE))

.PHONY: run test install install-test translations demo db bench extract-messages clean lock outdated

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Install exactly what a lock file pins, each download checked against its hash, then the
# project itself without resolving anything more; again only when a lock file changes.
$(VENV)/.installed: $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(TEST_LOCK) $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r $(TEST_LOCK)
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations -f --statistics 2>/dev/null || $(BIN)/pybabel compile -d translations -f

db: $(VENV)/.installed
	mkdir -p instance
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo --address http://$(HOST):$(PORT)

# The web server and one task consumer together; Ctrl-C stops both (plateforme/devserver.py).
run: translations demo
	DEMO_DATA=1 $(BIN)/python -m plateforme.devserver --host $(HOST) --port $(PORT)

# One pytest worker a core, each test file on one worker (its module fixtures set up once);
# TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-test translations
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: $(VENV)/.installed-test translations
	$(BIN)/python bench/load.py $(BENCH_ARGS)

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/python tools/french_plurals.py

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Both lock files from pyproject.toml. Versions already pinned are kept unless a range
# excludes them; UPGRADE=1 moves every package to its newest allowed version,
# UPGRADE_PACKAGE=name one package. See "Upgrading dependencies" in README.md.
lock: $(UV)
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) -o $(LOCK)
	$(UV) pip compile pyproject.toml --extra test $(LOCK_FLAGS) -o $(TEST_LOCK)

# What a `make lock UPGRADE=1` would change, and releases beyond pyproject.toml's ranges.
outdated: $(UV)
	$(PYTHON) tools/outdated.py $(UV)

clean:
	rm -rf $(VENV) $(TOOLS) instance .pytest_cache
