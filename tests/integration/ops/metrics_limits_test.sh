#!/usr/bin/env bash
# The metrics and health endpoint cannot be used to exhaust the sink: with no host it listens on
# loopback only; idle clients beyond --metrics-max-connections do not hold descriptors (the one idle
# longest is closed) and do not starve a real scrape; a client that drips its request one byte at a
# time is cut off after --metrics-request-timeout, counted from its first byte awaited.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"
start_cluster limits --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE items (id int PRIMARY KEY)"
MPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_sink --plugin pgtrail --metrics-listen ":$MPORT" --metrics-max-connections 8 --metrics-request-timeout 3
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
URL=http://127.0.0.1:$MPORT
grep -q "serving /metrics and /healthz on http://127.0.0.1:$MPORT" "$WORK/sink.log" || fail "not on loopback: $(grep serving "$WORK/sink.log")"
OTHER=$(hostname -I 2>/dev/null | awk '{print $1}')
if [ -n "$OTHER" ] && [ "$OTHER" != 127.0.0.1 ]; then
    curl -s --max-time 3 "http://$OTHER:$MPORT/healthz" >/dev/null && fail "answers on $OTHER although no host was given"
fi

fds() { ls "/proc/$SINK_PID/fd" | wc -l; }
BASE_FDS=$(fds)
echo "--- 100 idle clients"
python3 - "$MPORT" >"$WORK/idle.out" 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
clients = []
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port))
    clients.append(s)
    time.sleep(0.01)
print("open", flush=True)
time.sleep(12)
PY
IDLE=$!
for _ in $(seq 1 50); do grep -q open "$WORK/idle.out" && break; sleep 0.1; done
sleep 0.5
FDS=$(fds)
echo "sink descriptors: $BASE_FDS before, $FDS with 100 idle clients"
[ "$FDS" -le $((BASE_FDS + 9)) ] || fail "100 idle clients hold $((FDS - BASE_FDS)) descriptors of the sink (cap 8)"
START=$(date +%s.%N)
code=$(curl -s -o "$WORK/scrape" -w '%{http_code}' --max-time 5 "$URL/metrics" || true)
took=$(echo "$(date +%s.%N) - $START" | bc)
expect_eq "a real scrape among idle clients" "$code" 200
grep -q "^pgtrail_connected 1" "$WORK/scrape" || fail "the scrape is not the metrics"
echo "scrape answered in $took s"
kill "$IDLE" 2>/dev/null || true
wait "$IDLE" 2>/dev/null || true

echo "--- a client dripping its request"
python3 - "$MPORT" >"$WORK/drip.out" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
start = time.time()
request = b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 100
try:
    for i in range(len(request)):
        s.send(request[i:i + 1])
        time.sleep(0.25)
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                break
        except BlockingIOError:
            pass
        s.setblocking(True)
except (BrokenPipeError, ConnectionResetError):
    pass
print("%.1f" % (time.time() - start))
PY
CUT=$(cat "$WORK/drip.out")
echo "dripping client cut after $CUT s"
python3 -c "import sys; sys.exit(0 if 2.5 <= float('$CUT') <= 5 else 1)" || fail "dripping client held on for $CUT s (timeout 3 s)"
expect_eq "healthz after all that" "$(curl -s --max-time 5 "$URL/healthz")" ok
stop_sink
echo "ok"
