# Quick start: `make run` serves on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
TRANSLATIONS := facilitator/translations

.PHONY: run test test-packages demo translations translations-update web-fonts clean

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
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

# After adding or changing text: extract the msgids (English) into messages.pot, then merge them
# into every language's .po file (created if missing), and translate what is new. No fuzzy
# matching: a guessed msgstr with other placeholders would make `pybabel compile` fail.
LANGUAGES := de de@simple en ar fa fa_AF tr uk ru ti
translations-update: $(STAMP)
	@mkdir -p $(TRANSLATIONS)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --add-comments=TRANSLATORS: --no-location --sort-output \
		--project=Facilitator --copyright-holder="Facilitator contributors" -o $(TRANSLATIONS)/messages.pot .
	for lang in $(LANGUAGES); do \
		$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang \
			--init-missing --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching || exit 1; \
	done

# WOFF2 cuts of the script fonts for the screens (static/css/fonts.css); committed, since they
# change only when static/fonts, a unicode-range in fonts.css or a language name does
# (tests/test_i18n.py says when to run this).
web-fonts: $(STAMP)
	$(BIN)/python tools/web_fonts.py

run: $(STAMP) translations
	$(BIN)/python run.py

demo: $(STAMP) translations
	$(BIN)/python run.py demo

# Chromium, LibreOffice, fonts...: installed when run as root, else named with the command to run
# (one list in .ci/debian-packages, shared with CI). No test is skipped for lack of them.
test-packages:
	@.ci/install-packages

# Two pytest-xdist workers: most tests wait on a server process, a browser or a socket, so two
# keep two cores busy (CI has two). A test file stays on one worker (--dist loadfile), so its
# module-scoped server starts once; files go out in the order tests/conftest.py sorts them
# (slow ones first), not by their number of tests. PYTEST_WORKERS=0 runs in one process (e.g.
# for pdb); PYTEST_ARGS picks tests and options: make test PYTEST_ARGS="tests/test_http.py -x".
PYTEST_WORKERS ?= 2
test: test-packages $(TEST_STAMP) translations
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
