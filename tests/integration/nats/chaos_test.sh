#!/usr/bin/env bash
# Chaos through JetStream with the replay oracle: during a random workload, the reader is
# SIGKILLed 3 times, the writer 5 times and the stream's leader node twice (it restarts and
# catches up), in a random order: nothing lost, nothing duplicated, tables equal
# (oracle.check), and every replica of the stream current again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
nats_cluster_start 3
oracle_install
oracle_workload_install
start_reader "${ORACLE_SINK_OPTS[@]}"
wait_slot_active
start_writer main "$PORT" --batch-size 500

# The workload runs in chunks until the breakage is over.
ORACLE_CHUNK=50
( seed=0; while [ ! -f "$WORK/stop" ]; do seed=$((seed + 1)); oracle_workload 100 "0.$seed"; done ) &
workload=$!

events=(reader reader reader writer writer writer writer writer leader leader)
mapfile -t order < <(printf '%s\n' "${events[@]}" | shuf)
for event in "${order[@]}"; do
    sleep "$(( (RANDOM % 3) + 2 ))"
    case $event in
        reader) kill9_reader; start_reader "${ORACLE_SINK_OPTS[@]}" ;;
        writer) kill9_writer main; start_writer main "$PORT" --batch-size 500 ;;
        leader)
            leader=$(nats_stream_leader "$STREAM") || fail "no leader for stream $STREAM"
            nats_node_kill "$leader"
            sleep 3
            nats_node_start "$leader"
            event="leader node n$leader" ;;
    esac
    echo "killed: $event"
done
touch "$WORK/stop"
wait "$workload"
pipeline_caught_up main
no_duplicate_errors
oracle_check
replicas=$(nats_jsz_leader_view stream "$STREAM" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(" ".join(str(r.get("current")) for r in s.get("cluster", {}).get("replicas", [])))')
[ "$replicas" = "True True" ] || fail "the stream's replicas are not all current: $replicas"
stop_writer main
stop_reader
echo "ok"
