#!/usr/bin/env bash
# The context event trigger (sql/context.sql) touches only the table a command creates: a
# CREATE TEMP TABLE or CREATE TABLE must not wait behind an open transaction on another table
# (before, the trigger re-created the context triggers on every table, locking each one).
# A new table gets the triggers, a temporary one does not. An installed older context.sql is
# found outdated by `pgtrail setup --context` and replaced.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"

start_cluster ctxlock --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE busy (id int PRIMARY KEY)"

# An older context.sql as `pgtrail setup` installed it: its event trigger re-attaches everywhere,
# and its marker carries another hash.
run "CREATE SCHEMA pgtrail"
run "CREATE FUNCTION pgtrail.context_row_trigger() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
     CREATE FUNCTION pgtrail.context_statement_trigger() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NULL; END \$\$;
     CREATE PROCEDURE pgtrail.attach_context_triggers(publication name DEFAULT NULL, changes_table regclass DEFAULT to_regclass('changes'))
     LANGUAGE plpgsql AS \$\$ DECLARE rel regclass; BEGIN
       FOR rel IN SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgtrail')
                    AND n.nspname NOT LIKE 'pg\_%' LOOP
         EXECUTE format('CREATE OR REPLACE TRIGGER pgtrail_context_row BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION pgtrail.context_row_trigger()', rel);
       END LOOP; END \$\$;
     CREATE FUNCTION pgtrail.attach_context_triggers_on_create() RETURNS event_trigger LANGUAGE plpgsql AS \$\$ BEGIN CALL pgtrail.attach_context_triggers(); END \$\$;
     CREATE EVENT TRIGGER pgtrail_context_on_create_table ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
       EXECUTE FUNCTION pgtrail.attach_context_triggers_on_create();
     CREATE FUNCTION pgtrail.installed_context() RETURNS text LANGUAGE sql IMMUTABLE AS \$\$ SELECT 'an older hash'::text \$\$;
     CALL pgtrail.attach_context_triggers()"

# hold_busy: an open transaction that wrote to busy holds its RowExclusiveLock until end_holder.
hold_busy() {
    psql -X -q -c "BEGIN; INSERT INTO busy VALUES (1); SELECT pg_sleep(600)" >/dev/null 2>&1 &
    HOLDER=$!
    wait_for "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'busy' AND l.mode = 'RowExclusiveLock' AND l.granted" 1
}
end_holder() {
    run "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'BEGIN; INSERT INTO busy%'"
    wait "$HOLDER" 2>/dev/null || true
}

# create SQL: runs it with a 3 s lock_timeout; prints ok or the error
create() { psql -X -q -v ON_ERROR_STOP=1 -c "SET lock_timeout = '3s'" -c "$1" 2>&1 >/dev/null && echo ok; }

echo "--- the older version: CREATE TEMP TABLE waits for busy (what this test catches)"
hold_busy
got=$(create "CREATE TEMP TABLE scratch_old (x int)" || true)
grep -q "lock timeout" <<<"$got" || fail "the older event trigger did not wait for busy (got: $got)"
echo "$got"
end_holder

echo "--- pgtrail setup --context --event-trigger replaces the older version"
"$PGTRAIL" setup --source "$(SOURCE_CONN)" --context --event-trigger --no-slot --tables busy >"$WORK/setup" 2>&1 || { cat "$WORK/setup"; fail "setup failed"; }
cat "$WORK/setup"
grep -q "update the context triggers" "$WORK/setup" || fail "setup did not find the older context.sql outdated"
expect_eq "marker is current" "$(q "SELECT pgtrail.installed_context() <> 'an older hash'")" t
expect_eq "event trigger function is the new one" \
    "$(q "SELECT prosrc LIKE '%pg_event_trigger_ddl_commands()%' FROM pg_proc WHERE proname = 'attach_context_triggers_on_create'")" t

echo "--- the current version (both event triggers): nothing waits for busy"
hold_busy
expect_eq "CREATE TEMP TABLE while busy is locked" "$(create "CREATE TEMP TABLE scratch (x int)")" ok
expect_eq "SELECT INTO a temp table while busy is locked" "$(create "SELECT 1 AS x INTO TEMP scratch2")" ok
expect_eq "CREATE TABLE while busy is locked" "$(create "CREATE TABLE fresh (id int PRIMARY KEY)")" ok
expect_eq "CREATE TABLE AS while busy is locked" "$(create "CREATE TABLE fresh_as AS SELECT 1 AS id")" ok
end_holder
expect_eq "new tables got the context triggers" \
    "$(q "SELECT string_agg(c.relname || ':' || t.tgname, ',' ORDER BY c.relname, t.tgname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname LIKE 'fresh%'")" \
    "fresh:pgtrail_context_row,fresh:pgtrail_context_truncate,fresh_as:pgtrail_context_row,fresh_as:pgtrail_context_truncate"
expect_eq "new tables got REPLICA IDENTITY FULL" "$(q "SELECT string_agg(relname || '=' || relreplident::text, ',' ORDER BY relname) FROM pg_class WHERE relname LIKE 'fresh%' AND relkind = 'r'")" "fresh=f,fresh_as=f"
expect_eq "a temporary table gets no trigger" "$(q "CREATE TEMP TABLE tmp (x int); SELECT count(*) FROM pg_trigger WHERE tgrelid = 'tmp'::regclass")" 0
expect_eq "busy has both context triggers" "$(q "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'busy'::regclass AND tgname LIKE 'pgtrail_context%'")" 2
echo "ok"
