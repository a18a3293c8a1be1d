PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SEED := seeds/kazakhstan-nato-partnership-edm-2005.txt
# One test worker more than there are cores: Pilot tests sleep about a third of their time while
# the app goes idle between keys, and with a worker per core the cores idled a quarter of the run.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

.PHONY: run test lint typecheck bench report-bench screenshot clean

# Stamps: `make run` installs only what running needs; `make test` installs that and the test
# extra in one call (a second call resolved everything and built the editable install again);
# `make lint` and `make typecheck` add the lint extra. Each re-installs when pyproject.toml is newer.
# The venv gets no pip of its own where the Python that makes it has a pip that can install into
# another environment (pip >= 22.3, --python): `venv` would install and compile pip (and, on 3.11,
# setuptools) again, about 8 s of CPU of a fresh clone's set-up that nothing uses. Else the venv's
# own pip, recent enough for editable installs from pyproject: no upgrade, no download.
$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -c 'import pip, sys; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (22, 3))' \
		2>/dev/null || $(BIN)/python -m ensurepip --default-pip

# The venv's pip if it has one, else the outer one installing into the venv.
PIP = sh -c 'if [ -x $(BIN)/pip ]; then exec $(BIN)/python -m pip "$$@"; \
	else exec $(PYTHON) -m pip --python $(BIN)/python "$$@"; fi' pip

# uv installs the test and lint extras: on a fresh clone the test extra took pip ~20 s (most of
# it resolving, one package's index page after another, and setuptools installed for the build),
# uv ~4 s (it fetches in parallel). pip puts uv (one binary from PyPI) into the venv first, ~4 s.
# Where uv cannot be had or fails, pip installs everything as before.
$(BIN)/uv: | $(BIN)/python
	-$(PIP) install --quiet --only-binary :all: uv

UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python

# Recipes write bytecode caches even where the environment says not to: the test extra installs
# without compiling its thousands of files, and what a run imports is compiled once, when first
# imported, instead of again in every test worker and every CLI subprocess.
unexport PYTHONDONTWRITEBYTECODE

# `make run` with pip alone: the runtime and nothing else in .venv (not uv either).
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	$(BIN)/python -m compileall -q tui  # an editable install compiles nothing: start as fast as an installed one
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python $(BIN)/uv
	if [ -x $(BIN)/uv ] && $(UV_INSTALL) -e '.[test]'; then :; else $(PIP) install --quiet --no-compile -e '.[test]'; fi
	$(BIN)/python -m compileall -q tui
	touch $(VENV)/.run-installed $@

$(VENV)/.lint-installed: $(VENV)/.run-installed
	if [ -x $(BIN)/uv ] && $(UV_INSTALL) -e '.[lint]'; then :; else $(PIP) install --quiet --no-compile -e '.[lint]'; fi
	touch $@

run: $(VENV)/.run-installed
	$(BIN)/hedgerow seeds

# On the cores there are, and one more (pytest-xdist); PYTEST_WORKERS=0 runs in one process, as
# --snapshot-update needs: make test PYTEST_WORKERS=0 PYTEST_ARGS=--snapshot-update
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(VENV)/.lint-installed
	$(BIN)/ruff check tui tests bench

typecheck: $(VENV)/.lint-installed
	$(BIN)/mypy

bench: $(VENV)/.run-installed
	$(BIN)/python bench/core_bench.py
	$(BIN)/python bench/tui_bench.py
	$(BIN)/python bench/tails.py

report-bench: $(VENV)/.run-installed
	$(BIN)/python bench/report_bench.py

# The README's screenshot of the report, taken by the browser test (needs chromium and chromium-driver).
screenshot: $(VENV)/.test-installed
	HEDGEROW_README_SCREENSHOT=docs/report.png $(BIN)/python -m pytest -q tests/test_report_browser.py -k seed_report_loads

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
