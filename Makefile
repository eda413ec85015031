# Developer and CI entry points. CI (.ci/run) calls `make test`, the same command a developer runs.
SHELL := /bin/bash
VENV  := .venv/bin
JOBS  ?= 2
PYTEST_ARGS ?=
FUZZ_SECONDS ?= 20

.PHONY: stubs
.PHONY: help setup up down status test check test-fast test-unit test-duckdb test-e2e core-test core-asan \
        sanitize-build fuzz lint format clean
.PHONY: bench-throughput bench-apply bench-latency bench-insert bench-load bench-backlog bench-all

help:           ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup:          ## install system packages (as root), the venv and the C++ core
	@scripts/setup.sh

up: setup       ## bring the pipeline up with the sample data (users, orders)
	$(VENV)/cdc up --sample

down:           ## stop everything `make up` started (data is kept)
	$(VENV)/cdc down

status:         ## health of every component and connector
	$(VENV)/cdc status

test: check test-e2e   ## everything CI runs: `check` (fast failures first), then the e2e tier on the real stack

check: setup lint test-fast core-asan fuzz   ## no stack: lint, unit+duckdb tests, C++ tests under ASan+UBSan, fuzz smoke

test-fast: setup   ## the unit and duckdb tiers (no external process; about a minute)
	$(VENV)/pytest -m "unit or duckdb" $(PYTEST_ARGS)

test-unit: setup   ## pure-logic tests only (seconds)
	$(VENV)/pytest -m unit $(PYTEST_ARGS)

test-duckdb: setup ## tests against embedded DuckDB
	$(VENV)/pytest -m duckdb $(PYTEST_ARGS)

test-e2e: setup    ## tests on the real stack (PostgreSQL, Kafka, Connect + Debezium), one stack per session
	$(VENV)/pytest -m e2e $(PYTEST_ARGS)

core-test:      ## build the C++ core standalone (g++, Debug) and run its GoogleTest suite (not in CI: core-asan runs it)
	cmake -S core -B build/core -DCDC_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build/core -j$(JOBS)
	ctest --test-dir build/core --output-on-failure

# One sanitizer build (clang, ASan+UBSan, tests and fuzzers) serves both core-asan and fuzz, so CI compiles
# the core twice in all: this build and the Python extension (Release, by `setup`).
sanitize-build:
	cmake -S core -B build/sanitize -DCMAKE_CXX_COMPILER=clang++ -DCDC_FUZZ=ON -DCDC_BUILD_TESTS=ON >/dev/null
	cmake --build build/sanitize -j$(JOBS)

core-asan: sanitize-build ## the C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer (clang)
	ctest --test-dir build/sanitize --output-on-failure

fuzz: sanitize-build ## libFuzzer (ASan+UBSan) on the decoders, FUZZ_SECONDS each, after replaying the seed corpora
	ctest --test-dir build/sanitize -R corpus --output-on-failure
	mkdir -p build/sanitize/corpus build/sanitize/corpus_event
	set -o pipefail; build/sanitize/fuzz/fuzz_envelope -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -dict=core/fuzz/envelope.dict build/sanitize/corpus core/fuzz/corpus 2>&1 | tail -n 80
	set -o pipefail; build/sanitize/fuzz/fuzz_event_decoder -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -dict=core/fuzz/envelope.dict build/sanitize/corpus_event core/fuzz/corpus_event 2>&1 | tail -n 80

STUBGEN := $(VENV)/python -m nanobind.stubgen -q -m cdc_pipeline._core

stubs: setup    ## regenerate src/cdc_pipeline/_core.pyi from the built extension (nanobind's stubgen)
	$(STUBGEN) -o src/cdc_pipeline/_core.pyi

lint: setup     ## ruff, mypy --strict, the import rules (lint-imports), clang-format, _core.pyi up to date
	@mkdir -p build && $(STUBGEN) -o build/_core.pyi
	@diff -u src/cdc_pipeline/_core.pyi build/_core.pyi >/dev/null || { diff -u src/cdc_pipeline/_core.pyi \
	  build/_core.pyi | head -n 40; echo "src/cdc_pipeline/_core.pyi differs from the extension: run make stubs"; exit 1; }
	$(VENV)/ruff check src tests bench
	$(VENV)/ruff format --check src tests bench
	$(VENV)/mypy
	$(VENV)/lint-imports --no-cache
	find core \( -name '*.cpp' -o -name '*.hpp' \) -print0 | xargs -0 clang-format --dry-run --Werror

format: setup   ## apply ruff format and clang-format
	$(VENV)/ruff format src tests bench
	$(VENV)/ruff check --fix src tests bench
	clang-format -i $$(find core -name '*.hpp' -o -name '*.cpp')

clean:          ## remove build outputs (not .cdc/ data)
	rm -rf build .venv/.cdc-installed

# Benchmarks (bench/RESULTS.md): each needs the stack `make up` runs; results go to bench/results/*.json.
bench-throughput: ## sink events/s beside (a) decode only, (b) bulk load, (c) row by row; 1M events
	$(VENV)/cdc bench throughput --events 1000000 --repeat 3 --rowbyrow-events 20000

bench-apply:    ## upsert strategies against target table size (100k, 1M, 10M rows); DuckDB only
	$(VENV)/cdc bench apply --sizes 100000,1000000,10000000 --batches 5

bench-latency:  ## PostgreSQL commit -> visible in DuckDB at 100/1000/2000/5000 changes/s, CPU per component
	$(VENV)/cdc bench latency --rates 100,1000,2000,5000 --seconds 20

bench-insert:   ## one 300k-row transaction until visible in DuckDB: the generated connector beside the defaults
	$(VENV)/cdc bench insert --rows 300000 --repeat 2

bench-load:     ## a 500k-row table's snapshot: the sink's load from PostgreSQL beside Debezium's incremental one
	$(VENV)/cdc bench load --rows 500000 --repeat 3

bench-backlog:  ## sink peak RSS working through a 5M-event backlog
	$(VENV)/cdc bench backlog --events 5000000

bench-all:      ## every scenario at full size, one after the other (bench/run_all.sh; about 30 minutes)
	bench/run_all.sh
