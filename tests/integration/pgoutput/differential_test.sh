#!/usr/bin/env bash
# The differential test (issue 11): one source, two slots (the pgtrail plugin and PostgreSQL's
# pgoutput), two sinks into two destinations, the same workload (the oracle's random mixed
# workload, the torture tables, extra_workload.sql): the two changes tables must be identical
# row for row on every column but id, queued_at and created_at. Then the replay oracle on the
# pgoutput side. PGTRAIL_DIFF_TXNS scales the random workload (default 3000 transactions).
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
TXNS=${PGTRAIL_DIFF_TXNS:-3000}
start_cluster dest_plugin; DEST_PLUGIN_PORT=$PORT
start_cluster dest_pgoutput; DEST_PGOUTPUT_PORT=$PORT
start_cluster src --plugin-dir "$PLUGIN_DIR"; SRC_PORT=$PORT
oracle_install
oracle_workload_install
# pgoutput refuses UPDATE and DELETE on published tables without a replica identity; such
# tables (the torture test's nokey) get REPLICA IDENTITY FULL, on both paths alike.
run "CREATE FUNCTION full_identity_without_key() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
     DECLARE r record;
     BEGIN
         FOR r IN SELECT objid::regclass AS rel FROM pg_event_trigger_ddl_commands()
                  WHERE command_tag = 'CREATE TABLE' AND object_type = 'table' LOOP
             IF NOT EXISTS (SELECT FROM pg_index WHERE indrelid = r.rel AND indisprimary)
                AND (SELECT relkind FROM pg_class WHERE oid = r.rel) = 'r' THEN
                 EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', r.rel);
             END IF;
         END LOOP;
     END \$\$;
     CREATE EVENT TRIGGER full_identity_without_key ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
         EXECUTE FUNCTION full_identity_without_key();
     CREATE PUBLICATION pgtrail_diff FOR ALL TABLES WITH (publish_via_partition_root = true)"

SINK_PIDS=()
start_one_sink() {  # start_one_sink NAME DEST_PORT OPTIONS...
    local name=$1 dest=$2; shift 2
    "$PGTRAIL" run --source "host=127.0.0.1 port=$SRC_PORT user=postgres dbname=postgres" \
        --destination "host=127.0.0.1 port=$dest user=postgres dbname=postgres" --slot "$name" \
        "${ORACLE_SINK_OPTS[@]}" --batch-time-ms 100 --log-level debug "$@" >>"$WORK/sink-$name.log" 2>&1 &
    SINK_PIDS+=($!)
}
stop_sinks() { for pid in "${SINK_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" || fail "a sink exited with status $?"; done; SINK_PIDS=(); }
trap 'for pid in "${SINK_PIDS[@]+"${SINK_PIDS[@]}"}"; do kill -9 "$pid" 2>/dev/null || true; done; cleanup' EXIT
start_one_sink via_plugin "$DEST_PLUGIN_PORT" --plugin pgtrail
start_one_sink via_pgoutput "$DEST_PGOUTPUT_PORT" --plugin pgoutput --publication pgtrail_diff
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name IN ('via_plugin', 'via_pgoutput') AND active" 2

psql -X -q -v ON_ERROR_STOP=1 -f "$(dirname "$0")/../lib/torture_tables.sql" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -f "$(dirname "$0")/extra_workload.sql" >/dev/null
oracle_workload "$TXNS" 0.11
target=$(q "SELECT pg_current_wal_lsn()")
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name IN ('via_plugin', 'via_pgoutput') AND confirmed_flush_lsn >= '$target'" 2 300
stop_sinks
grep -h "decoding with" "$WORK"/sink-*.log

COLUMNS="commit_lsn, ordinal, position, transaction_id, committed_at, operation, database, schema, \"table\", primary_key, before, after, context, unchanged"
dump() { PGPORT=$1 psql -X -q -At -v ON_ERROR_STOP=1 -c "COPY (SELECT $COLUMNS FROM changes ORDER BY commit_lsn, ordinal) TO STDOUT"; }
dump "$DEST_PLUGIN_PORT" >"$WORK/plugin.rows"
dump "$DEST_PGOUTPUT_PORT" >"$WORK/pgoutput.rows"
plugin_rows=$(wc -l <"$WORK/plugin.rows"); pgoutput_rows=$(wc -l <"$WORK/pgoutput.rows")
echo "changes rows: plugin $plugin_rows, pgoutput $pgoutput_rows"
if ! diff -q "$WORK/plugin.rows" "$WORK/pgoutput.rows" >/dev/null; then
    diff "$WORK/plugin.rows" "$WORK/pgoutput.rows" | cut -c1-400 | head -40 >&2
    fail "the two changes tables differ ($(diff "$WORK/plugin.rows" "$WORK/pgoutput.rows" | grep -c '^[<>]') lines)"
fi
[ "$plugin_rows" -gt "$((TXNS * 5))" ] || fail "too few changes: $plugin_rows"
echo "per operation: $(PGPORT=$DEST_PGOUTPUT_PORT q "SELECT string_agg(operation || '=' || n, ' ' ORDER BY operation) FROM (SELECT operation, count(*) n FROM changes GROUP BY 1) s")"
expect_eq "origins: pgtrail_elsewhere skipped, subscriber_x tracked" \
    "$(PGPORT=$DEST_PGOUTPUT_PORT q "SELECT string_agg(primary_key, ',' ORDER BY primary_key) FROM changes WHERE \"table\" = 'x_fk_parent' AND operation = 'CREATE' AND primary_key::int >= 100")" "200"
expect_eq "partitions under their root" \
    "$(PGPORT=$DEST_PGOUTPUT_PORT q "SELECT string_agg(DISTINCT \"table\", ',') FROM changes WHERE \"table\" LIKE 'x_parted%'")" "x_parted"
expect_eq "unchanged TOASTed value listed" \
    "$(PGPORT=$DEST_PGOUTPUT_PORT q "SELECT unchanged::text FROM changes WHERE \"table\" = 'x_toast' AND after->>'n' = '1'")" "{big}"
expect_eq "TRUNCATE ... RESTART IDENTITY CASCADE: both tables" \
    "$(PGPORT=$DEST_PGOUTPUT_PORT q "SELECT string_agg(\"table\", ',' ORDER BY \"table\") FROM changes WHERE operation = 'TRUNCATE' AND \"table\" LIKE 'x_fk%'")" \
    "x_fk_child,x_fk_parent"
oracle_copy_changes "$DEST_PGOUTPUT_PORT"
oracle_check oracle.dest_changes
echo "ok"
