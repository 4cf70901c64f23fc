# Shared helpers for the sink's integration tests (bash). Each test sources this file,
# starts its own throwaway cluster(s) and runs the freshly built `pgtrail run` against them.
set -euo pipefail

: "${PGTRAIL_SOURCE_DIR:?run through ctest}"
: "${PGTRAIL_BINARY_DIR:?run through ctest}"
PLUGIN_DIR=${PGTRAIL_TEST_PLUGIN_DIR:-${PGTRAIL_PLUGIN_DIR:-}}
PGTRAIL=$PGTRAIL_BINARY_DIR/sink/pgtrail
CLUSTER=$PGTRAIL_SOURCE_DIR/scripts/pg-cluster.sh
WORK=$(mktemp -d /tmp/pgtrail-sink-test.XXXXXX)
chmod 755 "$WORK"
SINK_PID=""
CLUSTERS=()

[ -f "$PLUGIN_DIR/pgtrail.so" ] || { echo "no pgtrail.so in '$PLUGIN_DIR' (build the plugin target)" >&2; exit 1; }

cleanup() {
    [ -n "$SINK_PID" ] && kill -9 "$SINK_PID" 2>/dev/null || true
    for dir in "${CLUSTERS[@]+"${CLUSTERS[@]}"}"; do "$CLUSTER" destroy "$dir" >/dev/null 2>&1 || true; done
    if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    if [ -f "$WORK/sink.log" ]; then echo "--- sink log (last 40 lines)" >&2; tail -40 "$WORK/sink.log" >&2; fi
    exit 1
}

# start_cluster NAME [pg-cluster.sh options...]: sets PORT (and NAME_PORT)
start_cluster() {
    local name=$1; shift
    local dir=$WORK/$name
    CLUSTERS+=("$dir")
    PORT=$("$CLUSTER" start "$dir" "$@")
    export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
}

# q SQL: one value (or rows, |-separated) from the test cluster
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
# run SQL: statements, output discarded
run() { psql -X -q -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }

SOURCE_CONN() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=postgres"; }

# start_sink [pgtrail run options...]: background sink logging to $WORK/sink.log
start_sink() {
    "$PGTRAIL" run --source "$(SOURCE_CONN)" --log-level debug "$@" >>"$WORK/sink.log" 2>&1 &
    SINK_PID=$!
}

# stop_sink: SIGTERM, which must end it with status 0 within 10 s
stop_sink() {
    [ -n "$SINK_PID" ] || return 0
    kill -TERM "$SINK_PID"
    local status=0
    for _ in $(seq 1 100); do
        kill -0 "$SINK_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$SINK_PID" 2>/dev/null && fail "sink still running 10 s after SIGTERM"
    wait "$SINK_PID" || status=$?
    SINK_PID=""
    [ "$status" = 0 ] || fail "sink exited with status $status after SIGTERM"
}

kill9_sink() {
    [ -n "$SINK_PID" ] || return 0
    kill -9 "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
    SINK_PID=""
}

# wait_for SQL EXPECTED [SECONDS]: polls until the query returns EXPECTED
wait_for() {
    local sql=$1 expected=$2 seconds=${3:-60} got=""
    for _ in $(seq 1 $((seconds * 5))); do
        got=$(q "$sql" 2>/dev/null || true)
        [ "$got" = "$expected" ] && return 0
        sleep 0.2
    done
    fail "waited ${seconds}s for [$sql] = [$expected], last got [$got]"
}

# caught_up: every committed source change is in the changes table (the slot confirmed the current WAL end)
caught_up() {
    local target
    target=$(q "SELECT pg_current_wal_lsn()")
    wait_for "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'pgtrail'" t "${1:-90}"
}

expect_eq() {  # expect_eq WHAT GOT EXPECTED
    [ "$2" = "$3" ] || fail "$1: got [$2], expected [$3]"
}
