#!/usr/bin/env bash
# The managed-service path (issue 11, "Done means"): a server that cannot load the pgtrail plugin
# (no pgtrail.so in its dynamic_library_path, output_plugin_libraries without pgtrail), no
# superuser anywhere in pgtrail's path:
#   app_owner     owns the application's tables (CREATEROLE, CREATE on its database): runs setup
#   trail_reader  the source role: REPLICATION (what the provider grants) and SELECT on the tables
#   trail_writer  the destination role (database audit): owns its schemas trail_writer and
#                 pgtrail, nothing else (no CREATE on the database, no pg_replication_origin_*)
# setup --dry-run prints the least-privilege SQL (FOR TABLE publication WITH
# publish_via_partition_root, a pgoutput slot, the roles and grants, progress in pgtrail.progress,
# rds_replication where that role exists); setup as app_owner; check green as the two roles; run
# driven only by DB_* / DESTINATION_DB_* variables; SIGKILLed 5 times mid-stream: the replay
# oracle finds nothing lost or duplicated; context from Bemi comments (the triggers of
# sql/context.sql), pgtrail.set_context() and raw _bemi messages.
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"

start_cluster managed  # no --plugin-dir: the server's own library path only
if [ "$(q "SELECT count(*) FROM pg_settings WHERE name = 'output_plugin_libraries'")" = 1 ]; then
    run "ALTER SYSTEM SET output_plugin_libraries = pgoutput"
    run "SELECT pg_reload_conf()"
    sleep 0.5
fi
expect_eq "dynamic_library_path" "$(q "SHOW dynamic_library_path")" '$libdir'
[ ! -f "$(pg_config --pkglibdir)/pgtrail.so" ] || echo "note: pgtrail.so is installed system-wide; output_plugin_libraries still refuses it"
psql -X -q -c "SELECT pg_create_logical_replication_slot('probe', 'pgtrail', true)" >"$WORK/probe" 2>&1 || true
grep -qE 'could not access file "pgtrail"|may not be used as an output plugin' "$WORK/probe" || { cat "$WORK/probe"; fail "the server can load the pgtrail plugin"; }

run "CREATE DATABASE app"; run "CREATE DATABASE audit"
run "CREATE ROLE app_owner LOGIN CREATEROLE; GRANT CREATE ON DATABASE app TO app_owner;
     CREATE ROLE trail_reader LOGIN REPLICATION;
     CREATE ROLE trail_writer LOGIN; REVOKE CREATE ON DATABASE audit FROM PUBLIC"
PGDATABASE=audit run "REVOKE CREATE ON SCHEMA public FROM PUBLIC;
     CREATE SCHEMA trail_writer AUTHORIZATION trail_writer; CREATE SCHEMA pgtrail AUTHORIZATION trail_writer"
export PGDATABASE=app
oracle_install
oracle_workload_install
run "ALTER SCHEMA public OWNER TO app_owner;
     CREATE TABLE items (id int PRIMARY KEY, name text);
     CREATE TABLE readings (at date NOT NULL, v int) PARTITION BY RANGE (at);
     CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"
# (the oracle's own tables too: setup --context attaches the context triggers to every table)
run "ALTER SCHEMA oracle OWNER TO app_owner"
for t in $(q "SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'oracle')"); do
    run "ALTER TABLE $t OWNER TO app_owner"
done
expect_eq "no superuser but postgres" "$(q "SELECT string_agg(rolname, ',') FROM pg_roles WHERE rolsuper")" postgres

# Bemi's variables only, as a deployment would set them (env execs the command: $! is the sink).
DB_ENV=(-u PGHOST -u PGPORT -u PGUSER -u PGDATABASE DB_HOST=127.0.0.1 DB_PORT="$PORT" DB_NAME=app
        DESTINATION_DB_HOST=127.0.0.1 DESTINATION_DB_PORT="$PORT" DESTINATION_DB_NAME=audit DESTINATION_DB_USER=trail_writer)
OWNER_ENV=("${DB_ENV[@]}" DB_USER=app_owner)
TRAIL_ENV=("${DB_ENV[@]}" DB_USER=trail_reader)
as_owner() { env "${OWNER_ENV[@]}" "$@"; }
TABLES="public.items, public.readings, public.w_accounts, public.w_docs, public.w_events, public.w_full, public.w_pairs"

echo "--- setup --dry-run: the least-privilege SQL"
as_owner "$PGTRAIL" setup --plugin pgoutput --dry-run --context --exclude-tables 'oracle.*' \
    --source-role pgtrail_source --destination-role pgtrail_dest >"$WORK/dry.sql" || { cat "$WORK/dry.sql"; fail "dry run failed"; }
