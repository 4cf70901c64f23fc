#!/usr/bin/env bash
# The sink survives pg_terminate_backend of its walsender and of its writer, and a restart
# of the source server, resuming where the origin says: nothing lost or duplicated.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
create_workload
start_sink --max-backoff 2 --receive-timeout 4
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1

psql -X -q -c "CALL workload(300, 0.7, 0.01)" >"$WORK/workload.log" 2>&1 &
WORKLOAD_PID=$!
sleep 1
expect_eq "walsender terminated" "$(q "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" t
sleep 1.5
expect_eq "writer terminated" \
    "$(q "SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pgtrail writer pgtrail' AND backend_type = 'client backend'")" t
wait "$WORKLOAD_PID" || { cat "$WORK/workload.log"; fail "workload failed"; }
run_workload 20 0.75   # a write after the writer's termination, in case the workload had ended
caught_up

"$CLUSTER" restart "$WORK/src" fast
run_workload 200 0.8
caught_up 120
"$CLUSTER" restart "$WORK/src" immediate
run_workload 100 0.9
caught_up 120

# A walsender that goes silent (SIGSTOP: the connection stays up) is given up after
# --receive-timeout (a keepalive is asked for at half of it), as the walreceiver does.
WALSENDER=$(q "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'pgtrail'")
kill -STOP "$WALSENDER"
for _ in $(seq 1 50); do grep -q "no message from the source" "$WORK/sink.log" && break; sleep 0.2; done
kill -CONT "$WALSENDER"
grep -q "no message from the source for 4 s" "$WORK/sink.log" || fail "silent walsender not detected"
run_workload 50 0.95
caught_up 120

check_exactly_once
kill -0 "$SINK_PID" 2>/dev/null || fail "the sink exited"
[ "$(grep -c "reconnecting in" "$WORK/sink.log")" -ge 4 ] || fail "expected at least 4 reconnects"
stop_sink
echo "ok"
