#!/usr/bin/env bash
# /healthz in a crash loop: the destination rejects every write (a trigger on the changes table),
# so each session connects, reads the same transaction, fails at COPY and reconnects (--max-backoff 1).
# Reconnecting is not progress: once --stall-timeout has passed, /healthz answers 503 "stalled" on
# every probe, also while a session is connected. After the trigger is gone it is 200 again and
# every row arrives once.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"
start_cluster loop --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE items (id int PRIMARY KEY, v text)"
start_sink --plugin pgtrail --metrics-listen 127.0.0.1:0 --monitor-interval 1 --stall-timeout 4 --max-backoff 1
URL=""
for _ in $(seq 1 100); do
    URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/sink.log" | head -1 || true)
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || fail "no metrics address in the log"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run "INSERT INTO items VALUES (0, 'before')"
caught_up
expect_eq "healthy while streaming" "$(curl -s --max-time 5 "$URL/healthz")" ok

run "CREATE FUNCTION reject() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'destination rejects writes'; END \$\$;
     CREATE TRIGGER reject BEFORE INSERT ON changes FOR EACH ROW EXECUTE FUNCTION reject()"
run "INSERT INTO items SELECT g, 'x' FROM generate_series(1, 50) g"
sleep 7  # past --stall-timeout, with several reconnects
reconnects_before=$(grep -c "reconnecting" "$WORK/sink.log" || true)
ok=0 stalled=0 other=0
for _ in $(seq 1 40); do  # 8 s of probes, across several sessions
    body=$(curl -s --max-time 5 -w ' %{http_code}' "$URL/healthz" || true)
    case $body in
        *" 200") ok=$((ok + 1)) ;;
        stalled:*" 503") stalled=$((stalled + 1)) ;;
        *) other=$((other + 1)) ;;
    esac
    sleep 0.2
done
reconnects=$(( $(grep -c "reconnecting" "$WORK/sink.log" || true) - reconnects_before ))
echo "crash loop: $reconnects reconnects during 40 probes: $ok ok, $stalled stalled, $other other"
[ "$reconnects" -ge 2 ] || fail "the sink was not in a crash loop ($reconnects reconnects)"
expect_eq "probes answered 200 during the crash loop" "$ok" 0
expect_eq "probes answered with another reason than stalled" "$other" 0
grep -q "destination rejects writes" "$WORK/sink.log" || fail "the rejection is not logged"

run "DROP TRIGGER reject ON changes"
caught_up
for _ in $(seq 1 50); do [ "$(curl -s --max-time 5 "$URL/healthz")" = ok ] && break; sleep 0.2; done
expect_eq "healthy again" "$(curl -s --max-time 5 "$URL/healthz")" ok
expect_eq "every row once" "$(q "SELECT count(*), count(DISTINCT primary_key) FROM changes WHERE \"table\" = 'items'")" "51|51"
stop_sink
echo "ok"
