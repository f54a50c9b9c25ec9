# The project's commands. `make preview` serves the bundled course; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
LOCALES := $(patsubst translations/%/LC_MESSAGES/text.po,%,$(wildcard translations/*/LC_MESSAGES/text.po))
CATALOGUE := dps_xblocks/translations

.PHONY: preview test test-all wheel lint system-deps translations extract check-translations bench citywide bench-citywide clean

$(BIN)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip "setuptools>=68,<81" wheel
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

# Bring every translations/<locale>/LC_MESSAGES/text.po up to date with the strings in the source.
extract: $(BIN)/.installed system-deps
	$(BIN)/python scripts/extract_strings.py

# Refuse missing, empty, fuzzy or inconsistent translations and .mo files that were not recompiled.
check-translations: $(BIN)/.installed system-deps
	$(BIN)/python scripts/check_translations.py

preview: $(BIN)/.installed
	$(BIN)/dps-preview --port $(PORT)

test: $(BIN)/.installed system-deps
	$(BIN)/pytest

# Both supported Pythons, through tox. tox's discovery skips pyenv's shims, so each
# interpreter is named to it.
PY311 ?= $(or $(shell command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=$$(pyenv versions --bare | grep -E '^3\.11(\.|$$)' | tail -n 1) pyenv which python3.11 2>/dev/null),python3.11)
PY312 ?= $(or $(shell command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=$$(pyenv versions --bare | grep -E '^3\.12(\.|$$)' | tail -n 1) pyenv which python3.12 2>/dev/null),python3.12)

test-all: $(BIN)/.installed system-deps
	$(BIN)/pip install --quiet "tox>=4"
	$(BIN)/tox --discover $(PY311) $(PY312)

# The wheel an administrator installs into Open edX, in dist/.
wheel: $(BIN)/.installed
	$(BIN)/pip wheel --no-deps --no-build-isolation --wheel-dir dist .

lint: $(BIN)/.installed
	$(BIN)/ruff check dps_xblocks tests benchmarks scripts

# One import package per ward and commune, with a manifest and import scripts, in out/citywide/.
citywide: $(BIN)/.installed
	$(BIN)/dps-olx build

bench-citywide: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_citywide.py

# Compares the practice block with Drag-and-Drop v2, which needs Python 3.12: a venv of its own.
BENCH_VENV ?= var/bench/venv
BENCH_PYTHON ?= $(PY312)

$(BENCH_VENV)/.installed: setup.py benchmarks/requirements.txt
	$(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -e ".[test]" -r benchmarks/requirements.txt
	touch $@

bench: $(BENCH_VENV)/.installed system-deps
	$(BENCH_VENV)/bin/python benchmarks/bench_blocks.py

clean:
	rm -rf build dist *.egg-info .tox var
