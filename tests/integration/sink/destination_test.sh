#!/usr/bin/env bash
# A separate destination (DESTINATION_DB_* variables): changes land there exactly once.
# A destination that blocks the writer (a lock held for longer than the source's
# wal_sender_timeout) does not make the walsender drop the sink: status updates keep going.
source "$(dirname "$0")/lib.sh"
start_cluster dst
DST_PORT=$PORT
start_cluster src --plugin-dir "$PLUGIN_DIR" --set "wal_sender_timeout = 3s"
SRC_PORT=$PORT
create_workload

dst() { PGPORT=$DST_PORT q "$1"; }
export DESTINATION_DB_HOST=127.0.0.1 DESTINATION_DB_PORT=$DST_PORT DESTINATION_DB_NAME=postgres DESTINATION_DB_USER=postgres
start_sink --status-interval 1
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run_workload 150 0.11
caught_up
expect_eq "no changes table in the source" "$(q "SELECT to_regclass('changes') IS NULL")" t

# Hold the destination table for 7 s (> wal_sender_timeout) while the source keeps changing.
PGPORT=$DST_PORT psql -X -q -c "BEGIN; LOCK TABLE changes IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(7); COMMIT" >/dev/null &
LOCK_PID=$!
sleep 0.5
run_workload 50 0.12
wait "$LOCK_PID"
caught_up
grep -q "reconnecting" "$WORK/sink.log" && fail "the sink lost a connection while the destination was slow"
run_workload 50 0.13
caught_up
stop_sink

# Bring the destination's rows to the source and check them against the source tables.
PGPORT=$DST_PORT psql -X -q -v ON_ERROR_STOP=1 -c "\\copy changes TO '$WORK/changes.copy'"
psql -X -q -v ON_ERROR_STOP=1 -f "$PGTRAIL_SOURCE_DIR/sql/changes.sql" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy changes FROM '$WORK/changes.copy'"
check_exactly_once
expect_eq "destination origin" "$(dst "SELECT count(*) FROM pg_replication_origin WHERE roname = 'pgtrail_pgtrail'")" 1
echo "ok"
