# Two commands do everything: `make run` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
FLASK  := $(VENV)/bin/flask --app wellness
STAMP  := $(VENV)/.installed-stamp
AXE    := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: install run test lint clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# axe-core for the browser tests, from the npm registry at the version the lock file pins.
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $(AXE); \
	else echo "npm not found: the browser tests will skip (and fail in CI)"; fi

# First run: create the database, the keys and a demo agency. Every run: apply migrations
# (and, once, adopt the keys of an instance made by an earlier release, or give an instance
# of the last release its row key), start the scheduler
# beside the web server (one box), serve on 127.0.0.1:5000.
run: $(STAMP)
	@if [ ! -d instance/keys ]; then $(FLASK) init && $(FLASK) demo; else $(FLASK) db upgrade; \
		if [ ! -f instance/keys/signing.key ] || [ ! -f instance/keys/rows.key ]; then \
			$(FLASK) keys adopt --trust-current; fi; fi
	@echo "Serving on http://127.0.0.1:5000 - sign in at http://127.0.0.1:5000/login (Ctrl-C stops)"
	@$(FLASK) scheduler & SCHEDULER=$$!; trap 'kill $$SCHEDULER 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --bind 127.0.0.1:5000 --workers 2 --access-logfile - \
		--access-logformat '%(m)s %(U)s %(s)s %(L)ss' wsgi:app

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

test: $(STAMP) $(AXE)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest

# Load figures (docs/PERFORMANCE.md): gunicorn on SQLite and PostgreSQL, about 15 minutes.
bench: $(STAMP)
	$(VENV)/bin/python bench/run.py
	$(VENV)/bin/python bench/page_weight.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
