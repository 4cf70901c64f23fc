#!/usr/bin/env bash
# A mixed workload (inserts, upserts, updates, deletes, key changes, a truncate, big
# transactions): replaying the changes per key reproduces the source table exactly.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
create_workload
run_workload 100 0.1   # before the sink starts: the slot does not exist yet, so none of this is tracked
run "TRUNCATE events; TRUNCATE accounts"
start_sink
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run_workload 300 0.2
run "TRUNCATE accounts"
run_workload 300 0.3
caught_up
check_exactly_once
stop_sink
echo "ok"
