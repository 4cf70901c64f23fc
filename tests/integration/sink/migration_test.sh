#!/usr/bin/env bash
# Schema versions: a changes table written by the previous version (sql/changes.sql before
# versions were recorded, with rows in it) is migrated by `run` and by `setup`, keeps its rows,
# records its version in pgtrail.schema_version, and a second start changes nothing. A table
# of a newer version than the binary knows is refused. A table the sink creates has the
# columns and indexes of sql/changes.sql.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
FIXTURE=$(dirname "$0")/fixtures/changes_v1.sql
run "CREATE TABLE t (id int PRIMARY KEY, v text)"

# 1. The previous version's table, with rows an older sink wrote.
psql -X -q -v ON_ERROR_STOP=1 -f "$FIXTURE" >/dev/null
run "INSERT INTO changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal)
     SELECT g::text, jsonb_build_object('id', g), 'postgres', 'public', 'old', 'CREATE', now(), now(), 700 + g, g, g, 0 FROM generate_series(1, 50) g"
OLD_ROWS=$(q "SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY commit_lsn)) FROM changes c")
expect_eq "no lossy column in version 1" "$(q "SELECT count(*) FROM pg_attribute WHERE attrelid = 'changes'::regclass AND attname = 'lossy'")" 0

start_sink
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run "INSERT INTO t VALUES (1, 'a'), (2, 'b')"
caught_up
stop_sink
expect_eq "version recorded" "$(q "SELECT changes_table || ' ' || version FROM pgtrail.schema_version")" "public.changes 9"
expect_eq "lossy column added" "$(q "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'changes'::regclass AND attname = 'lossy'")" "text[]"
expect_eq "old rows untouched" \
    "$(q "SELECT md5(string_agg((to_jsonb(c) - 'lossy' - 'moved_from')::text, '' ORDER BY commit_lsn)) FROM changes c WHERE \"table\" = 'old'")" "$OLD_ROWS"
expect_eq "new rows arrived" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 't'")" 2
grep -q "changes table changes: add column lossy .*(schema version 2)" "$WORK/sink.log" || fail "no log line for the migration"
grep -q "changes table changes: create pgtrail.sources and pgtrail.gaps .*(schema version 4)" "$WORK/sink.log" || fail "no log line for migration 4"
grep -q "changes table changes: create pgtrail.erasures and pgtrail.erased_changes .*(schema version 5)" "$WORK/sink.log" || fail "no log line for migration 5"
grep -q "changes table changes: create pgtrail.policies .*(schema version 6)" "$WORK/sink.log" || fail "no log line for migration 6"
grep -q "changes table changes: create the indexes of row histories .*(schema version 8)" "$WORK/sink.log" || fail "no log line for migration 8"
expect_eq "pgtrail.policies, empty" "$(q "SELECT count(*) FROM pgtrail.policies")" 0
grep -q "changes table changes: create table pgtrail.stream_progress .*(schema version 7)" "$WORK/sink.log" || fail "no log line for migration 7"
grep -q "schema version 1)" "$WORK/sink.log" && fail "the existing table was created again"

# 1b. From version 6 (with rows and progress): only migrations 7 to 9 run, the rows stay.
run "DROP TABLE pgtrail.stream_progress; UPDATE pgtrail.schema_version SET version = 6"
V6_ROWS=$(q "SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY commit_lsn, ordinal)) FROM changes c")
: >"$WORK/sink.log"
start_sink
run "INSERT INTO t VALUES (10, 'v6')"
caught_up
stop_sink
grep -q "(schema version 7)" "$WORK/sink.log" || fail "no migration from version 6"
grep -q "(schema version [1-6])" "$WORK/sink.log" && fail "migrations before 7 ran again"
expect_eq "version 9 recorded" "$(q "SELECT version FROM pgtrail.schema_version")" 9
expect_eq "stream_progress created" "$(q "SELECT to_regclass('pgtrail.stream_progress') IS NOT NULL")" t
expect_eq "rows of version 6 untouched" \
    "$(q "SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY commit_lsn, ordinal)) FROM changes c WHERE NOT (\"table\" = 't' AND primary_key = '10')")" "$V6_ROWS"

# 2. A second start: nothing to migrate, nothing logged.
: >"$WORK/sink.log"
start_sink
run "INSERT INTO t VALUES (3, 'c')"
caught_up
stop_sink
grep -q "schema version" "$WORK/sink.log" && fail "a second start migrated again"
expect_eq "all rows" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 't'")" 4

# 3. setup migrates too (another database, another table name), and a second setup does not.
run "CREATE DATABASE other"
PGDATABASE=other psql -X -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA audit" -f "$FIXTURE" -c "ALTER TABLE changes SET SCHEMA audit" >/dev/null
PGDATABASE=other run "INSERT INTO audit.changes (database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal)
     VALUES ('other', 'public', 'old', 'CREATE', now(), now(), 1, 1, 1, 0)"
