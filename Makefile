# The two quick-start commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/portal-archive: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# pywb (portal-archive replay, tests/test_replay_browser.py) pins redis==2.10.6, which the
# Redis queue cannot use (with redis 8 its wayback refuses to start): it gets a virtualenv of
# its own, .venv/pywb, where crawler/replay.py looks for it (its PYWB_REQUIREMENT).
PYWB := $(VENV)/pywb/bin/wayback
$(PYWB):
	$(PYTHON) -m venv $(VENV)/pywb
	$(VENV)/pywb/bin/pip install --quiet --upgrade pip
	$(VENV)/pywb/bin/pip install --quiet 'pywb>=2.8,<3'
	touch $@

.PHONY: setup demo test lint docs bench
setup: $(BIN)/portal-archive $(PYWB)

demo: setup
	$(BIN)/portal-archive demo --db archive.db

test: setup
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory docs
	$(BIN)/pytest -q -n auto --dist loadfile

# The documentation site (docs/, mkdocs.yml); --strict turns every warning into a failure.
docs: setup
	$(BIN)/mkdocs build --strict --site-dir build/site

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/pip install --quiet -e ".[bench,test]"
	$(BIN)/python -m bench
