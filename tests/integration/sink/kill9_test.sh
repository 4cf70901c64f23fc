#!/usr/bin/env bash
# The sink killed with SIGKILL mid-batch, several times, while the workload runs: after
# restarts nothing is lost and nothing is duplicated (the origin commits with the rows).
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
create_workload
# Small batches: kills land inside batches, inside COPYs and inside half-read transactions
# (rows go to the COPY as they are read).
OPTS=(--batch-size 200 --batch-time-ms 50)
start_sink "${OPTS[@]}"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run_workload 100 0.5   # something to commit before the first kill
caught_up
psql -X -q -c "CALL workload(800, 0.6, 0.01)" >"$WORK/workload.log" 2>&1 &
WORKLOAD_PID=$!
for round in 1 2 3 4 5 6; do
    sleep "0.$((RANDOM % 9 + 1))"
    kill9_sink
    echo "round $round: killed" >>"$WORK/sink.log"
    start_sink "${OPTS[@]}"
    sleep 1
done
wait "$WORKLOAD_PID" || { cat "$WORK/workload.log"; fail "workload failed"; }
caught_up 120
check_exactly_once
stop_sink
kills=$(grep -c "killed" "$WORK/sink.log")
expect_eq "kills" "$kills" 6
echo "ok"
