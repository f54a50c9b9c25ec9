# The project's commands. `make preview` serves the bundled course; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
LOCALES := vi en
CATALOGUE := dps_xblocks/translations

.PHONY: preview test test-all lint system-deps translations check-translations clean

$(BIN)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# Debian packages the browser tests and the catalogue compiler need; installed only if missing.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v msgfmt >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium gettext; \
	fi

translations: system-deps
	@for locale in $(LOCALES); do \
		mkdir -p $(CATALOGUE)/$$locale/LC_MESSAGES; \
		msgfmt --check -o $(CATALOGUE)/$$locale/LC_MESSAGES/text.mo translations/$$locale/LC_MESSAGES/text.po || exit 1; \
	done

preview: $(BIN)/.installed translations
	$(BIN)/dps-preview --port $(PORT)

test: $(BIN)/.installed system-deps translations
	$(BIN)/pytest

# Both supported Pythons, through tox.
test-all: $(BIN)/.installed system-deps translations
	$(BIN)/tox

lint: $(BIN)/.installed
	$(BIN)/ruff check dps_xblocks tests benchmarks

clean:
	rm -rf build dist *.egg-info .tox var
