#!/usr/bin/env bash
# pgtrail snapshot: a baseline taken while writes run, then pgtrail run: no gap, no overlap.
#   - tables with data (single, composite and float keys, a partitioned table, a keyless table, an excluded one);
#   - a background writer commits small transactions before, during and after the snapshot;
#   - then: table_as_of(now()) equals every table, every row's history starts with exactly one SNAPSHOT or
#     CREATE and its operations follow each other legally, SNAPSHOT rows sort before every streamed change;
#   - a second snapshot is refused, a slot without a baseline is refused, an interrupted snapshot drops its
#     slot, and run --snapshot takes the snapshot before streaming.
source "$(dirname "$0")/../sink/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
ROWS=${SNAPSHOT_ROWS:-200000}
EXCLUDE="ctl,skipme"

run "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, tags text[], at timestamptz, doc jsonb);
     INSERT INTO items SELECT g, 'item ' || g, g * 1.25, ARRAY['t' || g % 7], '2026-01-01'::timestamptz + g * interval '1 minute',
                              jsonb_build_object('g', g) FROM generate_series(1, $ROWS) g;
     CREATE TABLE pairs (a text, b int, v text, PRIMARY KEY (a, b));
     INSERT INTO pairs SELECT 'k' || (g % 50) || CASE WHEN g % 3 = 0 THEN 'q\"uo\\\\te ü' ELSE '' END, g, 'v' || g FROM generate_series(1, 5000) g;
     CREATE TABLE measurements (id int PRIMARY KEY, val int) PARTITION BY RANGE (id);
     CREATE TABLE measurements_1 PARTITION OF measurements FOR VALUES FROM (MINVALUE) TO (3000);
     CREATE TABLE measurements_2 PARTITION OF measurements FOR VALUES FROM (3000) TO (MAXVALUE);
     INSERT INTO measurements SELECT g, g FROM generate_series(1, 6000) g;
     CREATE TABLE floaty (k float8 PRIMARY KEY, v int);
     INSERT INTO floaty VALUES (1e20, 1), (0.1, 2), (1.5e-7, 3), (-3, 4);
     CREATE TABLE keyless (x int, y text);
     INSERT INTO keyless SELECT g, 'y' || g FROM generate_series(1, 100) g;
     CREATE TABLE skipme (id int PRIMARY KEY);
     INSERT INTO skipme SELECT generate_series(1, 10);
     CREATE TABLE ctl (stop boolean);
     INSERT INTO ctl VALUES (false);
     ANALYZE;
     CREATE PROCEDURE writer() LANGUAGE plpgsql AS \$\$
     DECLARE i int := 0;
     BEGIN
       LOOP
         i := i + 1;
         PERFORM pg_logical_emit_message(true, '_bemi', json_build_object('w', i)::text);
         UPDATE items SET price = price + 1, name = name || '+' WHERE id = 1 + floor(random() * $ROWS)::int;
         INSERT INTO items VALUES ($ROWS + i, 'new ' || i, i, ARRAY['n'], now(), '{\"new\": true}');
         DELETE FROM items WHERE id = 1 + floor(random() * $ROWS)::int;
         UPDATE pairs SET v = v || '!' WHERE b = 1 + floor(random() * 5000)::int;
         INSERT INTO pairs VALUES ('new\"' || i, i, 'v');
         UPDATE measurements SET val = val + 1 WHERE id IN (1 + i % 6000, 2999 + i % 3);
         INSERT INTO measurements VALUES (10000 + i, i);
         UPDATE floaty SET v = v + 1;
         COMMIT;
         EXIT WHEN (SELECT stop FROM ctl);
         PERFORM pg_sleep(0.003);
       END LOOP;
     END \$\$;"

