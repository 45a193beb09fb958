#!/usr/bin/env bash
# The release check: builds the wheel a user downloads and tests it the way that user gets it.
#
#   1. `maturin build --release` into dist/ (incremental: it shares target/ with `make build`);
#   2. the wheel's contents: one cp39-abi3 wheel with the extension, py.typed, the stub and both
#      licenses, version = Cargo.toml's; no tests/, benches/ or bytecode; prints its size;
#   3. a fresh virtual environment in a temp dir, run under `env -i` with a PATH that has no
#      cargo or rustc, gets the wheel and the test dependencies from PyPI, binary wheels only
#      (nothing is compiled: that is what a user without Rust gets);
#   4. from a temp dir where the source tree is not importable (copies of tests/ and benches/),
#      against the INSTALLED package: the suite on both backends (SSEJET_REQUIRE_RUST=1),
#      stubtest on the installed stub, `mypy --strict` on examples/typed_usage.py, and a run of
#      that example.
#
# Usage: scripts/check_wheel.sh (`make wheel-check`). Environment:
#   WHEEL_PYTHONS  interpreters to test the wheel on, space-separated (default: the one .venv
#                  was made from), e.g. "python3.9 python3.13"
#   MATURIN        the maturin to build with (default: .venv/bin/maturin)
#   SSEJET_SHARED  the steering repo's shared/ (default: ../shared), for the corpus tests
#   PYTEST_ADDOPTS passed on to the pytest run
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MATURIN=${MATURIN:-$ROOT/.venv/bin/maturin}
SECONDS=0

step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }
fail() { printf 'check_wheel: %s\n' "$*" >&2; exit 1; }

# The version is written once, in Cargo.toml; maturin copies it into the wheel's metadata and
# ssejet.__version__ reads that metadata. (A pre-release such as 0.2.0-rc.1 would need PEP 440
# normalisation here.)
CARGO_VERSION=$(awk -F'"' '/^\[/ { pkg = ($0 == "[package]") } pkg && /^version *=/ { print $2; exit }' Cargo.toml)
[ -n "$CARGO_VERSION" ] || fail "no [package] version in Cargo.toml"

step "build: maturin build --release"
rm -f dist/ssejet-*.whl
"$MATURIN" build --release --locked --out dist
shopt -s nullglob
wheels=(dist/ssejet-*.whl)
[ "${#wheels[@]}" -eq 1 ] || fail "expected one wheel in dist/, found ${#wheels[@]}"
WHEEL=$ROOT/${wheels[0]}

step "contents: $(basename "$WHEEL")"
"$ROOT/.venv/bin/python" - "$WHEEL" "$CARGO_VERSION" <<'EOF'
import os
import re
import sys
import zipfile

path, version = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(path)
names = wheel.namelist()
info = f"ssejet-{version}.dist-info"
problems = []
extensions = [n for n in names if re.fullmatch(r"ssejet/_ssejet\.[\w.-]*(so|pyd)", n)]
if len(extensions) != 1:
    problems.append(f"expected one extension module ssejet/_ssejet.*, found {extensions}")
for required in (
    "ssejet/__init__.py",
    "ssejet/py.typed",
    "ssejet/_ssejet.pyi",
    f"{info}/licenses/LICENSE-MIT",
    f"{info}/licenses/LICENSE-APACHE",
):
    if required not in names:
        problems.append(f"missing {required}")
for name in names:
    parts = name.split("/")
    if {"tests", "benches", "examples", "__pycache__"} & set(parts) or name.endswith(".pyc"):
        problems.append(f"should not ship {name}")
tags = re.findall(r"^Tag: (.*)$", wheel.read(f"{info}/WHEEL").decode(), re.M)
if not tags or not all(tag.startswith("cp39-abi3-") for tag in tags):
    problems.append(f"expected cp39-abi3 tags, found {tags}")
metadata = wheel.read(f"{info}/METADATA").decode()
if f"\nVersion: {version}\n" not in metadata:
    problems.append(f"METADATA does not say Version: {version} (Cargo.toml's)")
if "\nRequires-Python: >=3.9\n" not in metadata:
    problems.append("METADATA does not say Requires-Python: >=3.9")
if problems:
    sys.exit("wheel contents:\n  " + "\n  ".join(problems))
