#!/usr/bin/env bash
# Builds the unit tests with ASan + UBSan (-DPGTRAIL_SANITIZE=ON) in BUILD_DIR and runs them;
# any sanitizer report fails.   tests/fuzz/sanitize_unit.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC=$1 BUILD=$2
cmake -S "$SRC" -B "$BUILD" -DPGTRAIL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
targets=(plugin_unit_tests)
[ -d "$SRC/tests/unit/sink" ] && targets+=(sink_unit_tests)
cmake --build "$BUILD" -j2 --target "${targets[@]}" >"$BUILD/build.log" 2>&1 || { tail -30 "$BUILD/build.log"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for t in "${targets[@]}"; do
    exe=$(find "$BUILD/tests/unit" -name "$t" -type f -executable | head -1)
    "$exe" --no-version >"$BUILD/$t.log" 2>&1 || { cat "$BUILD/$t.log"; echo "sanitize: $t FAILED" >&2; exit 1; }
    tail -2 "$BUILD/$t.log"
done
echo "sanitize: ok"
