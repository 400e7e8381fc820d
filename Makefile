# The two commands: `make run` serves the archive, `make test` runs every test.
# Both work on a fresh clone: they create the virtualenv and install what they need.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
WORKERS ?=
BIN := $(VENV)/bin

.PHONY: run test test-fast install install-test browser-deps lint format bench

# gunicorn.conf.py sets workers and threads from the CPU count (WORKERS=n overrides), the
# timeouts, the access log on stdout, and runs the start-up checks before serving.
run: $(VENV)/.installed  ## install, migrate, ingest seeds/, serve with gunicorn on 127.0.0.1:$(PORT)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py ingest
	$(BIN)/gunicorn archive.wsgi --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) \
	  $(if $(WORKERS),--workers $(WORKERS))

# With ARCHIVE_TEST_DATABASE_URL=postgres://... set (CI sets it with .ci/postgres),
# the suite runs a second time on that PostgreSQL server.
test: $(VENV)/.installed-test browser-deps  ## install what the tests need, lint, run the whole suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser"
	$(BIN)/pytest -m browser  # apart: Playwright's event loop must not share a process with ORM tests
	@if [ -n "$$ARCHIVE_TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$ARCHIVE_TEST_DATABASE_URL), browser tests aside =="; \
	  DATABASE_URL="$$ARCHIVE_TEST_DATABASE_URL" $(BIN)/pytest -n 2 --dist loadfile -m "not browser"; \
	fi

test-fast: $(VENV)/.installed-test  ## everyday: the suite without the process-starting and browser tests
	$(BIN)/pytest -n 2 --dist loadfile -m "not slow and not browser"

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.installed $@

browser-deps:  ## Debian's chromium for the browser tests (Playwright cannot download its own here)
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
