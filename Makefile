# The two commands a newcomer needs: `make run` and `make test`. Everything they need is
# installed here, into .venv, from pinned requirements.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
LOCALES_DIR := translations
PORT ?= 5000

.PHONY: run test lint format translations translations-compile bench setup clean-venv static deploy-test screenshots

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

## Start the whole portal on the embedded default (SQLite, embedded Redis, one worker).
run: setup translations-compile
	PORT=$(PORT) $(BIN)/python -m portal.devserver

## Run the whole test suite (set TEST_DATABASE_URL and TEST_REDIS_URL for PostgreSQL/Redis).
test: setup translations-compile
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Two catalogues: "messages" (what applicants see, every applicant language) and "staff"
# (staff screens, German and English). Each is extracted from its own keywords.
MESSAGES_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2
STAFF_KEYWORDS    := --no-default-keywords -k _s -k _ls -k ngettext_s:1,2
STAFF_LOCALES     := de en

# A template is replaced only when its messages changed, not for its creation date alone, and
# catalogues ignore that date: running `make translations` twice leaves no difference.
define keep_if_changed
	if [ -f $(2) ] && [ "$$(grep -v '^"POT-Creation-Date:' $(1))" = "$$(grep -v '^"POT-Creation-Date:' $(2))" ]; \
	then rm $(1); else mv $(1) $(2); fi
endef

## Extract strings, update every locale's catalogues, compile.
translations: setup
	$(BIN)/pybabel extract --sort-by-file --no-wrap -F babel.cfg $(MESSAGES_KEYWORDS) -o $(LOCALES_DIR)/messages.pot.new .
	$(call keep_if_changed,$(LOCALES_DIR)/messages.pot.new,$(LOCALES_DIR)/messages.pot)
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching --ignore-pot-creation-date -i $(LOCALES_DIR)/messages.pot -d $(LOCALES_DIR)
	$(BIN)/pybabel extract --sort-by-file --no-wrap -F babel-staff.cfg $(STAFF_KEYWORDS) -o $(LOCALES_DIR)/staff.pot.new .
	$(call keep_if_changed,$(LOCALES_DIR)/staff.pot.new,$(LOCALES_DIR)/staff.pot)
	for locale in $(STAFF_LOCALES); do \
	  po=$(LOCALES_DIR)/$$locale/LC_MESSAGES/staff.po; \
	  if [ -f $$po ]; then $(BIN)/pybabel update --no-wrap --no-fuzzy-matching --ignore-pot-creation-date -D staff -i $(LOCALES_DIR)/staff.pot -d $(LOCALES_DIR) -l $$locale; \
	  else $(BIN)/pybabel init --no-wrap -D staff -i $(LOCALES_DIR)/staff.pot -d $(LOCALES_DIR) -l $$locale; fi; \
	done
	$(MAKE) translations-compile

translations-compile: setup
	$(BIN)/pybabel -q compile -d $(LOCALES_DIR)
	for locale in $(STAFF_LOCALES); do \
	  test ! -f $(LOCALES_DIR)/$$locale/LC_MESSAGES/staff.po || $(BIN)/pybabel -q compile -D staff -d $(LOCALES_DIR) -l $$locale; \
	done

## Precompressed copies of the static files, which nginx serves as they are (gzip_static).
static:
	for file in portal/static/*.css portal/static/*.js portal/static/*.svg; do \
	  test -f "$$file" || continue; gzip -9 -n -c "$$file" > "$$file.gz"; touch -r "$$file" "$$file.gz"; \
	done

## Both faces under gunicorn behind nginx, a worker, PostgreSQL and Redis: a case end to end.
deploy-test: setup translations-compile
	bash deploy/test/run.sh

## A PNG of every applicant page on a 360 px phone, in Dari and English, into screenshots/.
screenshots: setup translations-compile
	rm -rf screenshots
	PORTAL_REQUIRE_BROWSER=1 PORTAL_SCREENSHOTS_DIR=$(CURDIR)/screenshots \
	  $(BIN)/python -m pytest -q -p no:cacheprovider -n 0 tests/browser/test_screenshots.py
	@echo "screenshots/fa_AF and screenshots/en: $$(find screenshots -name '*.png' | wc -l) pages"

bench: setup translations-compile
	$(BIN)/python -m bench

clean-venv:
	rm -rf $(VENV)
