# The two commands a newcomer needs: `make run` and `make test`. Both work on a machine with only Python 3.11
# (and, for the tests, a Postgres server).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DATABASE_URL_TEST ?= postgres://root@127.0.0.1:5432/shortscience

.PHONY: run test check lint format install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

.stamp-install: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

.stamp-install-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch .stamp-install $@

install: .stamp-install
install-dev: .stamp-install-dev

# Serve http://127.0.0.1:8000 with demo data, on SQLite unless DATABASE_URL says otherwise. Jobs (mail, imports)
# run in the serving process unless TASKS_BACKEND says otherwise: no worker to start.
RUN_ENV = DEBUG=1 TASKS_BACKEND=$${TASKS_BACKEND:-immediate}
run: .stamp-install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite, browser tests included, on Postgres (DATABASE_URL, default the local server), after the layer
# contract. Chromium is needed unless PYTEST_ARGS leaves the browser tests out (-m "not browser").
TEST_ENV = DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} SECRET_KEY=test-only-secret-key
test: .stamp-install-dev
	$(BIN)/lint-imports --no-cache
ifeq ($(findstring not browser,$(PYTEST_ARGS)),)
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || { \
	  echo "Chromium is needed for the browser tests: apt-get install chromium (.ci/run does this)"; exit 1; }
endif
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)
ifeq ($(PYTEST_ARGS),)
	$(REPLICA_TEST)
endif

# The read-replica router's tests need a second database (not replicated: what a page shows says which one it
# read); with it configured every read-only page would read it, so they run on their own.
REPLICA_TEST = $(TEST_ENV) DATABASE_REPLICA_URL=$${DATABASE_REPLICA_URL:-$${DATABASE_URL:-$(DATABASE_URL_TEST)}_replica} \
	$(BIN)/python -m pytest tests/test_db_router.py

# Everything but the browser: lint, the layer contract, no pending migrations, the tests without Chromium.
check: lint
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)
ifeq ($(PYTEST_ARGS),)
	$(REPLICA_TEST)
endif

lint: .stamp-install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: .stamp-install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .stamp-install .stamp-install-dev db.sqlite3 staticfiles