ext = wheel.getinfo(extensions[0])
print(f"{len(names)} files, tags {', '.join(tags)}")
print(f"extension {ext.filename}: {ext.file_size / 1024:.0f} KiB ({ext.compress_size / 1024:.0f} KiB zipped)")
print(f"wheel size: {os.path.getsize(path) / 1024:.0f} KiB ({os.path.getsize(path)} bytes)")
EOF

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ssejet-wheel-check.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The suite and the typing checks, copied out of the source tree: tests/ reads ../benches/.
WORK=$TMP/work
mkdir -p "$WORK"
cp -R tests benches "$WORK"/
cp examples/typed_usage.py stubtest-allowlist.txt "$WORK"/
find "$WORK" -name __pycache__ -prune -exec rm -rf {} +
SHARED=${SSEJET_SHARED:-$(cd .. && pwd)/shared}

# What the clean environment keeps: pip's own settings (index, certificates), proxies, and
# PYTEST_ADDOPTS (e.g. "-x" or "-k ...").
passthrough=()
for name in $(compgen -e); do
    case $name in
        PIP_* | PYTEST_ADDOPTS | http_proxy | https_proxy | no_proxy | HTTP_PROXY | HTTPS_PROXY | \
            NO_PROXY | SSL_CERT_FILE)
            passthrough+=("$name=${!name}") ;;
    esac
done
# /usr/bin:/bin, unless a system cargo lives there; then only the venv's own bin/.
SYSTEM_PATH=/usr/bin:/bin
for dir in /usr/bin /bin; do
    if [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ]; then SYSTEM_PATH=; fi
done

check_on() {
    local base=$1 venv=$2
    local -a clean=(env -i "HOME=$HOME" "LANG=C.UTF-8" ${passthrough[@]+"${passthrough[@]}"}
        "PATH=$venv/bin${SYSTEM_PATH:+:$SYSTEM_PATH}" "SSEJET_SHARED=$SHARED"
        "CARGO_VERSION=$CARGO_VERSION" "SSEJET_REQUIRE_RUST=1")

    step "venv: $base, without Rust"
    env -i "HOME=$HOME" "PATH=${SYSTEM_PATH:-/nonexistent}" "$base" -m venv "$venv"
    if "${clean[@]}" /bin/sh -c 'command -v cargo || command -v rustc'; then
        fail "cargo or rustc is on the test environment's PATH"
    fi
    "${clean[@]}" python -m pip install --quiet --upgrade "pip>=25.1"
    # The test group only: tests that compare with optional peers or SDKs skip without them.
    "${clean[@]}" python -m pip install --quiet --only-binary=:all: "${WHEEL}[httpx]" \
        --group "$ROOT/pyproject.toml:test" mypy

    cd "$WORK"
    "${clean[@]}" python - <<'EOF'
import os
import sys
import sysconfig
from pathlib import Path

import ssejet
import ssejet._ssejet

where = Path(ssejet.__file__).resolve()
sites = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
assert any(site in where.parents for site in sites), f"ssejet imported from {where}, not the venv"
assert Path(ssejet._ssejet.__file__).resolve().parent == where.parent
assert ssejet.backend == "rust", ssejet.backend
assert ssejet.__version__ == os.environ["CARGO_VERSION"], (ssejet.__version__, "Cargo.toml")
print(f"ssejet {ssejet.__version__} from {where.parent} on Python {sys.version.split()[0]}")
EOF

    # Every test runs on both backends by the `backend` fixture; the run with the pure backend
    # as the default (SSEJET_BACKEND=python) is `make test-python`'s, on the source tree: here,
    # what is checked is the installed package, once (it saves CI ~2.5 of its ~17 minutes).
    step "pytest, both backends (installed wheel)"
    "${clean[@]}" python -m pytest tests -q -p no:cacheprovider -rfE

    step "stubtest ssejet._ssejet (installed stub)"
    "${clean[@]}" python -m mypy.stubtest ssejet._ssejet --allowlist stubtest-allowlist.txt
    step "mypy --strict typed_usage.py"
    "${clean[@]}" python -m mypy --strict --no-incremental typed_usage.py
    "${clean[@]}" python typed_usage.py
    cd "$ROOT"
}

if [ -n "${WHEEL_PYTHONS:-}" ]; then
    read -r -a pythons <<<"$WHEEL_PYTHONS"
else
    pythons=("$("$ROOT/.venv/bin/python" -c 'import sys; print(sys._base_executable)')")
fi
for i in "${!pythons[@]}"; do
    base=$(command -v "${pythons[$i]}") || fail "no interpreter ${pythons[$i]}"
    check_on "$base" "$TMP/venv$i"
done

step "wheel check passed: $(basename "$WHEEL")"