"$PGTRAIL" setup --no-slot --source "host=127.0.0.1 port=$PORT user=postgres dbname=other" --changes-table audit.changes >"$WORK/setup.out" 2>&1 \
    || { cat "$WORK/setup.out" >&2; fail "setup failed"; }
grep -q "done: add column lossy .*(audit.changes, schema version 2)" "$WORK/setup.out" || { cat "$WORK/setup.out" >&2; fail "setup did not migrate"; }
grep -q "create the changes table" "$WORK/setup.out" && fail "setup created the existing table again"
expect_eq "setup recorded the version" "$(PGDATABASE=other q "SELECT changes_table || ' ' || version FROM pgtrail.schema_version")" "audit.changes 9"
expect_eq "setup kept the row" "$(PGDATABASE=other q "SELECT count(*) FROM audit.changes")" 1
"$PGTRAIL" setup --no-slot --dry-run --source "host=127.0.0.1 port=$PORT user=postgres dbname=other" --changes-table audit.changes >"$WORK/setup2.out" 2>&1
grep -q "schema version" "$WORK/setup2.out" && { cat "$WORK/setup2.out" >&2; fail "a second setup plans a migration again"; }

# 3b. From version 4 (the previous schema) with rows: the erasure log appears, rows and sources stay.
run "CREATE DATABASE v4"
PGDATABASE=v4 psql -X -q -v ON_ERROR_STOP=1 -f "$FIXTURE" >/dev/null
"$PGTRAIL" setup --no-slot --source "host=127.0.0.1 port=$PORT user=postgres dbname=v4" >"$WORK/setup_v4.out" 2>&1 || { cat "$WORK/setup_v4.out" >&2; fail "setup v4"; }
PGDATABASE=v4 run "DROP TABLE pgtrail.erased_changes, pgtrail.erasures, pgtrail.policies, pgtrail.stream_progress; UPDATE pgtrail.schema_version SET version = 4;
    INSERT INTO pgtrail.sources (origin, system_identifier, database, slot) VALUES ('pgtrail_x', '1', 'v4', 'x');
    INSERT INTO changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal, lossy)
    SELECT g::text, jsonb_build_object('id', g), 'v4', 'public', 'old', 'CREATE', now(), now(), g, g, g, 0, ARRAY['id'] FROM generate_series(1, 20) g"
V4_ROWS=$(PGDATABASE=v4 q "SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY commit_lsn)) FROM changes c")
"$PGTRAIL" setup --no-slot --source "host=127.0.0.1 port=$PORT user=postgres dbname=v4" >"$WORK/setup_v4.out" 2>&1 || { cat "$WORK/setup_v4.out" >&2; fail "setup from v4"; }
grep -q "done: create pgtrail.erasures and pgtrail.erased_changes (erasure log) (changes, schema version 5)" "$WORK/setup_v4.out" || { cat "$WORK/setup_v4.out" >&2; fail "setup did not migrate from 4"; }
expect_eq "v4: rows kept" "$(PGDATABASE=v4 q "SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY commit_lsn)) FROM changes c")" "$V4_ROWS"
expect_eq "v4: sources kept, erasure log empty, version 9" \
    "$(PGDATABASE=v4 q "SELECT (SELECT count(*) FROM pgtrail.sources) || ' ' || (SELECT count(*) FROM pgtrail.erasures) || ' ' || (SELECT version FROM pgtrail.schema_version)")" "1 0 9"
expect_eq "v4: forget works after the migration" "$(PGDATABASE=v4 q "CREATE TABLE old (id int PRIMARY KEY); SELECT pgtrail.forget('old', '3')")" 1

# 3c. From version 5 with rows: pgtrail.policies (migration 6) and pgtrail.stream_progress (7) appear, rows stay.
PGDATABASE=v4 run "DROP TABLE pgtrail.policies, pgtrail.stream_progress; UPDATE pgtrail.schema_version SET version = 5"
"$PGTRAIL" setup --no-slot --source "host=127.0.0.1 port=$PORT user=postgres dbname=v4" >"$WORK/setup_v5.out" 2>&1 || { cat "$WORK/setup_v5.out" >&2; fail "setup from v5"; }
grep -q "done: create pgtrail.policies (partitioning and retention of each changes table) (changes, schema version 6)" "$WORK/setup_v5.out" || { cat "$WORK/setup_v5.out" >&2; fail "setup did not migrate from 5"; }
grep -q "done: create table pgtrail.stream_progress (the place of pgtrail write in a NATS stream) (changes, schema version 7)" "$WORK/setup_v5.out" || { cat "$WORK/setup_v5.out" >&2; fail "setup did not run migration 7 from 5"; }
expect_eq "v5: rows kept, policies empty, version 9" \
    "$(PGDATABASE=v4 q "SELECT (SELECT count(*) FROM changes) || ' ' || (SELECT count(*) FROM pgtrail.policies) || ' ' || (SELECT version FROM pgtrail.schema_version)")" "20 0 9"

