#!/usr/bin/env bash
# Stream limits (docs/SCALING.md "Stream limits") on a 3-node cluster. A stream that keeps its
# messages in memory is refused. A small --nats-max-bytes stream fills up: it refuses new
# messages (discard new), the reader says the stream is full and what to do, confirms nothing more
# (the slot keeps the changes), and `check --nats` reports the limit and that the stream is full.
# Started again with a larger limit, the reader sets it on the stream and publishes the rest: a
# writer gets every change once. Limits set by hand stay unless the reader is given the option. A change larger than the servers' max_payload stops the reader
# with an error naming its table, key and LSN and the max_payload to set.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
nats_cluster_start 3
run "CREATE TABLE t (id int PRIMARY KEY, v text)"
nats_check() { "$PGTRAIL" check --source "$(SOURCE_CONN)" --nats "$NATS_URLS" "$@" >"$WORK/check.out" 2>&1; }
# wait_log FILE TEXT [SECONDS]
wait_log() {
    for _ in $(seq 1 $((${3:-60} * 4))); do
        grep -q "$2" "$1" && return 0
        sleep 0.25
    done
    fail "no '$2' in $(basename "$1") after ${3:-60} s"
}

# A memory stream (made through the JetStream API, as `nats stream add --storage memory` does): refused.
nats_request '$JS.API.STREAM.CREATE.mem' '{"name":"mem","subjects":["mem.>"],"storage":"memory","num_replicas":1}' >"$WORK/mem-create.out"
grep -q '"storage":"memory"' "$WORK/mem-create.out" || fail "could not create the memory stream: $(cat "$WORK/mem-create.out")"
status=0
timeout 60 "$PGTRAIL" run --source "$(SOURCE_CONN)" --nats "$NATS_URLS" --nats-stream mem --slot mem >"$WORK/mem.log" 2>&1 || status=$?
[ "$status" = 1 ] || { cat "$WORK/mem.log" >&2; fail "run --nats on a memory stream exited with $status, not 1"; }
grep -q "stream mem keeps its messages in memory" "$WORK/mem.log" || { cat "$WORK/mem.log" >&2; fail "no clear refusal of the memory stream"; }
expect_eq "no slot made for it" "$(q "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'mem'")" 0

# A 200 kB stream, then about 2 MB of changes: full.
start_reader --nats-max-bytes 200KB
wait_slot_active
wait_log "$WORK/reader.log" "created stream pgtrail (file storage, 3 replicas, max bytes 200.0 kB, 0% full, no age limit, discard new)"
run "INSERT INTO t SELECT i, 'small' FROM generate_series(1, 10) i"
caught_up
# 400 transactions of 10 rows (messages of about 5 kB: the stream fills to over 90%)
run "DO \$\$ BEGIN FOR i IN 1..400 LOOP
         INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(i * 10 + 1, i * 10 + 10) g; COMMIT;
     END LOOP; END \$\$"
wait_log "$WORK/reader.log" "The stream is full and refuses new messages: nothing is lost"
grep -q "maximum bytes exceeded" "$WORK/reader.log" || fail "the server's reason is not in the reader's log"
expect_eq "the slot keeps the changes not in the stream" \
    "$(q "SELECT confirmed_flush_lsn < pg_current_wal_lsn() FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" t
nats_check || true
cat "$WORK/check.out"
grep -q "warn *nats stream limits.*max bytes 200.0 kB, \(9[0-9]\|100\)% full" "$WORK/check.out" ||
    fail "check does not report the full stream"
grep -q "discard new" "$WORK/check.out" || fail "check does not report discard new"
grep -q "no message is written by every writer yet" "$WORK/check.out" || fail "check does not say that no writer wrote anything"

# Room: the reader started again with 64 MB sets it on the stream and publishes the rest.
stop_reader
start_reader --nats-max-bytes 64MB
wait_log "$WORK/reader.log" "stream pgtrail: max bytes 200.0 kB -> max bytes 64.0 MB"
start_writer main "$PORT"
pipeline_caught_up main
expect_eq "every change arrived once" \
    "$(q "SELECT count(*) || ' ' || count(DISTINCT primary_key) || ' ' || count(DISTINCT (commit_lsn, ordinal)) FROM changes WHERE \"table\" = 't'")" \
    "4010 4010 4010"
