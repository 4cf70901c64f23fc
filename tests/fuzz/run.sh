#!/usr/bin/env bash
# Builds and runs the libFuzzer target (tests/fuzz/record_fuzzer.cpp) with ASan + UBSan.
#   tests/fuzz/run.sh [SECONDS] [BUILD_DIR]     default 60 s, build dir build-fuzz/
# CI runs it for 60 s through ctest (test fuzz.record_smoke); for a long run:
#   tests/fuzz/run.sh 3600
# New inputs go to BUILD_DIR/corpus (the committed seeds in tests/fuzz/corpus are read
# only); a crash leaves BUILD_DIR/crash-* and fails the run.
set -euo pipefail
SECONDS_TO_RUN=${1:-60}
FUZZ_DIR=$(cd "$(dirname "$0")" && pwd)
BUILD=${2:-$FUZZ_DIR/../../build-fuzz}
CXX_FUZZ=${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++ || true)}
if [ -z "$CXX_FUZZ" ] || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
    echo "fuzz: clang++-14 with libFuzzer is missing: apt-get install clang-14 libclang-rt-14-dev (scripts/install-deps.sh installs them)" >&2
    exit 1
fi
cmake -S "$FUZZ_DIR" -B "$BUILD" -DCMAKE_CXX_COMPILER="$CXX_FUZZ" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 >/dev/null
mkdir -p "$BUILD/corpus"
cd "$BUILD"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
set +e
./record_fuzzer -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 corpus "$FUZZ_DIR/corpus" >fuzz.log 2>&1
status=$?
set -e
grep -E "^#[0-9]+ +(INITED|DONE)|stat::(number_of_executed|peak_rss)|runtime error|ERROR|invariant|SUMMARY" fuzz.log || true
[ "$status" = 0 ] || { echo "fuzz: FAILED (see $BUILD/fuzz.log and $BUILD/crash-*)" >&2; tail -40 fuzz.log >&2; exit 1; }
echo "fuzz: ok, $(grep -o 'stat::number_of_executed_units: [0-9]*' fuzz.log | grep -o '[0-9]*$') executions in ${SECONDS_TO_RUN}s"
