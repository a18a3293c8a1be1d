PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SEED := seeds/kazakhstan-nato-partnership-edm-2005.txt

.PHONY: run test bench report-bench screenshot clean

# Re-install whenever pyproject.toml is newer than the venv's stamp.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q tui  # an editable install compiles nothing: start as fast as an installed one
	touch $@

run: $(VENV)/.installed
	$(BIN)/hedgerow $(SEED)

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(BIN)/python bench/core_bench.py
	$(BIN)/python bench/tui_bench.py

report-bench: $(VENV)/.installed
	$(BIN)/python bench/report_bench.py

# The README's screenshot of the report, taken by the browser test (needs chromium and chromium-driver).
screenshot: $(VENV)/.installed
	HEDGEROW_README_SCREENSHOT=docs/report.png $(BIN)/python -m pytest -q tests/test_report_browser.py -k seed_report_loads

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
