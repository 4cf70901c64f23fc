#!/usr/bin/env bash
# A replication connection that goes silent without closing (a middlebox that lost its
# state: proxy.py's black hole, nothing passes, nothing is closed) while the workload
# runs. The sink must notice the silence (--receive-timeout: a keepalive is requested at
# half, the connection is dropped at the limit), reconnect once the server has let go of
# the slot (wal_sender_timeout, 10 s here), and lose or duplicate nothing.
# The destination is connected directly: a black-holed writer connection would keep its
# server backend, and with it the replication origin, busy until the server's TCP
# keepalive gives up (docs/RELIABILITY.md, open issues).
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
CHANGES=${PGTRAIL_CHAOS_CHANGES:-10000}
TIMEOUT=6
# The old walsender holds the slot until wal_sender_timeout: the sink is back after about that.
start_cluster src --plugin-dir "$PLUGIN_DIR" --set "wal_sender_timeout = 10s"
oracle_install
oracle_workload_install
python3 "$(dirname "$0")/proxy.py" "$PORT" >"$WORK/proxy.port" 2>"$WORK/proxy.log" &
PROXY_PID=$!
trap 'kill $PROXY_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 50); do [ -s "$WORK/proxy.port" ] && break; sleep 0.1; done
PROXY_PORT=$(cat "$WORK/proxy.port")
PORT=$PROXY_PORT start_sink "${ORACLE_SINK_OPTS[@]}" --destination "$(SOURCE_CONN)" \
    --receive-timeout "$TIMEOUT" --max-backoff 1 --batch-time-ms 100
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
ORACLE_CHUNK=50 ORACLE_PAUSE=0.3 oracle_workload $((CHANGES / 10)) 0.61 &
WORKLOAD_PID=$!
for round in 1 2; do
    sleep 2
    kill -HUP "$PROXY_PID"
    black_holed_at=$(date +%s)
    # Reconnected: the walsender of a new connection streams (the old one may linger).
    before=$(grep -c 'streaming slot' "$WORK/sink.log")
    for _ in $(seq 1 200); do  # 40 s
        [ "$(grep -c 'streaming slot' "$WORK/sink.log")" -gt "$before" ] && break
        sleep 0.2
    done
    [ "$(grep -c 'streaming slot' "$WORK/sink.log")" -gt "$before" ] || fail "the sink did not leave the black-holed connection"
    echo "black hole $round: the sink reconnected after $(( $(date +%s) - black_holed_at )) s"
done
wait "$WORKLOAD_PID" || fail "workload failed"
caught_up 120
stop_sink
oracle_check
echo "ok"