# 3d. From version 7 with rows: the indexes of row histories appear (migration 8), rows stay, and
# pgtrail.history finds a key's move through them.
PGDATABASE=v4 run "DROP INDEX changes_truncate_idx, changes_moved_from_idx; ALTER TABLE changes DROP COLUMN moved_from;
    DROP TABLE pgtrail.key_move_cuts; UPDATE pgtrail.schema_version SET version = 7;
    INSERT INTO changes (primary_key, before, after, database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal)
    VALUES ('25', '{\"id\": 4}', '{\"id\": 25}', 'v4', 'public', 'old', 'UPDATE', now(), now(), 30, 30, 30, 0)"
V6_ROWS=$(PGDATABASE=v4 q "SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY commit_lsn)) FROM changes c")
"$PGTRAIL" setup --no-slot --source "host=127.0.0.1 port=$PORT user=postgres dbname=v4" >"$WORK/setup_v6.out" 2>&1 || { cat "$WORK/setup_v6.out" >&2; fail "setup from v6"; }
grep -q "done: create the indexes of row histories (TRUNCATEs; UPDATEs by their old image) (changes, schema version 8)" "$WORK/setup_v6.out" || { cat "$WORK/setup_v6.out" >&2; fail "setup did not migrate from 7"; }
expect_eq "v7: rows kept, version 9" "$(PGDATABASE=v4 q "SELECT md5(string_agg((to_jsonb(c) - 'moved_from')::text, '' ORDER BY commit_lsn)) FROM changes c") $(PGDATABASE=v4 q "SELECT version FROM pgtrail.schema_version")" "$V6_ROWS 9"
# (migration 9 then kept the old image's index for the UPDATE written before it, and only for it)
expect_eq "v7: the indexes of row histories" "$(PGDATABASE=v4 q "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE indexname ~ '^changes_(truncate|update_before|legacy_update_before|moved_from)_idx$'")" \
    "changes_legacy_update_before_idx,changes_moved_from_idx,changes_truncate_idx"
expect_eq "v6: the history of key 4 ends with its move to 25" "$(PGDATABASE=v4 q "SELECT string_agg(operation || ':' || coalesce(after::text, '-'), ',' ORDER BY commit_lsn) FROM pgtrail.history('old', '4')")" \
    'CREATE:{"id": 4},UPDATE:{"id": 25}'


# 3e. From version 8 with rows: a key change written under version 8 (before moved_from existed) and
# one written after migration 9 are both found, the first by the old image (its index kept for the
# rows up to the recorded cut), the second by moved_from; the GIN index on every UPDATE is gone.
run "INSERT INTO t VALUES (40, 'forty'), (41, 'forty-one')"
start_sink
run "UPDATE t SET id = 140 WHERE id = 40"
caught_up
stop_sink
# Back to version 8's schema: what a version 8 sink wrote is this row without moved_from.
run "DROP INDEX changes_moved_from_idx; DROP INDEX IF EXISTS changes_legacy_update_before_idx; ALTER TABLE changes DROP COLUMN moved_from;
     CREATE INDEX changes_update_before_idx ON changes USING gin (before jsonb_path_ops) WHERE operation = 'UPDATE' AND before IS NOT NULL;
     DROP TABLE pgtrail.key_move_cuts; UPDATE pgtrail.schema_version SET version = 8"
V8_ROWS=$(q "SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY commit_lsn, ordinal)) FROM changes c")
V8_LAST=$(q "SELECT max(commit_lsn) FROM changes")
: >"$WORK/sink.log"
start_sink
run "UPDATE t SET id = 141 WHERE id = 41"
run "UPDATE t SET id = 240 WHERE id = 140"
caught_up
stop_sink
grep -q "changes table changes: add column moved_from .*(schema version 9)" "$WORK/sink.log" || fail "no log line for migration 9"
grep -q "(schema version [1-8])" "$WORK/sink.log" && fail "migrations before 9 ran again"
expect_eq "v8: version 9 recorded" "$(q "SELECT version FROM pgtrail.schema_version")" 9
expect_eq "v8: rows of version 8 untouched, moved_from NULL" \
    "$(q "SELECT md5(string_agg((to_jsonb(c) - 'moved_from')::text, '' ORDER BY commit_lsn, ordinal)) || ' ' || count(moved_from) FROM changes c WHERE commit_lsn <= $V8_LAST")" "$V8_ROWS 0"
