# Fresh machine: `make demo` (set up and run the demo) or `make test` (set up and run the checks).
PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.9
BIN := $(VENV)/bin

.PHONY: setup demo test test-fast lint bench lock clean screenshots docs

# A virtual environment with the pinned dependencies of uv.lock (uv itself lives in it too),
# compiled to bytecode once, so no command compiles a library at start.
$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --inexact --compile-bytecode --python $(BIN)/python
	touch $@

# The reader's models, trained once per corpus (a no-op when the current build is there).
setup: $(VENV)/.synced
	$(BIN)/evenhand reader build

demo: setup
	$(BIN)/evenhand demo

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src tests bench
	$(BIN)/lint-imports

# Everything: what CI runs (.ci/run).
test: lint
	$(BIN)/pytest

# The developer's loop: no model training, browser or `evenhand` processes.
test-fast: setup
	$(BIN)/pytest -m "not training and not browser and not process and not slow"

# The browser tests again, writing their screenshots into docs/screenshots for the README.
screenshots: setup
	EVENHAND_TEST_SCREENSHOTS=docs EVENHAND_REQUIRE_BROWSER=1 $(BIN)/pytest tests/test_ui.py tests/test_agent_day_browser.py tests/test_demo_browser.py

bench: setup
	$(BIN)/python bench/import_orders.py

lock:
	$(BIN)/uv lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# The references generated from the code (a test fails when they are stale).
docs: setup
	$(BIN)/python -c "from evenhand.actions.settings_text import settings_reference as r; print(r(), end='')" > docs/reference/settings.md
