# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck pytest screenshots bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/smstui

lint: $(STAMP)
	$(BIN)/ruff check smstui tests bench
	$(BIN)/ruff format --check smstui tests bench

typecheck: $(STAMP)
	$(BIN)/mypy smstui

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

screenshots: $(STAMP)
	$(BIN)/python -m tests.support.screenshots screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
