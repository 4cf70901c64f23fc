#!/usr/bin/env bash
# pgtrail run --metrics-listen: /metrics is scraped during a run and moves (changes by operation,
# batches, bytes, confirmed LSN, heartbeats); retained WAL past --retained-wal-warn raises the slot
# warning (log + metric); /healthz is 200 while streaming, 503 while the destination is stuck
# (stalled) and while the source is down, 200 again after each.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"

start_cluster metrics --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE items (id int PRIMARY KEY, v text); ALTER TABLE items REPLICA IDENTITY FULL"
start_sink --metrics-listen 127.0.0.1:0 --heartbeat-interval 1 --monitor-interval 1 --retained-wal-warn 1MB --stall-timeout 4

URL=""
for _ in $(seq 1 100); do
    URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/sink.log" | head -1 || true)
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || fail "no metrics address in the log"
echo "metrics at $URL"

metric() {  # metric NAME_WITH_LABELS: its value (empty when absent)
    curl -s --max-time 5 "$URL/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}
wait_metric() {  # wait_metric NAME EXPECTED [SECONDS]: polls until the value equals EXPECTED
    local got=""
    for _ in $(seq 1 $((${3:-30} * 5))); do
        got=$(metric "$1")
        [ "$got" = "$2" ] && return 0
        sleep 0.2
    done
    fail "metric $1: waited for [$2], last got [$got]"
}
wait_health() {  # wait_health CODE
    local code=""
    for _ in $(seq 1 150); do
        code=$(curl -s -o "$WORK/health" -w '%{http_code}' --max-time 5 "$URL/healthz" || true)
        [ "$code" = "$1" ] && { echo "healthz $code: $(cat "$WORK/health")"; return 0; }
        sleep 0.2
    done
    fail "healthz: waited for $1, last got $code ($(cat "$WORK/health" 2>/dev/null))"
}

wait_metric pgtrail_connected 1
wait_health 200
# Into a file first: grep -q stops reading at the match, and curl's SIGPIPE would fail the pipeline.
curl -s -o "$WORK/metrics.txt" "$URL/metrics"
grep -q '^# TYPE pgtrail_batch_duration_seconds histogram$' "$WORK/metrics.txt" || fail "no batch histogram"
expect_eq "no changes yet" "$(metric 'pgtrail_changes_written_total{operation="CREATE"}')" 0
confirmed0=$(metric pgtrail_confirmed_lsn)
heartbeats0=$(metric pgtrail_heartbeats_total)

run "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 100) g"
run "UPDATE items SET v = 'u' WHERE id <= 10"
run "DELETE FROM items WHERE id > 95"
run "TRUNCATE items"
wait_metric 'pgtrail_changes_written_total{operation="CREATE"}' 100
wait_metric 'pgtrail_changes_written_total{operation="UPDATE"}' 10
wait_metric 'pgtrail_changes_written_total{operation="DELETE"}' 5
wait_metric 'pgtrail_changes_written_total{operation="TRUNCATE"}' 1
expect_eq "changes table agrees" "$(q "SELECT count(*) FROM changes")" 116
curl -s "$URL/metrics" | grep -v '^#' | grep -v '_bucket' | tee "$WORK/scrape1"
batches=$(metric pgtrail_batches_total)
[ "$batches" -ge 1 ] || fail "no batches counted"
expect_eq "histogram count = batches" "$(metric pgtrail_batch_duration_seconds_count)" "$batches"
[ "$(metric pgtrail_received_bytes_total)" -gt 1000 ] || fail "received bytes did not move"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$(metric pgtrail_confirmed_lsn)" "$confirmed0" \
    || fail "confirmed LSN did not move"
sleep 2.5
[ "$(metric pgtrail_heartbeats_total)" -gt "$heartbeats0" ] || fail "heartbeats did not move"
expect_eq "the slot confirmed what the metric says" \
    "$(q "SELECT confirmed_flush_lsn - '0/0' >= $(metric pgtrail_confirmed_lsn) FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" t

echo "--- slot safety: an open transaction pins the slot's restart_lsn while WAL grows"
psql -X -q -c "BEGIN; SELECT txid_current(); SELECT pg_sleep(60);" >/dev/null 2>&1 &
HOLDER=$!
sleep 0.5
run "INSERT INTO items SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g"
wait_metric pgtrail_slot_retained_wal_warning 1
grep -q "warn slot pgtrail retains .* of WAL on the source (more than 1 MB, --retained-wal-warn)" "$WORK/sink.log" || fail "no slot warning in the log"
grep "retains" "$WORK/sink.log" | head -1
kill "$HOLDER" 2>/dev/null || true
wait "$HOLDER" 2>/dev/null || true
run "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()"
run "CHECKPOINT"
wait_metric 'pgtrail_changes_written_total{operation="CREATE"}' 20100 60

echo "--- health while the destination is stuck behind a lock"
psql -X -q -c "BEGIN; LOCK TABLE changes IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);" >/dev/null 2>&1 &
LOCKER=$!
sleep 0.5
run "INSERT INTO items VALUES (-1, 'stuck')"
wait_health 503
grep -q "^stalled: " "$WORK/health" || fail "503 for another reason: $(cat "$WORK/health")"
kill "$LOCKER" 2>/dev/null || true
wait "$LOCKER" 2>/dev/null || true
run "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%LOCK TABLE changes%' AND pid <> pg_backend_pid()"
wait_health 200
wait_metric 'pgtrail_changes_written_total{operation="CREATE"}' 20101 60

echo "--- health while the source is down"
"$CLUSTER" stop "$WORK/metrics" fast
wait_health 503
wait_metric pgtrail_connected 0
"$CLUSTER" restart "$WORK/metrics" fast
wait_health 200
[ "$(metric pgtrail_reconnects_total)" -ge 1 ] || fail "reconnects not counted"
[ "$(metric pgtrail_errors_total)" -ge 1 ] || fail "errors not counted"
curl -s -o /dev/null -w '%{http_code}' "$URL/nope" | grep -q 404 || fail "unknown path not 404"
stop_sink
echo "ok"
