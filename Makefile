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

.PHONY: run test install install-test translations demo db bench extract-messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations -f --statistics 2>/dev/null || $(BIN)/pybabel compile -d translations -f

db: $(VENV)/.installed
	mkdir -p instance
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo

run: translations demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test translations
	$(BIN)/python bench/run.py

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/python tools/french_plurals.py

clean:
	rm -rf $(VENV) instance .pytest_cache
