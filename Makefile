# Resilience Trainer: `make run` serves the app with demo data; `make serve` runs it in production
# (gunicorn and the scheduler); `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.sha1(open('requirements.txt','rb').read()).hexdigest()[:12])")
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := app.py
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install db run serve scheduler test test-sqlite test-postgres browser tools bench clean

install: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

# In development every generated link (invitations, calendar feeds) points at the address
# `make run` serves, unless BASE_URL is set. Production (`make serve`) requires BASE_URL.
run db: export BASE_URL ?= http://$(HOST):$(PORT)

# Migrate, load the curriculum, and seed the demo on an empty SQLite database.
db: install
	$(BIN)/flask db upgrade
	$(BIN)/flask load-modules
	@case "$${DATABASE_URL:-sqlite}" in \
	  sqlite*) $(BIN)/flask seed-demo --if-empty ;; \
	  *) echo "DATABASE_URL is not SQLite: demo data not seeded (run 'flask seed-demo' yourself)." ;; \
	esac

# The scheduler runs as its own background process (never under a reloader) and stops with the server.
run: db
	@echo "Serving on http://$(HOST):$(PORT) (links use $$BASE_URL) with the scheduler in the background (Ctrl+C to stop)"
	@$(BIN)/flask scheduler & sched=$$!; trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT) --no-reload

scheduler: install
	$(BIN)/flask scheduler

# Production: gunicorn with WEB_CONCURRENCY workers (default 2) and the one scheduler process,
# against DATABASE_URL, with TRAINER_ENV=production. Refuses to start, saying why, without
# SECRET_KEY and BASE_URL. Run `flask db upgrade` first (see docs/operations.md).
serve: export TRAINER_ENV := production
serve: install
	@$(BIN)/python -c 'import sys, trainer.config as c; sys.exit(c.main())'
	@echo "Serving $$BASE_URL on $(HOST):$(PORT) with $${WEB_CONCURRENCY:-2} gunicorn workers and the scheduler"
	@$(BIN)/flask scheduler & sched=$$!; trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers $${WEB_CONCURRENCY:-2} --bind $(HOST):$(PORT) \
	  --forwarded-allow-ips '' app:app

# Debian's Chromium for the browser tests. Installs it only when run as root; never needed.
browser:
	@if [ -x /usr/bin/chromium ]; then echo "Chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || echo "!!! Could not install Chromium: the browser tests will be SKIPPED."; \
	else echo "!!! /usr/bin/chromium is missing and this is not root: the browser tests will be SKIPPED (apt-get install chromium)."; fi

# R and PSPP, in which the tests run the generated R and SPSS syntax. Installs them only when run
# as root; without them those tests fail.
tools:
	@missing=""; command -v Rscript >/dev/null || missing=" r-base-core"; \
	command -v pspp >/dev/null || missing="$$missing pspp"; \
	if [ -z "$$missing" ]; then echo "R: $$(Rscript --version 2>&1 | head -1); PSPP: $$(pspp --version | head -1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) \
	  || echo "!!! Could not install$$missing: the R and SPSS syntax tests will FAIL."; \
	else echo "!!! Missing$$missing and this is not root: the R and SPSS syntax tests will FAIL (apt-get install$$missing)."; fi

test: install browser tools test-sqlite test-postgres

test-sqlite: install
	@echo "=== Test suite on SQLite ==="
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest tests

test-postgres: install
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	  echo "=== Test suite on PostgreSQL ($${TEST_DATABASE_URL}) ==="; \
	  $(BIN)/python -m pytest tests; \
	else echo "=== TEST_DATABASE_URL not set: PostgreSQL run skipped ==="; fi

# Every page against a bare floor route under gunicorn (SIZE=quick|org|cohort). BENCH_DATABASE_URL,
# if set, is EMPTIED and filled with generated data (default: SQLite in /tmp/trainer-bench).
bench: install
	$(BIN)/python benchmarks/run.py --size $(or $(SIZE),quick) $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

clean:
	rm -rf $(VENV) .pytest_cache
