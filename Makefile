# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    create .venv, install, migrate, start nats-server + 4 services + gateway on SQLite
#   make test   create .venv, install, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# `make test` and `make test-postgres` run the test files over TEST_JOBS processes (pytest-xdist, one file per
# process at a time: a file's tests share their fixtures); TEST_JOBS=0 runs everything in one process.
TEST_JOBS ?= 2
XDIST := $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

.PHONY: install run test unit lint test-postgres bench chaos clean token

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/youwei up

test: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# The fast inner loop: the pure unit tests of the domain, the kernel and the gateway (no database, no broker).
unit: $(STAMP)
	$(BIN)/python -m pytest tests/kernel/unit tests/rank/unit tests/appraisal/unit tests/petitions/unit \
	  tests/tolerance/unit tests/gateway/unit -q $(PYTEST_ARGS)

# ruff lint and format (rules in pyproject.toml); `make lint FIX=1` applies the safe fixes and formats.
lint: $(STAMP)
	$(BIN)/ruff check . $(if $(FIX),--fix,)
	$(BIN)/ruff format $(if $(FIX),,--check) .

# The database, messaging and end-to-end tests again on PostgreSQL (TEST_POSTGRES_URL, default the local server).
test-postgres: $(STAMP)
	TEST_POSTGRES_URL=$${TEST_POSTGRES_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres} \
	YOUWEI_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest -m postgres $(XDIST) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# The chaos run (docs/reliability.md R14): `youwei up --replicas 2 --nats-cluster 3` on PostgreSQL under CHAOS_OPS
# mixed writes (default 20000; CHAOS_OPS=2000 for a short run, CHAOS_SEED) while nodes and replicas are SIGKILLed.
chaos: $(STAMP)
	TEST_POSTGRES_URL=$${TEST_POSTGRES_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres} \
	$(BIN)/python -m bench.chaos

token: $(STAMP)
	$(BIN)/youwei token --role org_admin --unit city

clean:
	rm -rf $(VENV) var .pytest_cache
