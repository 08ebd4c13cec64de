# Every target bootstraps .venv from pyproject.toml when it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all artifacts test lint bench differential fuzz clean

all: artifacts

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

artifacts: $(STAMP)
	$(BIN)/vr-quarantine render --default $(sort $(wildcard examples/*.yaml)) -o artifacts

# worksteal: an idle worker takes tests queued for a busy one (a few files take 10 s or more).
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m tests.bench

# Parser and evaluator against vfilter's own (../shared/oracles), on a large budget.
differential: $(STAMP)
	$(BIN)/python -m tests.differential

# Every command fed hostile input in capped processes, far longer than `make test` does.
FUZZ_EXAMPLES ?= 300
fuzz: $(STAMP)
	VRQ_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -n auto --dist load tests/test_fuzz_commands.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
