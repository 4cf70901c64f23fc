#!/usr/bin/env bash
# While the mixed workload runs (PGTRAIL_CHAOS_CHANGES changes, default 50k): the source
# server restarted twice with fast and twice with immediate shutdown (a crash: the sink and
# the workload lose their connections mid-transaction), and the walsender and the writer
# connection terminated with pg_terminate_backend, twice each. The sink reconnects, resumes
# where the origin says, and the replay oracle finds nothing lost or duplicated.
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
CHANGES=${PGTRAIL_CHAOS_CHANGES:-50000}
start_cluster src --plugin-dir "$PLUGIN_DIR"
oracle_install
oracle_workload_install
OPTS=("${ORACLE_SINK_OPTS[@]}" --batch-size 2000 --batch-time-ms 100 --max-backoff 1)
start_sink "${OPTS[@]}"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1

ORACLE_CHUNK=$((CHANGES / 10 / 24 + 1)) ORACLE_PAUSE=0.5 oracle_workload $((CHANGES / 10)) 0.17 &
WORKLOAD_PID=$!

terminate() {  # terminate WHAT CONDITION
    local got
    for _ in $(seq 1 100); do
        got=$(q "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE $2) t" 2>/dev/null || echo 0)
        if [ "$got" -gt 0 ]; then echo "terminated the $1" | tee -a "$WORK/sink.log"; return 0; fi
        sleep 0.1
    done
    fail "no $1 to terminate"
}
restarts=0 terminations=0
for event in fast walsender immediate writer fast walsender immediate writer; do
    sleep 1.5
    case $event in
        fast|immediate)
            "$CLUSTER" restart "$WORK/src" "$event" >/dev/null
            restarts=$((restarts + 1))
            echo "restarted the source ($event), workload $(kill -0 $WORKLOAD_PID 2>/dev/null && echo running || echo done)" | tee -a "$WORK/sink.log" ;;
        walsender)
            terminate walsender "backend_type = 'walsender' AND application_name = 'pgtrail'"
            terminations=$((terminations + 1)) ;;
        writer)
            terminate writer "backend_type = 'client backend' AND application_name = 'pgtrail writer pgtrail'"
            terminations=$((terminations + 1)) ;;
    esac
done
wait "$WORKLOAD_PID" || fail "workload failed"
caught_up 300
kill -0 "$SINK_PID" 2>/dev/null || fail "the sink exited"
stop_sink
echo "restarts: $restarts, terminations: $terminations, reconnects: $(grep -c 'reconnecting in' "$WORK/sink.log"), workload chunks retried: $(grep -c 'chunk failed' "$WORK/workload.log" || true)"
oracle_check
echo "ok"
