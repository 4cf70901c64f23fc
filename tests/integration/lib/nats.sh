# A throwaway NATS JetStream cluster for integration tests (bash; source after
# tests/integration/sink/lib.sh, which gives fail and WORK). Debian's nats-server, never the
# system service's port 4222: every node listens on free loopback ports, stores in $WORK/nats.
#
#   nats_cluster_start [N]      N nodes (default 3), waits until JetStream answers; sets NATS_URLS
#   nats_node_kill I            SIGKILL to node I (1-based)
#   nats_node_start I           starts node I again (same ports and store)
#   nats_stream_leader STREAM   the node number leading the stream
#   nats_request SUBJECT JSON   one request to node 1 (e.g. the JetStream API); prints the reply
#   nats_cleanup                kills every node (run from the test's EXIT trap)
NATS_SERVER=${NATS_SERVER:-nats-server}
NATS_MAX_PAYLOAD=${NATS_MAX_PAYLOAD:-65536}   # small, so that big transactions are split into several messages
NATS_PIDS=() NATS_CLIENT_PORTS=() NATS_HTTP_PORTS=() NATS_ROUTE_PORTS=()

nats_free_port() {
    # Below the kernel's ephemeral range: a port in it can be taken by an outgoing connection (the
    # nodes' own routes) between this check and the node's bind.
    local port low
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    [ "$low" -gt 12000 ] || low=61000
    for _ in $(seq 1 200); do
        port=$(( 10000 + RANDOM % (low - 10000) ))
        [ "$port" = 4222 ] && continue
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
    fail "no free TCP port for NATS"
}

nats_cluster_start() {
    local n=${1:-3} i routes=""
    command -v "$NATS_SERVER" >/dev/null || fail "nats-server is not installed (scripts/install-deps.sh)"
    for i in $(seq 1 "$n"); do
        NATS_CLIENT_PORTS[$i]=$(nats_free_port); NATS_HTTP_PORTS[$i]=$(nats_free_port); NATS_ROUTE_PORTS[$i]=$(nats_free_port)
        routes+="${routes:+, }nats-route://127.0.0.1:${NATS_ROUTE_PORTS[$i]}"
    done
    NATS_URLS=""
    for i in $(seq 1 "$n"); do
        mkdir -p "$WORK/nats/n$i"
        cat >"$WORK/nats/n$i.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:${NATS_CLIENT_PORTS[$i]}
http: 127.0.0.1:${NATS_HTTP_PORTS[$i]}
max_payload: $NATS_MAX_PAYLOAD
jetstream { store_dir: "$WORK/nats/n$i" }
$([ "$n" -gt 1 ] && echo "cluster { name: pgtrail_test, listen: 127.0.0.1:${NATS_ROUTE_PORTS[$i]}, routes: [$routes] }")
CONF
        NATS_URLS+="${NATS_URLS:+,}nats://127.0.0.1:${NATS_CLIENT_PORTS[$i]}"
        nats_node_start "$i"
    done
    for i in $(seq 1 "$n"); do nats_wait_healthy "$i"; done
    echo "nats: $n nodes at $NATS_URLS"
}

nats_node_start() {
    local i=$1
    "$NATS_SERVER" -c "$WORK/nats/n$i.conf" >>"$WORK/nats/n$i.log" 2>&1 &
    NATS_PIDS[$i]=$!
}

# nats_wait_healthy I: JetStream on node I answers (the cluster has its meta leader).
nats_wait_healthy() {
    local i=$1
    for _ in $(seq 1 150); do
        # to a file, then grep: `curl | grep -q` fails under pipefail when grep exits before curl is done
        curl -fsS "http://127.0.0.1:${NATS_HTTP_PORTS[$i]}/healthz" >"$WORK/nats/healthz-$i" 2>/dev/null &&
            grep -q ok "$WORK/nats/healthz-$i" && return 0
        sleep 0.2
    done
    tail -20 "$WORK/nats/n$i.log" >&2
    fail "NATS node $i is not healthy after 30 s"
}

