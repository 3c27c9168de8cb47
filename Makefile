# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# import-linter lives in a venv of its own: its click dependency, once importable, makes httpx
# load its command-line module (and rich and pygments with it) whenever smstui imports httpx
LINT_VENV := .venv-lint
LINT_STAMP := $(LINT_VENV)/.installed
# four workers on two cores: a worker waits about half its time (README "Tests" has the figures)
PYTEST_WORKERS ?= 4

.PHONY: run test install lint typecheck lint-imports pytest screenshots bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(LINT_STAMP):
	test -x $(LINT_VENV)/bin/python || $(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install --quiet 'import-linter==2.5.2'
	touch $(LINT_STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/smstui

lint: $(STAMP)
	$(BIN)/ruff check smstui tests bench
	$(BIN)/ruff format --check smstui tests bench

typecheck: $(STAMP)
	$(BIN)/mypy smstui

# the contracts are in pyproject.toml ([tool.importlinter])
lint-imports: $(LINT_STAMP)
	PYTHONPATH=$(CURDIR) $(LINT_VENV)/bin/lint-imports

# loadgroup: tests marked xdist_group run in one worker; the rest spread test by test
pytest: $(STAMP)
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup

test: lint typecheck pytest lint-imports

screenshots: $(STAMP)
	$(BIN)/python -m tests.support.screenshots screenshots

clean:
	rm -rf $(VENV) $(LINT_VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
