#!/usr/bin/env bash
# The long run of the chaos and hostile-input tests (docs/RELIABILITY.md), with bigger
# numbers than CI: ROUNDS rounds of the chaos tests (each round: 200,000 changes with 40
# SIGKILLs, source restarts and terminations over 100,000 changes, the proxy over 100,000,
# the destination down 30 s, two black holes over 30,000), then once: a 2,000,000-row
# transaction, a 1 GB transaction, the torture tables, and FUZZ_SECONDS of fuzzing (default 600).
#   tests/soak.sh [ROUNDS] [BUILD_DIR]          (default 3 rounds, build-rel/)
#   SOAK_SKIP_HUGE=1 / SOAK_SKIP_FUZZ=1 leave those out. A sanitized sink (a build with
#   -DPGTRAIL_SANITIZE=ON, target pgtrail): BUILD_DIR=that build, PGTRAIL_PLUGIN_DIR=a
#   normal build's plugin-build.
# Prints one line of figures per test; logs in $SOAK_LOG_DIR (default /tmp/pgtrail-soak.*).
set -euo pipefail
ROUNDS=${1:-3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath "${2:-$SRC/build-rel}")
LOGS=${SOAK_LOG_DIR:-$(mktemp -d /tmp/pgtrail-soak.XXXXXX)}
export PG_CONFIG=${PG_CONFIG:-pg_config} PGTRAIL_SOURCE_DIR=$SRC PGTRAIL_PLUGIN_DIR=${PGTRAIL_PLUGIN_DIR:-$BUILD/plugin-build} PGTRAIL_BINARY_DIR=$BUILD
[ -x "$BUILD/sink/pgtrail" ] || { echo "soak: build first (cmake --build $BUILD)" >&2; exit 1; }
failures=0
soak() {  # soak NAME SCRIPT [ENV=VALUE...]
    local name=$1 script=$2 start status=0; shift 2
    start=$(date +%s)
    env "$@" bash "$SRC/tests/integration/$script" >"$LOGS/$name.log" 2>&1 || status=$?
    local figures
    figures=$(grep -E "^(kills by aim|reconnects|restarts|drops|after [0-9]+s down|black hole|oracle:|big transaction|[0-9]+ small|100 MB value|FAIL)" "$LOGS/$name.log" | tr '\n' ';' || true)
    printf '%-28s %-4s %5ss  %s\n' "$name" "$([ $status = 0 ] && echo ok || echo FAIL)" "$(( $(date +%s) - start ))" "$figures"
    [ $status = 0 ] || failures=$((failures + 1))
}
for round in $(seq 1 "$ROUNDS"); do
    soak "kill9.$round" chaos/kill9_test.sh PGTRAIL_CHAOS_CHANGES=200000 PGTRAIL_CHAOS_KILLS=40
    soak "restart.$round" chaos/restart_test.sh PGTRAIL_CHAOS_CHANGES=100000
    soak "proxy.$round" chaos/proxy_test.sh PGTRAIL_CHAOS_CHANGES=100000
    soak "destination.$round" chaos/destination_test.sh PGTRAIL_CHAOS_CHANGES=50000
    soak "blackhole.$round" chaos/blackhole_test.sh PGTRAIL_CHAOS_CHANGES=30000
done
if [ -z "${SOAK_SKIP_HUGE:-}" ]; then
    soak huge.2M-rows hostile/huge_xact_test.sh PGTRAIL_HUGE_ROWS=2000000 PGTRAIL_HUGE_WAIT_S=1200
    soak huge.1GB hostile/huge_xact_test.sh PGTRAIL_HUGE_ROWS=100000 PGTRAIL_HUGE_WIDTH=10240 PGTRAIL_HUGE_WAIT_S=3600
    soak torture hostile/torture_test.sh
fi
if [ -z "${SOAK_SKIP_FUZZ:-}" ]; then
    start=$(date +%s)
    if bash "$SRC/tests/fuzz/run.sh" "${FUZZ_SECONDS:-600}" "$BUILD/fuzz" >"$LOGS/fuzz.log" 2>&1; then
        printf '%-28s ok   %5ss  %s\n' fuzz "$(( $(date +%s) - start ))" "$(tail -1 "$LOGS/fuzz.log")"
    else
        printf '%-28s FAIL %5ss  see %s\n' fuzz "$(( $(date +%s) - start ))" "$LOGS/fuzz.log"; failures=$((failures + 1))
    fi
fi
echo "soak: $failures failures; logs in $LOGS"
[ "$failures" = 0 ]