nats_node_kill() {
    local i=$1
    kill -9 "${NATS_PIDS[$i]}" 2>/dev/null || true
    wait "${NATS_PIDS[$i]}" 2>/dev/null || true
}

nats_stream_leader() {
    local stream=$1 i leader
    for i in "${!NATS_HTTP_PORTS[@]}"; do
        leader=$(curl -fsS "http://127.0.0.1:${NATS_HTTP_PORTS[$i]}/jsz?accounts=true&streams=true" 2>/dev/null | python3 -c '
import json, sys
data = json.load(sys.stdin)
for account in data.get("account_details", []):
    for stream in account.get("stream_detail", []):
        if stream["name"] == sys.argv[1]:
            print(stream.get("cluster", {}).get("leader", ""))' "$stream" 2>/dev/null) || continue
        [ -n "$leader" ] && { echo "${leader#n}"; return 0; }
    done
    return 1
}

nats_request() {
    local subject=$1 payload=$2
    exec {fd}<>"/dev/tcp/127.0.0.1/${NATS_CLIENT_PORTS[1]}"
    printf 'CONNECT {"verbose":false}\r\nSUB _INBOX.pgtrail_test 1\r\nPUB %s _INBOX.pgtrail_test %d\r\n%s\r\n' \
        "$subject" "${#payload}" "$payload" >&"$fd"
    local line reply=""
    while IFS= read -r -t 10 line <&"$fd"; do
        [[ $line == MSG* ]] || continue
        IFS= read -r -t 10 reply <&"$fd" || true
        break
    done
    exec {fd}>&-
    echo "${reply%$'\r'}"
}

nats_cleanup() {
    local i
    for i in "${!NATS_PIDS[@]}"; do kill -9 "${NATS_PIDS[$i]}" 2>/dev/null || true; done
}

# nats_jsz_leader_view KIND STREAM [CONSUMER]: JSON of the stream (KIND=stream) or consumer
# (KIND=consumer) as its leader reports it (the monitoring endpoint of each node is asked).
nats_jsz_leader_view() {
    local kind=$1 stream=$2 consumer=${3:-} i
    for i in "${!NATS_HTTP_PORTS[@]}"; do
        curl -fsS "http://127.0.0.1:${NATS_HTTP_PORTS[$i]}/jsz?accounts=true&streams=true&consumers=true" 2>/dev/null | python3 -c '
import json, sys
kind, stream, consumer, me = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
data = json.load(sys.stdin)
for account in data.get("account_details", []):
    for s in account.get("stream_detail", []):
        if s["name"] != stream: continue
        if kind == "stream":
            if s.get("cluster", {}).get("leader", me) in (me, ""): print(json.dumps(s)); sys.exit(0)
            continue
        for c in s.get("consumer_detail", []) or []:
            if c["name"] == consumer and c.get("cluster", {}).get("leader", me) in (me, ""): print(json.dumps(c)); sys.exit(0)
sys.exit(1)' "$kind" "$stream" "$consumer" "n$i" 2>/dev/null && return 0
    done
    return 1
}

# nats_consumer_idle STREAM CONSUMER: everything delivered and acknowledged (a writer acknowledges after its commit).
nats_consumer_idle() {
    local view
    view=$(nats_jsz_leader_view consumer "$1" "$2") || return 1
    python3 -c '
import json, sys
c = json.load(sys.stdin)
sys.exit(0 if c.get("num_pending", 1) == 0 and c.get("num_ack_pending", 1) == 0 else 1)' <<<"$view"
}

# nats_wait_consumer_idle STREAM CONSUMER [SECONDS]
nats_wait_consumer_idle() {
    local seconds=${3:-120}
    for _ in $(seq 1 $((seconds * 4))); do
        nats_consumer_idle "$1" "$2" && return 0
        sleep 0.25
    done
    fail "consumer $2 of stream $1 still has messages after ${seconds}s: $(nats_jsz_leader_view consumer "$1" "$2" | head -c 600)"
}
