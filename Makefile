# Set-up and every check, from a fresh clone: only the machine's Rust toolchain and python3.
# `make test` is what CI runs (.ci/run); `make demo` is the quickest look at what ssejet does.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEPS := $(VENV)/.deps-installed

.PHONY: all build test demo bench lint test-rust test-python wheel-check clean

all: test

$(PY):
	$(PYTHON) -m venv $(VENV)

# Build and test dependencies come from PyPI; pip >= 25.1 reads pyproject's dependency groups.
$(DEPS): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --group test --group sdk
	touch $@

# The extension, in release mode, installed into .venv along with the Python sources.
build: $(DEPS)
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --release --quiet

lint: $(DEPS)
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --features python -- -D warnings
	$(VENV)/bin/ruff check python tests benches examples
	$(VENV)/bin/ruff format --check python tests benches examples

test-rust:
	cargo test --quiet

# The suite runs on both backends (the `backend` fixture), then once more with the pure-Python
# backend as the default; the benchmarks run once each as a smoke test, untimed.
test-python: export SSEJET_REQUIRE_RUST = 1
test-python: build
	$(PY) -m pytest tests -q
	SSEJET_BACKEND=python $(PY) -m pytest tests -q
	$(PY) -m pytest benches -q --benchmark-disable

# The release wheel as a user without Rust gets it: `maturin build --release` (same target/ as
# `build`, so incremental), installed into a fresh venv whose PATH has no cargo, tested there on
# both backends, with stubtest on the shipped stub and mypy --strict on examples/typed_usage.py.
wheel-check: $(DEPS)
	bash scripts/check_wheel.sh

test: lint test-rust test-python wheel-check

demo: build
	$(PY) -m ssejet chat

bench: build
	$(PY) -m pip install --quiet --group bench
	$(PY) -m pytest benches --benchmark-only --benchmark-columns=median,iqr,ops --benchmark-sort=name
	$(PY) -m ssejet bench

clean:
	rm -rf $(VENV) target
