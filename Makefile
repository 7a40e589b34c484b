# Two commands on a fresh machine: `make demo` (install everything, moderate the demo data)
# and `make test` (the whole test suite). Everything else here serves those two.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ray]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/vigie demo --db vigie-demo.sqlite

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/mypy

eval: install
	$(BIN)/vigie eval ../shared/data/dev/comments.jsonl

bench: install
	$(BIN)/vigie bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