cat "$WORK/dry.sql"
has() { grep -qxF -- "$1" "$WORK/dry.sql" || fail "the dry run lacks: $1"; }
has "CREATE PUBLICATION \"pgtrail\" FOR TABLE $TABLES WITH (publish_via_partition_root = true);"
has "SELECT pg_create_logical_replication_slot('pgtrail', 'pgoutput');"
has 'CREATE ROLE "pgtrail_source" LOGIN REPLICATION;'
has 'GRANT USAGE ON SCHEMA "public" TO "pgtrail_source";'
has 'GRANT SELECT ON public.w_events TO "pgtrail_source";'
has 'CREATE ROLE "pgtrail_dest" LOGIN;'
has 'GRANT SELECT, INSERT ON changes TO "pgtrail_dest";'
has 'GRANT SELECT, INSERT, UPDATE ON pgtrail.progress TO "pgtrail_dest";'
has "ALTER PUBLICATION \"pgtrail\" ADD TABLE <table>;"
has "CALL pgtrail.attach_context_trigger('<table>');"
grep -E "pg_replication_origin_|FOR ALL TABLES|oracle\." "$WORK/dry.sql" && fail "the dry run asks for origins or all tables, or touches oracle.*"
expect_eq "the dry run created nothing" "$(q "SELECT (SELECT count(*) FROM pg_publication) + (SELECT count(*) FROM pg_replication_slots) + (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgtrail%')")" 0

echo "--- on RDS the source role replicates through rds_replication"
run "CREATE ROLE rds_replication"
as_owner "$PGTRAIL" setup --plugin pgoutput --dry-run --exclude-tables 'oracle.*' --source-role pgtrail_source >"$WORK/dry.sql"
has 'CREATE ROLE "pgtrail_source" LOGIN;'
has 'GRANT rds_replication TO "pgtrail_source";'
run "DROP ROLE rds_replication"

echo "--- setup as app_owner (the slot is left to run, as the roles are the provider's)"
as_owner "$PGTRAIL" setup --plugin pgoutput --context --no-slot --exclude-tables 'oracle.*' --source-role trail_reader | tee "$WORK/setup" ||
    fail "setup failed"
grep -qx "next: pgtrail run --plugin pgoutput" "$WORK/setup" || fail "setup does not say how to run"
expect_eq "publication" "$(q "SELECT pubviaroot::text || ':' || (SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'pgtrail') FROM pg_publication WHERE pubname = 'pgtrail'")" \
    "true:items,readings,w_accounts,w_docs,w_events,w_full,w_pairs"
expect_eq "changes table owned by the writer" "$(PGDATABASE=audit q "SELECT tableowner FROM pg_tables WHERE tablename = 'changes'")" "trail_writer"

echo "--- check as the two roles, DB_* only"
env "${TRAIL_ENV[@]}" "$PGTRAIL" check >"$WORK/check" || { cat "$WORK/check"; fail "check is not green"; }
cat "$WORK/check"
grep -q "^ok +decoding +pgoutput" "$WORK/check" -E || fail "check does not decode with pgoutput"
grep -qE "^ok +progress +kept in table pgtrail.progress" "$WORK/check" || fail "check does not keep progress in the table"

echo "--- run, DB_* only; 5 SIGKILLs mid-stream"
start_trail() {
    env "${TRAIL_ENV[@]}" "$PGTRAIL" run --log-level debug >>"$WORK/sink.log" 2>&1 &
    SINK_PID=$!
}
start_trail
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND plugin = 'pgoutput' AND active" 1
grep -q "progress is kept in table pgtrail.progress (trail_writer may not use replication origins)" "$WORK/sink.log" ||
    fail "run does not keep progress in the table"
ORACLE_CHUNK=40 ORACLE_PAUSE=0.3 oracle_workload 1500 0.23 &
WORKLOAD_PID=$!
for i in 1 2 3 4 5; do
    sleep "1.$((RANDOM % 5))"
    kill9_sink
    echo "kill $i, workload $(kill -0 $WORKLOAD_PID 2>/dev/null && echo running || echo done)" | tee -a "$WORK/sink.log"
    start_trail
done
wait "$WORKLOAD_PID" || fail "workload failed"

echo "--- context: a Bemi comment, pgtrail.set_context(), a raw _bemi message"
# (one statement per psql -c: current_query() is the whole string psql sends)
run "INSERT INTO items VALUES (1, 'a') /*Bemi {\"who\":\"bemi-comment\"} Bemi*/"
run "BEGIN; SELECT pgtrail.set_context('{\"who\": \"set_context\"}'); UPDATE items SET name = 'b' WHERE id = 1; COMMIT"
run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"who\":\"message\"}'); DELETE FROM items WHERE id = 1; COMMIT"
run "INSERT INTO readings VALUES ('2026-03-01', 7)"
caught_up 300
stop_sink
# (a start killed under load before it chose its decoding logs no such line)
starts=$(grep -c "info decoding with" "$WORK/sink.log" || true)
[ "$starts" -ge 2 ] && [ "$(grep -c "info decoding with pgoutput" "$WORK/sink.log" || true)" = "$starts" ] ||
    fail "not every start decoded with pgoutput"
expect_eq "contexts" "$(PGDATABASE=audit q "SELECT string_agg(\"table\" || ':' || operation || ':' || context::text, ',' ORDER BY commit_lsn, ordinal) FROM trail_writer.changes WHERE \"table\" IN ('items', 'readings')")" \
    'items:CREATE:{"who": "bemi-comment"},items:UPDATE:{"who": "set_context"},items:DELETE:{"who": "message"},readings:CREATE:{}'

echo "--- the oracle over the destination's rows"
run "DROP TABLE IF EXISTS oracle.dest_changes;
     CREATE TABLE oracle.dest_changes (schema text, \"table\" text, operation text, primary_key text,
         before jsonb, after jsonb, unchanged text[], commit_lsn bigint, ordinal int, context jsonb, lossy text[])"
PGDATABASE=audit psql -X -q -v ON_ERROR_STOP=1 -c "COPY (SELECT schema, \"table\", operation, primary_key, before, after,
    unchanged, commit_lsn, ordinal, context, lossy FROM trail_writer.changes WHERE \"table\" LIKE 'w\\_%') TO STDOUT" |
    psql -X -q -v ON_ERROR_STOP=1 -c "COPY oracle.dest_changes FROM STDIN"
oracle_check oracle.dest_changes
expect_eq "no replication origin" "$(q "SELECT count(*) FROM pg_replication_origin")" 0
expect_eq "only tracked tables recorded" "$(PGDATABASE=audit q "SELECT count(*) FROM trail_writer.changes WHERE schema <> 'public'")" 0
echo "ok"
