# Evently — one entry point for every routine task. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PROTO_FILES := $(shell find protos/evently -name '*.proto' | sort)

.DEFAULT_GOAL := help
.PHONY: help setup run test bench lint protos protos-check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## create .venv/ with everything installed and .venv/bin/evently

run: $(STAMP) ## run the whole system (evently up); Ctrl-C stops it
	$(BIN)/evently up

test: $(STAMP) ## run every test (PostgreSQL too when EVENTLY_TEST_POSTGRES_URL is set)
	$(BIN)/pytest

bench: $(STAMP) ## measure Evently beside the bare libraries (bench/README.md); ARGS="grpc --seconds 10"
	$(BIN)/python -m bench $(ARGS)

lint: $(STAMP) protos-check ## ruff, mypy, import boundaries, buf lint and generated-code drift
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/buf lint

protos: $(STAMP) ## regenerate pkg/evently from protos/ (never edit it by hand)
	rm -rf pkg/evently
	mkdir -p pkg
	$(BIN)/python -m grpc_tools.protoc -I protos --python_out=pkg --pyi_out=pkg --grpc_python_out=pkg $(PROTO_FILES)
	find pkg/evently -type d -exec touch {}/__init__.py \;

protos-check: protos ## fail when the committed generated code differs from make protos
	git diff --exit-code --stat -- pkg/evently
	test -z "$$(git status --porcelain -- pkg/evently)"

clean: ## remove the virtualenv, caches and local data
	rm -rf $(VENV) .evently .pytest_cache .mypy_cache .ruff_cache
