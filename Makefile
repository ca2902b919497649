# govstd — `make demo` and `make test` work on a fresh machine with only Python 3.11, pip, make and gcc.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
OUT    ?= govstd-demo

.PHONY: demo test lint bench docs clean

$(STAMP): pyproject.toml setup.py src/govstd/kernel/_kernel.c src/govstd/kernel/_fpcount.c $(wildcard src/govstd/kernel/csrc/*)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[all,dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m govstd demo --out $(OUT)

# pytest exits 5 when it collects nothing: that is a broken suite, not a pass.
test: $(STAMP)
	@$(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy src

# Validation vs a bare scan (1 M and 10 M rows, spill), DuckDB vs Spark scaling, CLI start-up; then
# the scale section: the service-item catalogue (200 k and 2 M items) on SQLite and a throwaway PostgreSQL,
# and the site built from the library, 1,000 schemas and 200 k items.
# Numbers and their reading live in docs/benchmarks.md.
bench: $(STAMP)
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.engines
	$(PY) -m benchmarks.startup --write
	$(PY) -m benchmarks.items --postgres auto
	$(PY) -m benchmarks.items --postgres auto --items 2000000 --check-rows 0
	$(PY) -m benchmarks.site

# The project's own documentation: CLI reference must match the commands, then a strict mkdocs build.
docs: $(STAMP)
	$(PY) -m govstd.site.cli_reference --check
	$(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) $(OUT) site build .pytest_cache .mypy_cache .ruff_cache
