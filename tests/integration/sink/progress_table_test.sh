#!/usr/bin/env bash
# A destination role that may not use replication origins (no superuser, no GRANT EXECUTE on
# pg_replication_origin_*, as on managed services): run keeps its progress in pgtrail.progress,
# updated in the same transaction as the rows, and says so; check says so; the sink's own writes
# (changes, pgtrail.progress, in the source database) are never recorded; SIGKILLed 5 times
# mid-stream: the replay oracle finds nothing lost or duplicated; a second sink on the slot
# waits for the progress lock; granting the origin functions later keeps the table (its place
# is there); a snapshot keeps its progress there too.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
oracle_install
oracle_workload_install
run "CREATE ROLE writer LOGIN; GRANT CREATE ON DATABASE postgres TO writer; GRANT CREATE ON SCHEMA public TO writer;
     CREATE ROLE reader LOGIN REPLICATION; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader"
SRC="host=127.0.0.1 port=$PORT user=reader dbname=postgres"
DST="host=127.0.0.1 port=$PORT user=writer dbname=postgres"
expect_eq "writer may not use origins" "$(psql -X -At "$DST" -c "SELECT has_function_privilege('pg_replication_origin_session_setup(text)', 'EXECUTE')")" f

echo "--- check"
"$PGTRAIL" check --source "$SRC" --destination "$DST" "${ORACLE_SINK_OPTS[@]}" >"$WORK/check" || true
cat "$WORK/check"
grep -q "^ok    progress *kept in table pgtrail.progress (writer may not use replication origins); it does not exist yet" "$WORK/check" ||
    fail "check does not say progress goes to pgtrail.progress"

OPTS=("${ORACLE_SINK_OPTS[@]}" --batch-size 2000 --batch-time-ms 100 --max-backoff 1)
start_writer() {
    "$PGTRAIL" run --source "$SRC" --destination "$DST" --log-level debug "${OPTS[@]}" >>"$WORK/sink.log" 2>&1 &
    SINK_PID=$!
}
start_writer
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
grep -q "progress is kept in table pgtrail.progress (writer may not use replication origins)" "$WORK/sink.log" ||
    fail "run does not say where progress is kept"

echo "--- a second sink on the slot waits for the progress lock"
"$PGTRAIL" run --source "$SRC" --destination "$DST" "${OPTS[@]}" >"$WORK/second.log" 2>&1 &
SECOND=$!
for _ in $(seq 1 50); do grep -q "is held by backend" "$WORK/second.log" && break; sleep 0.2; done
kill -9 "$SECOND"; wait "$SECOND" 2>/dev/null || true
grep -q "the progress lock of pgtrail_pgtrail is held by backend [0-9]* (another pgtrail run of slot pgtrail?); reconnecting" "$WORK/second.log" ||
    { cat "$WORK/second.log"; fail "the second sink did not wait for the lock"; }

echo "--- 5 SIGKILLs mid-stream"
ORACLE_CHUNK=40 ORACLE_PAUSE=0.3 oracle_workload 1500 0.17 &
WORKLOAD_PID=$!
for i in 1 2 3 4 5; do
    sleep "1.$((RANDOM % 5))"
    kill9_sink
    echo "kill $i, workload $(kill -0 $WORKLOAD_PID 2>/dev/null && echo running || echo done)" | tee -a "$WORK/sink.log"
    start_writer
done
wait "$WORKLOAD_PID" || fail "workload failed"
caught_up 300
stop_sink
oracle_check
expect_eq "no replication origin" "$(q "SELECT count(*) FROM pg_replication_origin")" 0
expect_eq "progress row" "$(q "SELECT lsn > '0/0' AND lsn <= pg_current_wal_lsn() FROM pgtrail.progress WHERE origin = 'pgtrail_pgtrail'")" t
expect_eq "the sink's own writes are not recorded" \
    "$(q "SELECT count(*) FROM changes WHERE schema = 'pgtrail' OR \"table\" = 'changes'")" 0
[ "$(grep -c "progress is kept in table pgtrail.progress" "$WORK/sink.log")" -ge 6 ] || fail "not every start used the table"

echo "--- origin rights granted later: the table keeps the slot's place"
run "GRANT EXECUTE ON FUNCTION pg_replication_origin_oid(text), pg_replication_origin_create(text), pg_replication_origin_session_setup(text),
       pg_replication_origin_xact_setup(pg_lsn, timestamptz), pg_replication_origin_progress(text, boolean) TO writer"
start_writer
run "CALL oracle.workload(5, 0.5)"
caught_up
stop_sink
grep -q "progress is kept in table pgtrail.progress (it holds this slot's progress already)" "$WORK/sink.log" ||
    fail "the sink switched to the origin"
oracle_check
"$PGTRAIL" check --source "$SRC" --destination "$DST" "${ORACLE_SINK_OPTS[@]}" | grep "progress" | tee "$WORK/check2"
grep -q "kept in table pgtrail.progress (it holds this slot's progress already), in the same transaction as the rows; at " "$WORK/check2" ||
    fail "check does not report the table's progress"

echo "--- a snapshot keeps its progress in pgtrail.progress"
run "REVOKE EXECUTE ON FUNCTION pg_replication_origin_oid(text), pg_replication_origin_create(text), pg_replication_origin_session_setup(text),
       pg_replication_origin_xact_setup(pg_lsn, timestamptz), pg_replication_origin_progress(text, boolean) FROM writer"
# (the first sink's changes table is an ordinary table to this one: left out, as the reader may not read it)
"$PGTRAIL" snapshot --source "$SRC" --destination "$DST" --slot snap --changes-table snapchanges --exclude-tables 'oracle.*,public.changes' >"$WORK/snap.log" 2>&1 ||
    { cat "$WORK/snap.log"; fail "snapshot failed"; }
expect_eq "snapshot progress = its consistent point" \
    "$(q "SELECT p.lsn = s.confirmed_flush_lsn AND p.lsn - '0/0' = (SELECT max(commit_lsn) FROM snapchanges) FROM pgtrail.progress p, pg_replication_slots s WHERE p.origin = 'pgtrail_snap' AND s.slot_name = 'snap'")" t
expect_eq "snapshot rows" "$(q "SELECT count(*) > 0 AND count(*) = count(*) FILTER (WHERE operation = 'SNAPSHOT') FROM snapchanges")" t
expect_eq "still no replication origin" "$(q "SELECT count(*) FROM pg_replication_origin")" 0
echo "ok"
