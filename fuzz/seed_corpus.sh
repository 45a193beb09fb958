#!/bin/sh
# Fills fuzz/corpus/{sse,chunk} (git-ignored) with starting inputs: the committed regression
# inputs, and the start of every real capture in the steering repo's shared/corpus/real (as in
# tests/conftest.py, SSEJET_SHARED overrides where shared/ is), once with the default limit and
# 2-byte feeds, once with max_event_size=128 fed whole.
set -eu
cd "$(dirname "$0")"
shared=${SSEJET_SHARED:-../../shared}
for target in sse chunk; do
    mkdir -p "corpus/$target"
    cp regressions/$target/* "corpus/$target/"
    for capture in "$shared"/corpus/real/*.sse; do
        [ -f "$capture" ] || continue
        name=$(basename "$capture" .sse)
        { printf '\360\001\000'; head -c 4093 "$capture"; } > "corpus/$target/real-$name"
        { printf '\177\007\000'; head -c 1021 "$capture"; } > "corpus/$target/real-128-$name"
    done
done
ls corpus/sse | wc -l
