# Quick start: `make run` serves on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
TRANSLATIONS := facilitator/translations

.PHONY: run test demo translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# Compiled catalogues are build output: made from the .po files on every run.
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -q -d $(TRANSLATIONS) 2>/dev/null || $(BIN)/pybabel compile -q -d $(TRANSLATIONS)

run: $(STAMP) translations
	$(BIN)/python run.py

demo: $(STAMP) translations
	$(BIN)/python run.py demo

test: $(TEST_STAMP) translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
