# Encore — the two commands: `make demo` (a running kiosk on demo content) and `make test` (the whole suite).
# Each sets itself up idempotently on a fresh Debian / Raspberry Pi OS machine: apt packages, .venv, the package.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export KIVY_NO_ARGS := 1
export KIVY_NO_FILELOG := 1
export KIVY_NO_CONSOLELOG := 1
DEMO_DATA ?= $(CURDIR)/demo-data

.PHONY: all setup system venv test lint typecheck pytest demo bench screenshots clean

all: test

system:
	@scripts/setup-system.sh

$(STAMP): pyproject.toml scripts/apt-packages.txt
	@scripts/setup-system.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup venv: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check kiosk tests bench
	$(VENV)/bin/ruff format --check kiosk tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy kiosk

pytest: $(STAMP)
	SDL_VIDEODRIVER=offscreen $(PY) -m pytest

test: lint typecheck pytest

demo: $(STAMP)
	$(PY) -m kiosk --data-dir $(DEMO_DATA) run --demo --windowed

bench: $(STAMP)
	$(PY) bench/run.py $(if $(LONG),--long,)

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache

# --- touch UI: screenshots of every screen at both display sizes; gettext catalogues ---
.PHONY: i18n-extract i18n-compile
screenshots: $(STAMP)
	SDL_VIDEODRIVER=offscreen $(PY) -m kiosk.devtools.screenshots build/screenshots

I18N_POT := kiosk/ui/locale/encore.pot
I18N_SOURCES = $(wildcard kiosk/ui/*.py kiosk/ui/screens/*.py kiosk/ui/*.kv kiosk/ui/screens/*.kv kiosk/ui/screens/mode_panels/*.kv) \
	kiosk/domain/modes.py kiosk/domain/controls.py

i18n-extract:
	xgettext --language=Python --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --from-code=UTF-8 --add-comments \
		--package-name=encore -o $(I18N_POT) $(I18N_SOURCES)
	@for po in kiosk/ui/locale/*/LC_MESSAGES/encore.po; do \
		[ -f "$$po" ] && msgmerge --quiet --update --backup=none "$$po" $(I18N_POT) && echo "updated $$po"; \
	done; true

i18n-compile:
	@for po in kiosk/ui/locale/*/LC_MESSAGES/encore.po; do \
		[ -f "$$po" ] || continue; msgfmt --check -o "$${po%.po}.mo" "$$po" && echo "compiled $${po%.po}.mo"; \
	done; true
