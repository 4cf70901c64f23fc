#!/usr/bin/env bash
# The network cut under the sink: both its connections (replication and writer) go through
# a TCP proxy (proxy.py) that, while the workload runs, resets every connection (6 times)
# and stalls all traffic (3 times 2 s, once 8 s: longer than the source's 5 s
# wal_sender_timeout, so the server gives up on the silent sink meanwhile). The sink
# reconnects, resumes, and the replay oracle finds nothing lost or duplicated.
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
CHANGES=${PGTRAIL_CHAOS_CHANGES:-30000}
start_cluster src --plugin-dir "$PLUGIN_DIR" --set "wal_sender_timeout = 5s"
oracle_install
oracle_workload_install
python3 "$(dirname "$0")/proxy.py" "$PORT" >"$WORK/proxy.port" 2>"$WORK/proxy.log" &
PROXY_PID=$!
trap 'kill $PROXY_PID 2>/dev/null || true; cleanup' EXIT
wait_for_file() { for _ in $(seq 1 50); do [ -s "$1" ] && return 0; sleep 0.1; done; fail "no $1"; }
wait_for_file "$WORK/proxy.port"
PROXY_PORT=$(cat "$WORK/proxy.port")
VIA_PROXY="host=127.0.0.1 port=$PROXY_PORT user=postgres dbname=postgres"
PORT=$PROXY_PORT start_sink "${ORACLE_SINK_OPTS[@]}" --destination "$VIA_PROXY" \
    --batch-size 2000 --batch-time-ms 100 --max-backoff 1 --status-interval 1
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1

ORACLE_CHUNK=$((CHANGES / 10 / 20 + 1)) ORACLE_PAUSE=0.5 oracle_workload $((CHANGES / 10)) 0.23 &
WORKLOAD_PID=$!
drops=0 stalls=0
for event in drop stall drop drop stall drop longstall drop stall drop; do
    sleep 1
    case $event in
        drop) kill -USR1 "$PROXY_PID"; drops=$((drops + 1)) ;;
        stall) kill -USR2 "$PROXY_PID"; sleep 2; kill -USR2 "$PROXY_PID"; stalls=$((stalls + 1)) ;;
        longstall) kill -USR2 "$PROXY_PID"; sleep 8; kill -USR2 "$PROXY_PID"; stalls=$((stalls + 1)) ;;
    esac
    echo "proxy: $event, workload $(kill -0 $WORKLOAD_PID 2>/dev/null && echo running || echo done)" | tee -a "$WORK/sink.log"
done
wait "$WORKLOAD_PID" || fail "workload failed"
caught_up 120
kill -0 "$SINK_PID" 2>/dev/null || fail "the sink exited"
stop_sink
echo "drops: $drops, stalls: $stalls, reconnects: $(grep -c 'reconnecting in' "$WORK/sink.log")"
oracle_check
echo "ok"