expect_eq "as the table holds them" "$(q "SELECT count(*) FROM changes c JOIN t ON c.after = to_jsonb(t) WHERE c.\"table\" = 't'")" 4010
nats_check --consumer main || { cat "$WORK/check.out" >&2; fail "check failed after room was made"; }
grep -q "ok *nats stream limits.*max bytes 64.0 MB, [0-9]% full, no age limit, discard new" "$WORK/check.out" ||
    { cat "$WORK/check.out" >&2; fail "check does not report the new limit"; }
# --subject is the writer's filter: another one is a warning.
nats_check --consumer main --subject 'pgtrail.postgres.public.t'
grep -q "warn *nats consumer.*takes pgtrail\.>, not pgtrail\.postgres\.public\.t (--subject)" "$WORK/check.out" ||
    { cat "$WORK/check.out" >&2; fail "check does not compare --subject with the consumer's filter"; }
no_duplicate_errors
stop_writer main

# Limits set by hand stay: a reader started without --nats-max-bytes and --nats-max-age changes
# neither; with --nats-max-age it changes that one only, and logs it.
restart_reader() {  # restart_reader OPTIONS...: returns once the new reader streams; its log lines in restart.log
    stop_reader
    local before; before=$(wc -l <"$WORK/reader.log")
    start_reader "$@"
    for _ in $(seq 1 240); do
        tail -n +"$((before + 1))" "$WORK/reader.log" >"$WORK/restart.log"
        grep -q "streaming slot pgtrail of database" "$WORK/restart.log" && return 0
        kill -0 "$READER_PID" 2>/dev/null || break
        sleep 0.25
    done
    cat "$WORK/restart.log" >&2
    fail "the restarted reader does not stream"
}
stop_reader
nats_request '$JS.API.STREAM.INFO.pgtrail' '' >"$WORK/info.out"
python3 - "$WORK/info.out" >"$WORK/update.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))["config"]
config["max_bytes"] = 32 * 1024 * 1024
config["max_age"] = 86400 * 10**9  # 1d in nanoseconds
print(json.dumps(config))
PY
nats_request '$JS.API.STREAM.UPDATE.pgtrail' "$(cat "$WORK/update.json")" >"$WORK/update.out"
grep -q '"max_age":86400000000000' "$WORK/update.out" || fail "could not set the limits by hand: $(cat "$WORK/update.out")"
restart_reader
grep -q "stream pgtrail: " "$WORK/restart.log" && { cat "$WORK/restart.log" >&2; fail "the reader changed the stream's limits without options"; }
nats_check --consumer main || true
grep -q "nats stream limits.*max bytes 32.0 MB, [0-9]*% full, max age 1d, discard new" "$WORK/check.out" ||
    { cat "$WORK/check.out" >&2; fail "the limits set by hand did not stay"; }
restart_reader --nats-max-age 2d
grep -q "stream pgtrail: max age 1d -> max age 2d (" "$WORK/restart.log" || { cat "$WORK/restart.log" >&2; fail "the reader did not log the age limit it set"; }
grep -q "stream pgtrail: .*max bytes" "$WORK/restart.log" && { cat "$WORK/restart.log" >&2; fail "the reader changed the size limit it was not given"; }
nats_check --consumer main || true
grep -q "nats stream limits.*max bytes 32.0 MB, [0-9]*% full, max age 2d, discard new" "$WORK/check.out" ||
    { cat "$WORK/check.out" >&2; fail "the age limit given was not set, or the size limit not kept"; }

# A change larger than one message (the servers' max_payload is 64 kB here): the reader stops and names it.
run "INSERT INTO t VALUES (999999, repeat('y', 100000))"
for _ in $(seq 1 240); do kill -0 "$READER_PID" 2>/dev/null || break; sleep 0.25; done
status=0
kill -0 "$READER_PID" 2>/dev/null && fail "the reader still runs after a change larger than max_payload"
wait "$READER_PID" || status=$?
READER_PID=""
[ "$status" = 1 ] || fail "the reader exited with $status, not 1, after a change larger than max_payload"
grep -q "the change of public.t with primary key 999999 at [0-9A-F/]* (source transaction [0-9]*) is [0-9]* bytes as JSON, more than fits in one NATS message under the servers' max_payload of $NATS_MAX_PAYLOAD bytes: set max_payload to at least [0-9]*" \
    "$WORK/reader.log" || fail "the reader's error does not name the change and what to raise"
expect_eq "the slot keeps it" "$(q "SELECT confirmed_flush_lsn < pg_current_wal_lsn() FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" t
echo "ok"
