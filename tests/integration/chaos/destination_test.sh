#!/usr/bin/env bash
# The destination (a separate cluster, --destination) stopped for 30 s while the workload
# runs (PGTRAIL_CHAOS_DEST_DOWN_S): the sink keeps retrying, does not exit, the source slot
# keeps the WAL meanwhile (confirmed_flush_lsn does not move past what was committed,
# wal_status stays reserved), and after the destination is back everything arrives once.
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
CHANGES=${PGTRAIL_CHAOS_CHANGES:-20000}
DOWN=${PGTRAIL_CHAOS_DEST_DOWN_S:-30}
start_cluster dst
DST_PORT=$PORT
start_cluster src --plugin-dir "$PLUGIN_DIR"
oracle_install
oracle_workload_install
start_sink "${ORACLE_SINK_OPTS[@]}" --destination "host=127.0.0.1 port=$DST_PORT user=postgres dbname=postgres" \
    --batch-size 2000 --batch-time-ms 100 --max-backoff 2
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
oracle_workload 300 0.31
caught_up

ORACLE_CHUNK=100 ORACLE_PAUSE=0.2 oracle_workload $((CHANGES / 10)) 0.32 &
WORKLOAD_PID=$!
sleep 1
"$CLUSTER" stop "$WORK/dst" fast >/dev/null
stopped_at=$(q "SELECT pg_current_wal_lsn()")
flushed_at_stop=$(q "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'pgtrail'")
echo "destination stopped; source at $stopped_at, slot confirmed $flushed_at_stop"
sleep "$DOWN"
kill -0 "$SINK_PID" 2>/dev/null || fail "the sink exited while the destination was down"
expect_eq "slot did not confirm past the last committed batch" \
    "$(q "SELECT confirmed_flush_lsn <= '$flushed_at_stop'::pg_lsn AND wal_status = 'reserved' FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" t
retained=$(q "SELECT pg_size_pretty(pg_current_wal_lsn() - restart_lsn) FROM pg_replication_slots WHERE slot_name = 'pgtrail'")
retries=$(grep -c 'reconnecting in' "$WORK/sink.log" || true)
echo "after ${DOWN}s down: $retries reconnect attempts, slot retains $retained of WAL"
[ "$retries" -ge 3 ] || fail "expected the sink to keep retrying"
"$CLUSTER" restart "$WORK/dst" fast >/dev/null  # stop is a no-op when stopped
wait "$WORKLOAD_PID" || fail "workload failed"
caught_up 180
stop_sink
oracle_copy_changes "$DST_PORT"
oracle_check oracle.dest_changes
echo "ok"
