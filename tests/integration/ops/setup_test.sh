#!/usr/bin/env bash
# pgtrail setup / teardown: --dry-run changes nothing; setup creates everything and a second
# setup is a no-op; check passes afterwards; the least-privilege roles run the sink and can do
# nothing more (the destination role cannot UPDATE or DELETE changes, the source role cannot
# write); teardown keeps the data unless --drop-data.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"

start_cluster setup --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE orders (id int PRIMARY KEY, note text);
     CREATE TABLE loose (v text);
     CREATE TABLE untracked (id int PRIMARY KEY);
     CREATE TABLE measures (at date NOT NULL, v int) PARTITION BY RANGE (at);
     CREATE TABLE measures_2026 PARTITION OF measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"
SETUP=(--source "$(SOURCE_CONN)" --tables orders,loose,measures --context --event-trigger
       --source-role pgtrail_source --destination-role pgtrail_writer)

echo "--- dry run"
"$PGTRAIL" setup "${SETUP[@]}" --dry-run >"$WORK/dry.sql"
grep -q '^CREATE PUBLICATION "pgtrail" FOR TABLE public.orders, public.loose, public.measures;$' "$WORK/dry.sql" || fail "no CREATE PUBLICATION in the dry run"
grep -q "^SELECT pg_create_logical_replication_slot('pgtrail', 'pgtrail');$" "$WORK/dry.sql" || fail "no slot in the dry run"
expect_eq "dry run created nothing" "$(q "SELECT (SELECT count(*) FROM pg_publication) + (SELECT count(*) FROM pg_replication_slots) + (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgtrail%') + (SELECT count(*) FROM pg_class WHERE relname = 'changes')")" 0

echo "--- setup"
"$PGTRAIL" setup "${SETUP[@]}" | tee "$WORK/setup1"
grep -q "done: create the logical replication slot pgtrail" "$WORK/setup1" || fail "no slot created"
expect_eq "publication tables" "$(q "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'pgtrail'")" "loose,measures_2026,orders"
expect_eq "replica identities" "$(q "SELECT string_agg(relname || '=' || relreplident::text, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('orders', 'loose', 'measures', 'measures_2026', 'untracked')")" \
    "loose=f,measures=f,measures_2026=f,orders=f,untracked=d"
expect_eq "time travel functions" "$(q "SELECT count(*) > 10 FROM pg_proc WHERE pronamespace = 'pgtrail'::regnamespace")" t
expect_eq "context triggers" "$(q "SELECT count(*) FROM pg_trigger WHERE tgname = 'pgtrail_context_row' AND tgrelid = 'orders'::regclass")" 1
expect_eq "origin" "$(q "SELECT count(*) FROM pg_replication_origin WHERE roname = 'pgtrail_pgtrail'")" 1

echo "--- setup again: a no-op"
"$PGTRAIL" setup "${SETUP[@]}" | tee "$WORK/setup2"
grep -q "^nothing to do" "$WORK/setup2" || fail "second setup did something"
[ "$(grep -c '^done:' "$WORK/setup2")" = 0 ] || fail "second setup ran statements"
"$PGTRAIL" setup "${SETUP[@]}" --dry-run | grep -q "^nothing to do" || fail "second dry run plans statements"

echo "--- the event trigger"
run "CREATE TABLE later (id int PRIMARY KEY)"
expect_eq "new table gets REPLICA IDENTITY FULL" "$(q "SELECT relreplident FROM pg_class WHERE relname = 'later'")" f

echo "--- check as the least-privilege roles"
SRC="host=127.0.0.1 port=$PORT user=pgtrail_source dbname=postgres"
DST="host=127.0.0.1 port=$PORT user=pgtrail_writer dbname=postgres"
"$PGTRAIL" check --source "$SRC" --destination "$DST" --publication pgtrail | tee "$WORK/check" || fail "check failed after setup"
grep -q "^warn  replica identity" "$WORK/check" && fail "replica identity warnings after setup"

echo "--- the sink as the least-privilege roles"
"$PGTRAIL" run --source "$SRC" --destination "$DST" --publication pgtrail --log-level debug \
    --heartbeat-interval 1 --monitor-interval 1 >>"$WORK/sink.log" 2>&1 &
SINK_PID=$!
wait_for "SELECT count(*) FROM pg_replication_slots WHERE active" 1
run "BEGIN; SELECT pgtrail.set_context('{\"user\": 7}'); INSERT INTO orders VALUES (1, 'a'); UPDATE orders SET note = 'b'; COMMIT;
     INSERT INTO loose VALUES ('x'); INSERT INTO measures VALUES ('2026-05-01', 3); INSERT INTO untracked VALUES (1)"
caught_up
expect_eq "changes through least privilege" \
    "$(q "SELECT string_agg(\"table\" || ':' || operation || ':' || context::text, ',' ORDER BY commit_lsn, ordinal) FROM changes")" \
    'orders:CREATE:{"user": 7},orders:UPDATE:{"user": 7},loose:CREATE:{},measures:CREATE:{}'
expect_eq "full before image" "$(q "SELECT before->>'note' FROM changes WHERE operation = 'UPDATE'")" a
! grep -q "could not install" "$WORK/sink.log" || fail "the sink tried to install the functions"
grep -q "heartbeat emitted" "$WORK/sink.log" || fail "no heartbeat as the source role"
! grep -q "source monitor" "$WORK/sink.log" || fail "the monitor failed as the source role"

echo "--- what the roles may not do"
denied() {  # denied USER SQL: the statement fails with permission denied
    local out
    if out=$(psql -X -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$PORT user=$1 dbname=postgres" -c "$2" 2>&1); then
        fail "$1 was allowed: $2"
    fi
    grep -qE "permission denied|must be owner" <<<"$out" || fail "$1: $2: unexpected error $out"
    echo "denied to $1: $2"
}
allowed() { psql -X -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$PORT user=$1 dbname=postgres" -c "$2" >/dev/null || fail "$1 was refused: $2"; }
denied pgtrail_writer "UPDATE changes SET context = '{}'"
denied pgtrail_writer "UPDATE changes SET after = NULL"
denied pgtrail_writer "DELETE FROM changes"
denied pgtrail_writer "TRUNCATE changes"
denied pgtrail_writer "SELECT * FROM orders"
denied pgtrail_writer "INSERT INTO orders VALUES (9, 'x')"
denied pgtrail_writer "CREATE TABLE mine (id int)"
denied pgtrail_writer "DROP TABLE changes"
allowed pgtrail_writer "SELECT count(*) FROM changes"
denied pgtrail_source "INSERT INTO orders VALUES (9, 'x')"
denied pgtrail_source "UPDATE orders SET note = 'x'"
denied pgtrail_source "DELETE FROM changes"
denied pgtrail_source "SELECT * FROM changes"
denied pgtrail_source "CREATE TABLE mine (id int)"
allowed pgtrail_source "SELECT count(*) FROM orders"

echo "--- teardown"
"$PGTRAIL" teardown --source "$(SOURCE_CONN)" >"$WORK/out" 2>&1 && fail "teardown ran while the sink was streaming"
cat "$WORK/out"
grep -q "stop pgtrail run first" "$WORK/out" || fail "teardown did not say why"
stop_sink
"$PGTRAIL" teardown --source "$(SOURCE_CONN)" --dry-run | tee "$WORK/out"
grep -q "^SELECT pg_drop_replication_slot('pgtrail');$" "$WORK/out" || fail "dry run teardown"
"$PGTRAIL" teardown --source "$(SOURCE_CONN)" | tee "$WORK/out"
expect_eq "slot, publication, origin gone" \
    "$(q "SELECT (SELECT count(*) FROM pg_replication_slots) + (SELECT count(*) FROM pg_publication) + (SELECT count(*) FROM pg_replication_origin)")" 0
expect_eq "changes kept" "$(q "SELECT count(*) FROM changes")" 4
"$PGTRAIL" teardown --source "$(SOURCE_CONN)" | grep -q "^nothing to do" || fail "second teardown did something"
"$PGTRAIL" teardown --source "$(SOURCE_CONN)" --drop-data
expect_eq "changes dropped with --drop-data" "$(q "SELECT to_regclass('changes') IS NULL AND to_regnamespace('pgtrail') IS NULL")" t
echo "ok"