# The writer runs before, during and after the snapshot.
psql -X -q -v ON_ERROR_STOP=1 -c "CALL writer()" >"$WORK/writer.log" 2>&1 &
WRITER_PID=$!
sleep 1
BEFORE=$(q "SELECT count(*) FROM items WHERE id > $ROWS")
[ "$BEFORE" -gt 0 ] || fail "the writer did not start"
"$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --exclude-tables "$EXCLUDE" >"$WORK/snapshot.log" 2>&1 || { cat "$WORK/snapshot.log" >&2; fail "pgtrail snapshot failed"; }
SNAPSHOT_DONE=$(q "SELECT now()")
cat "$WORK/snapshot.log"
grep -q "snapshot recorded" "$WORK/snapshot.log" || fail "no summary line"
grep -q "measurements (partition" "$WORK/snapshot.log" || fail "partitions are not read one by one"
sleep 1
start_sink --exclude-tables "$EXCLUDE"
sleep 2
run "UPDATE ctl SET stop = true"
wait "$WRITER_PID" || { cat "$WORK/writer.log" >&2; fail "the writer failed"; }
caught_up
stop_sink
echo "writer: $(q "SELECT count(*) FROM items WHERE id > $ROWS") transactions ($BEFORE before the snapshot)"

# The baseline itself.
expect_eq "SNAPSHOT rows share one commit_lsn, ordinals 0..n-1" \
    "$(q "SELECT count(DISTINCT commit_lsn), min(ordinal), max(ordinal) = count(*) - 1, count(DISTINCT transaction_id) FROM changes WHERE operation = 'SNAPSHOT'")" "1|0|t|1"
expect_eq "SNAPSHOT rows sort before every streamed change and are not later" \
    "$(q "SELECT (SELECT (commit_lsn, ordinal) FROM changes WHERE operation = 'SNAPSHOT' ORDER BY commit_lsn DESC, ordinal DESC LIMIT 1) < (SELECT (commit_lsn, ordinal) FROM changes WHERE operation <> 'SNAPSHOT' ORDER BY commit_lsn, ordinal LIMIT 1),
                 (SELECT max(committed_at) FROM changes WHERE operation = 'SNAPSHOT') <= (SELECT min(committed_at) FROM changes WHERE operation <> 'SNAPSHOT')")" "t|t"
expect_eq "the origin starts at the snapshot's point" \
    "$(q "SELECT count(*) FROM changes WHERE operation <> 'SNAPSHOT' AND commit_lsn < (SELECT min(commit_lsn) FROM changes WHERE operation = 'SNAPSHOT')")" 0
expect_eq "tables in the baseline" \
    "$(q "SELECT string_agg(DISTINCT \"table\", ',' ORDER BY \"table\") FROM changes WHERE operation = 'SNAPSHOT'")" "floaty,items,keyless,measurements,pairs"
expect_eq "writes ran during the snapshot" \
    "$(q "SELECT count(*) > 0 FROM changes WHERE operation <> 'SNAPSHOT' AND committed_at < '$SNAPSHOT_DONE'")" t
expect_eq "keyless rows have no key" "$(q "SELECT count(*), count(primary_key) FROM changes WHERE \"table\" = 'keyless'")" "100|0"
expect_eq "float keys as the sink renders them" \
    "$(q "SELECT string_agg(primary_key, ' ' ORDER BY primary_key) FROM changes WHERE \"table\" = 'floaty' AND operation = 'SNAPSHOT'")" "-3 0.1 1.5e-07 1e+20"

# No gap, no overlap: the table at now() from the changes equals the table.
for t in items pairs measurements floaty; do
    expect_eq "table_as_of(now()) = $t" \
        "$(q "SELECT count(*) FROM ((SELECT to_jsonb(x) FROM $t x EXCEPT ALL SELECT r FROM pgtrail.table_as_of('$t', now()) r)
              UNION ALL (SELECT r FROM pgtrail.table_as_of('$t', now()) r EXCEPT ALL SELECT to_jsonb(x) FROM $t x)) d")" 0
