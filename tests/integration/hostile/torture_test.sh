#!/usr/bin/env bash
# Torture tables through plugin + sink, checked by the replay oracle: every type family with
# NULLs everywhere, a 1,600-column table, names needing quotes (quotes, spaces, unicode,
# dots, dashes, reserved words) in a schema needing quotes, a replica-identity index
# instead of a key, a table without key nor replica identity (counted only), a 100 MB
# TOASTed value (PGTRAIL_TORTURE_TOAST_MB) inserted, left unchanged and updated; ALTER TABLE
# (add, drop, rename column, change type, VACUUM FULL, CLUSTER, REPLICA IDENTITY FULL) while
# changes stream; a table dropped while its
# changes are still in the slot. The sink's peak RSS (VmHWM) is printed.
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
TOAST_MB=${PGTRAIL_TORTURE_TOAST_MB:-100}
start_cluster src --plugin-dir "$PLUGIN_DIR"
oracle_install
OPTS=("${ORACLE_SINK_OPTS[@]}" --batch-time-ms 100)
start_sink "${OPTS[@]}"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1

psql -X -q -v ON_ERROR_STOP=1 -f "$(dirname "$0")/../lib/torture_tables.sql" >/dev/null
echo "torture tables written"

# ALTER TABLE while the changes stream (the sink is running and reading).
run "CREATE TABLE alt (id int PRIMARY KEY, a int, b text); SELECT oracle.track('alt');
     INSERT INTO alt SELECT g, g, 'b' || g FROM generate_series(1, 50) g"
for step in "ALTER TABLE alt ADD COLUMN c int DEFAULT 7" "UPDATE alt SET c = c + id WHERE id % 2 = 0" \
            "ALTER TABLE alt DROP COLUMN a" "INSERT INTO alt (id, b) VALUES (51, 'after drop')" \
            "ALTER TABLE alt RENAME COLUMN b TO \"b renamed\"" "UPDATE alt SET \"b renamed\" = 'r' WHERE id < 10" \
            "ALTER TABLE alt ALTER COLUMN c TYPE text USING 'c=' || c" "UPDATE alt SET c = c || '!' WHERE id > 40" \
            "DELETE FROM alt WHERE id = 5" "ALTER TABLE alt ALTER COLUMN id TYPE bigint" "INSERT INTO alt (id) VALUES (52)" \
            "VACUUM FULL alt" "UPDATE alt SET c = c || '?' WHERE id < 20" "CLUSTER alt USING alt_pkey" \
            "UPDATE alt SET id = id" "ALTER TABLE alt REPLICA IDENTITY FULL" "UPDATE alt SET c = c || '+' WHERE id > 45" "DELETE FROM alt WHERE id = 6"; do
    run "$step"
    sleep 0.2
done
# Rows the DDL changed without a change (the default, the rewrite) get fresh images (the
# UPDATE before REPLICA IDENTITY FULL does the same, so that the full before images that
# follow can be checked against the replay).
run "UPDATE alt SET id = id"

# A table dropped while its changes are still in the slot (the sink is stopped meanwhile).
caught_up
stop_sink
run "CREATE TABLE gone (id int PRIMARY KEY, v text); SELECT oracle.track('gone');
     INSERT INTO gone SELECT g, 'v' FROM generate_series(1, 100) g;
     UPDATE gone SET v = 'w' WHERE id <= 10; DELETE FROM gone WHERE id > 90;"
run "DROP TABLE gone"
start_sink "${OPTS[@]}"
caught_up
expect_eq "changes of the dropped table" \
    "$(q "SELECT string_agg(operation || '=' || n, ',' ORDER BY operation) FROM (SELECT operation, count(*) n FROM changes WHERE \"table\" = 'gone' GROUP BY 1) s")" \
    "CREATE=100,DELETE=10,UPDATE=10"

# A 100 MB TOASTed value: inserted, left unchanged by an update, updated.
run "CREATE TABLE huge (id int PRIMARY KEY, blob text, n int); SELECT oracle.track('huge')"
start=$(date +%s.%N)
run "INSERT INTO huge SELECT 1, string_agg(md5(g::text), '') || 'end', 0 FROM generate_series(1, $TOAST_MB * 1024 * 1024 / 32) g"
run "UPDATE huge SET n = 1"
run "UPDATE huge SET blob = 'start' || blob, n = 2"
run "INSERT INTO huge VALUES (2, 'small', 0)"
caught_up 300
echo "100 MB value: $(q "SELECT pg_size_pretty(octet_length(blob)::bigint) FROM huge WHERE id = 1") written and replicated in $(echo "$(date +%s.%N) - $start" | bc) s;" \
     "sink VmHWM $(grep VmHWM /proc/$SINK_PID/status | awk '{print $2 / 1024 " MB"}')"
expect_eq "unchanged blob" "$(q "SELECT unchanged::text FROM changes WHERE \"table\" = 'huge' AND after->>'n' = '1'")" "{blob}"
stop_sink
oracle_check
echo "ok"
