#!/usr/bin/env bash
# The Python test suite against a DEBUG build of the extension (debug assertions and integer
# overflow checks on: cargo's dev profile) under PYTHONMALLOC=debug (CPython's allocator
# checks: buffer under/overflows, writes after free, the GIL held on every allocation).
#
# Everything happens off to the side, so the release build of `make build` is never touched:
# - a venv of its own (SSEJET_DEBUG_VENV, default /tmp/ssejet-debug-venv);
# - a cargo target dir of its own (target/debug-suite), so no lock is shared with other builds;
# - `maturin build` (a wheel, installed into that venv), not `maturin develop`, which would
#   write the debug library over python/ssejet/_ssejet.abi3.so, the file .venv imports.
#
# Usage: scripts/debug_suite.sh [pytest arguments]   (default: the whole of tests/)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${SSEJET_DEBUG_VENV:-/tmp/ssejet-debug-venv}
PYTHON=${PYTHON:-python3}
export CARGO_TARGET_DIR=$PWD/target/debug-suite

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade "pip>=25.1"
"$VENV/bin/python" -m pip install --quiet --group test

# No --release: the dev profile, with debug assertions and overflow checks.
rm -rf "$CARGO_TARGET_DIR/wheels"
"$VENV/bin/maturin" build --quiet --profile dev --interpreter "$VENV/bin/python" \
    --out "$CARGO_TARGET_DIR/wheels"
"$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$CARGO_TARGET_DIR"/wheels/*.whl

# The tests must import the wheel just installed, not the sources next to them.
"$VENV/bin/python" - "$VENV" <<'EOF'
import sys

import ssejet
from ssejet import _ssejet

venv = sys.argv[1]
assert _ssejet.__file__.startswith(venv), f"{_ssejet.__file__} is not the debug build in {venv}"
print(f"ssejet {ssejet.__version__}: debug extension {_ssejet.__file__}")
EOF

export PYTHONMALLOC=debug SSEJET_REQUIRE_RUST=1 PYTHONFAULTHANDLER=1
if [ "$#" -eq 0 ]; then
    set -- tests -q
fi
exec "$VENV/bin/python" -m pytest -p no:cacheprovider "$@"
