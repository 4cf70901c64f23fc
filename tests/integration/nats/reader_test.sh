#!/usr/bin/env bash
# The reader into a replicated stream (R3), and one writer out of it into the source's own
# changes table: every change exactly once (check_exactly_once: events, accounts replayed),
# although the reader is SIGKILLed three times during the workload; a big transaction is
# split into several messages under the servers' max_payload (64 KB here); the slot is
# confirmed only for what the stream holds.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
nats_cluster_start 3
create_workload
METRICS_PORT=$(nats_free_port)
start_reader --metrics-listen "127.0.0.1:$METRICS_PORT"
wait_slot_active
start_writer main "$PORT"

# A transaction bigger than one message.
wait_for "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'pgtrail writer main'" t
caught_up
before=$(published_messages "$METRICS_PORT")
run "INSERT INTO events (payload, n) SELECT repeat(md5(g::text), 8), g FROM generate_series(1, 2000) g"
caught_up
after=$(published_messages "$METRICS_PORT")
[ $((after - before)) -ge 3 ] || fail "a 2000-row transaction went out in $((after - before)) messages, expected it split"
echo "a 2000-row transaction: $((after - before)) messages"

# The workload, with the reader killed three times.
run_workload 1500 0.1 0.004 &
workload=$!
for i in 1 2 3; do
    sleep 2
    kill9_reader
    echo "reader killed ($i)"
    start_reader --metrics-listen "127.0.0.1:$METRICS_PORT"
done
wait "$workload"
pipeline_caught_up main
grep -q "publishing the rest of it\|streaming slot" "$WORK/reader.log" || fail "no restart logged"
check_exactly_once
no_duplicate_errors
expect_eq "every change has commit_lsn and ordinal once" "$(q "SELECT count(*) - count(DISTINCT (commit_lsn, ordinal)) FROM changes")" 0
stop_writer main
stop_reader
echo "ok"