done
# Each row's history: starts with exactly one SNAPSHOT or CREATE, and each operation may follow the previous one.
expect_eq "every history starts with one SNAPSHOT or CREATE, then legal steps" \
    "$(q "SELECT count(*) FROM (SELECT \"table\", primary_key, operation,
                 lag(operation) OVER (PARTITION BY \"table\", primary_key ORDER BY commit_lsn, ordinal) AS prev
          FROM changes WHERE primary_key IS NOT NULL) h
          WHERE (prev IS NULL AND operation NOT IN ('SNAPSHOT', 'CREATE'))
             OR (operation = 'SNAPSHOT' AND prev IS NOT NULL)
             OR (operation = 'CREATE' AND prev IS NOT NULL AND prev <> 'DELETE')
             OR (operation IN ('UPDATE', 'DELETE') AND prev NOT IN ('SNAPSHOT', 'CREATE', 'UPDATE'))")" 0
expect_eq "streamed changes hit snapshot rows" \
    "$(q "SELECT count(*) > 0 FROM changes c WHERE c.operation IN ('UPDATE', 'DELETE') AND c.\"table\" = 'pairs'
          AND EXISTS (SELECT FROM changes s WHERE s.operation = 'SNAPSHOT' AND s.\"table\" = 'pairs' AND s.primary_key = c.primary_key)")" t

# A second snapshot of the same slot is refused.
status=0
"$PGTRAIL" snapshot --source "$(SOURCE_CONN)" >"$WORK/again.log" 2>&1 || status=$?
expect_eq "second snapshot exits 1" "$status" 1
grep -q "already exists and is tracked" "$WORK/again.log" || { cat "$WORK/again.log"; fail "second snapshot: unclear refusal"; }

# A slot created without a baseline (or left by an interrupted snapshot) is refused, by snapshot and run --snapshot.
run "SELECT pg_create_logical_replication_slot('bare', 'pgtrail')"
status=0
"$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --slot bare --changes-table bare_changes >"$WORK/bare.log" 2>&1 || status=$?
expect_eq "snapshot on a bare slot exits 1" "$status" 1
grep -q "nothing has been recorded from it" "$WORK/bare.log" || { cat "$WORK/bare.log"; fail "bare slot: unclear refusal"; }
status=0
timeout 20 "$PGTRAIL" run --snapshot --source "$(SOURCE_CONN)" --slot bare --changes-table bare_changes >"$WORK/bare_run.log" 2>&1 || status=$?
expect_eq "run --snapshot on a bare slot exits 1" "$status" 1
run "SELECT pg_drop_replication_slot('bare')"

# An interrupted snapshot drops the slot it created and records nothing.
"$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --slot cut --changes-table cut_changes --include-tables items >"$WORK/cut.log" 2>&1 &
CUT_PID=$!
for _ in $(seq 1 100); do grep -qs "snapshot of" "$WORK/cut.log" && break; sleep 0.05; done
kill -INT "$CUT_PID"
status=0
wait "$CUT_PID" || status=$?
if [ "$status" = 1 ]; then
    expect_eq "interrupted: slot dropped" "$(q "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'cut'")" 0
    expect_eq "interrupted: nothing recorded" "$(q "SELECT count(*) FROM cut_changes")" 0
    grep -q "interrupted" "$WORK/cut.log" || fail "no interruption message"
    echo "interrupted snapshot: slot dropped, nothing recorded"
else
    echo "interrupted snapshot: finished before the signal (status $status), not checked"
fi

# A snapshot killed with -9 leaves its slot without a baseline: the next one refuses and says what to run.
"$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --slot killed --changes-table killed_changes --include-tables items >"$WORK/killed.log" 2>&1 &
KILLED_PID=$!
for _ in $(seq 1 100); do grep -qs "snapshot of" "$WORK/killed.log" && break; sleep 0.05; done
kill -9 "$KILLED_PID"; wait "$KILLED_PID" 2>/dev/null || true
if [ "$(q "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'killed'")" = 1 ]; then
    expect_eq "killed: nothing recorded" "$(q "SELECT count(*) FROM killed_changes")" 0
    status=0
    "$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --slot killed --changes-table killed_changes --include-tables items >"$WORK/killed2.log" 2>&1 || status=$?
    expect_eq "after kill -9: refused" "$status" 1
    grep -q "SELECT pg_drop_replication_slot('killed')" "$WORK/killed2.log" || { cat "$WORK/killed2.log"; fail "after kill -9: no fix named"; }
    run "SELECT pg_drop_replication_slot('killed')"
    "$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --slot killed --changes-table killed_changes --include-tables items >"$WORK/killed3.log" 2>&1 ||
        { cat "$WORK/killed3.log"; fail "snapshot after dropping the killed one's slot"; }
    expect_eq "after kill -9 and a new snapshot: the whole table once" \
        "$(q "SELECT count(*), count(DISTINCT primary_key) FROM killed_changes WHERE operation = 'SNAPSHOT'")" "$(q "SELECT count(*) || '|' || count(*) FROM items")"
    run "SELECT pg_drop_replication_slot('killed')"
    echo "killed snapshot: refused, then taken again after dropping the slot"
else
    echo "killed snapshot: killed before the slot existed, not checked"
fi

# A separate destination: the baseline lands there, byte for byte the source's rows.
SRC_PORT=$PORT
start_cluster dst
DST_PORT=$PORT
PORT=$SRC_PORT; export PGPORT=$SRC_PORT
"$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --slot remote --include-tables pairs,floaty \
    --destination "host=127.0.0.1 port=$DST_PORT user=postgres dbname=postgres" >"$WORK/remote.log" 2>&1 || { cat "$WORK/remote.log"; fail "snapshot into another destination"; }
for t in pairs floaty; do
    psql -X -At -p "$SRC_PORT" -c "SELECT to_jsonb(x)::text FROM $t x ORDER BY 1" >"$WORK/src_$t.txt"
    psql -X -At -p "$DST_PORT" -c "SELECT after::text FROM changes WHERE \"table\" = '$t' AND operation = 'SNAPSHOT' ORDER BY 1" >"$WORK/dst_$t.txt"
    cmp -s "$WORK/src_$t.txt" "$WORK/dst_$t.txt" || fail "destination baseline of $t differs from the source"
done
expect_eq "destination origin at the snapshot's point" \
    "$(psql -X -At -p "$DST_PORT" -c "SELECT pg_replication_origin_progress('pgtrail_remote', true) - '0/0'::pg_lsn = min(commit_lsn) FROM changes")" t
run "SELECT pg_drop_replication_slot('remote')"

# run --snapshot: the snapshot, then the stream, in one command.
start_sink --snapshot --slot both --changes-table both_changes --include-tables pairs
wait_for "SELECT count(*) FROM both_changes WHERE operation = 'SNAPSHOT'" "$(q "SELECT count(*) FROM pairs")" 60
run "UPDATE pairs SET v = 'after run --snapshot' WHERE (a, b) = ('k7', 7)"
wait_for "SELECT count(*) FROM both_changes WHERE operation = 'UPDATE' AND after->>'v' = 'after run --snapshot'" 1 60
stop_sink
expect_eq "run --snapshot: table_as_of(now()) = pairs" \
    "$(q "SET pgtrail.changes_table = 'both_changes'; SELECT count(*) FROM ((SELECT to_jsonb(x) FROM pairs x EXCEPT ALL SELECT r FROM pgtrail.table_as_of('pairs', now()) r)
          UNION ALL (SELECT r FROM pgtrail.table_as_of('pairs', now()) r EXCEPT ALL SELECT to_jsonb(x) FROM pairs x)) d")" 0
# Restarted with --snapshot on its own slot: streams on, no second baseline.
start_sink --snapshot --slot both --changes-table both_changes --include-tables pairs
run "UPDATE pairs SET v = 'second start' WHERE (a, b) = ('k8', 8)"
wait_for "SELECT count(*) FROM both_changes WHERE operation = 'UPDATE' AND after->>'v' = 'second start'" 1 60
stop_sink
expect_eq "run --snapshot twice: one baseline" "$(q "SELECT count(DISTINCT commit_lsn) FROM both_changes WHERE operation = 'SNAPSHOT'")" 1
echo "PASS snapshot_test"
