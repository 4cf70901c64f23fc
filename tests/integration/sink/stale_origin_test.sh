#!/usr/bin/env bash
# A writer backend that outlived its sink (its connection lost without being closed) still holds
# the replication origin. The next sink ends it when the slot has no walsender (no sink is
# running); it never ends a backend that is not a pgtrail writer, nor a live sink's writer.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE t (id int PRIMARY KEY)"
HOLDER_PID=""
trap 'kill "$HOLDER_PID" 2>/dev/null || true; kill "${OTHER_PID:-}" 2>/dev/null || true; cleanup' EXIT

# hold_origin APPLICATION_NAME: a backend that holds the origin, busy, as a stale writer would be.
hold_origin() {
    PGAPPNAME=$1 psql -X -q -c "SELECT pg_replication_origin_session_setup('pgtrail_pgtrail')" \
        -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
    HOLDER_PID=$!
    wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1' AND query LIKE '%pg_sleep%'" 1 30
}
holder_backend() { q "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'"; }

start_sink
run "INSERT INTO t SELECT generate_series(1, 100)"
caught_up
stop_sink

# 1. A stale pgtrail writer: ended, and streaming resumes exactly.
hold_origin "pgtrail writer pgtrail"
run "INSERT INTO t SELECT generate_series(101, 200)"
start_sink
caught_up
expect_eq "stale writer ended" "$(holder_backend "pgtrail writer pgtrail")" 1  # only the new sink's writer
grep -q "ended backend .* of a previous pgtrail writer" "$WORK/sink.log" || fail "no log line about the stale writer"
stop_sink

# 2. Not a pgtrail writer: left alone; the sink retries until it is gone.
hold_origin "someone else"
run "INSERT INTO t SELECT generate_series(201, 300)"
start_sink
sleep 3
expect_eq "foreign holder untouched" "$(holder_backend "someone else")" 1
grep -q "is in use by backend" "$WORK/sink.log" || fail "no log line about the origin in use"
kill "$HOLDER_PID"; psql -X -q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'someone else'" >/dev/null
caught_up 120

# 3. A second sink on the same slot while the first streams: it must not end the first's writer.
"$PGTRAIL" run --source "$(SOURCE_CONN)" >"$WORK/other.log" 2>&1 &
OTHER_PID=$!
sleep 3
run "INSERT INTO t SELECT generate_series(301, 400)"
caught_up
grep -q "ended backend" "$WORK/other.log" && fail "the second sink ended the first sink's writer"
kill "$OTHER_PID"; wait "$OTHER_PID" 2>/dev/null || true
stop_sink

expect_eq "every row exactly once" \
    "$(q "SELECT count(*), count(DISTINCT primary_key) FROM changes WHERE \"table\" = 't'")" "400|400"
echo "ok"