expect_eq "v8: the cut is the last commit of version 8" "$(q "SELECT changes_table || ' ' || commit_lsn FROM pgtrail.key_move_cuts")" "public.changes $V8_LAST"
expect_eq "v8: the old image's index covers the rows up to the cut only; every-UPDATE index gone" \
    "$(q "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'changes' AND indexdef ~ 'gin \\(before'")" \
    "changes_legacy_update_before_idx"
expect_eq "v8: its predicate" "$(q "SELECT indexdef ~ ('commit_lsn <= ''?$V8_LAST') FROM pg_indexes WHERE indexname = 'changes_legacy_update_before_idx'")" t
expect_eq "v8: moved_from of the key changes written after migration 9" \
    "$(q "SELECT string_agg(primary_key || '<-' || moved_from, ',' ORDER BY commit_lsn) FROM changes WHERE moved_from IS NOT NULL")" "141<-41,240<-140"
expect_eq "v8: no moved_from on an UPDATE that kept its key or on other changes" \
    "$(q "SELECT count(*) FROM changes WHERE moved_from IS NOT NULL AND (operation <> 'UPDATE' OR moved_from = primary_key)")" 0
expect_eq "v8: history of 40 ends with its move made under version 8" \
    "$(q "SELECT string_agg(operation || ':' || coalesce(after ->> 'id', '-'), ',' ORDER BY commit_lsn, ordinal) FROM pgtrail.history('t', '40')")" \
    "CREATE:40,UPDATE:140"
expect_eq "v8: history of 140: moved in under version 8, away under version 9" \
    "$(q "SELECT string_agg(operation || ':' || coalesce(after ->> 'id', '-'), ',' ORDER BY commit_lsn, ordinal) FROM pgtrail.history('t', '140')")" \
    "UPDATE:140,UPDATE:240"
expect_eq "v8: history of 41 ends with its move made under version 9" \
    "$(q "SELECT string_agg(operation || ':' || coalesce(after ->> 'id', '-'), ',' ORDER BY commit_lsn, ordinal) FROM pgtrail.history('t', '41')")" \
    "CREATE:41,UPDATE:141"
expect_eq "v8: row_as_of: moved keys are gone, the new keys hold the rows" \
    "$(q "SELECT coalesce(pgtrail.row_as_of('t', '40', now())::text, '-') || ' ' || coalesce(pgtrail.row_as_of('t', '140', now())::text, '-') || ' ' || coalesce(pgtrail.row_as_of('t', '41', now())::text, '-') || ' ' || (pgtrail.row_as_of('t', '141', now()) ->> 'v') || ' ' || (pgtrail.row_as_of('t', '240', now()) ->> 'v')")" \
    "- - - forty-one forty"
# A second start: nothing to migrate, the cut stays.
: >"$WORK/sink.log"
start_sink
run "UPDATE t SET id = 42 WHERE id = 141"
caught_up
stop_sink
grep -q "schema version" "$WORK/sink.log" && fail "a second start after 8 -> 9 migrated again"
expect_eq "v8: the cut stays" "$(q "SELECT commit_lsn FROM pgtrail.key_move_cuts")" "$V8_LAST"

# 4. A table of a newer version: refused, with what to do.
run "UPDATE pgtrail.schema_version SET version = 99"
status=0
timeout 30 "$PGTRAIL" run --source "$(SOURCE_CONN)" >"$WORK/new.out" 2>&1 || status=$?
expect_eq "newer schema: exit status" "$status" 1
grep -q "is at schema version 99, newer than this pgtrail knows" "$WORK/new.out" || { cat "$WORK/new.out" >&2; fail "no refusal of a newer schema"; }
run "UPDATE pgtrail.schema_version SET version = 9"

# 5. A table the sink creates equals sql/changes.sql (columns, types, defaults, indexes).
run "CREATE DATABASE fresh"
run "CREATE DATABASE byhand"
PGDATABASE=byhand psql -X -q -v ON_ERROR_STOP=1 -f "$PGTRAIL_SOURCE_DIR/sql/changes.sql" >/dev/null
"$PGTRAIL" setup --no-slot --source "host=127.0.0.1 port=$PORT user=postgres dbname=fresh" >"$WORK/setup3.out" 2>&1 \
    || { cat "$WORK/setup3.out" >&2; fail "setup of a fresh database failed"; }
shape() {
    PGDATABASE=$1 q "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, ''), ', ' ORDER BY ordinal_position)
                     FROM information_schema.columns WHERE table_name = 'changes' AND table_schema = 'public'"
    PGDATABASE=$1 q "SELECT string_agg(indexdef, '; ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'changes'"
    PGDATABASE=$1 q "SELECT string_agg(pg_get_constraintdef(oid), '; ' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'changes'::regclass"
}
expect_eq "sink-created table = sql/changes.sql" "$(shape fresh)" "$(shape byhand)"
echo "ok"
