#!/usr/bin/env bash
# pgtrail check: a good setup passes (exit 0, the temporary slot decodes); a role without
# REPLICATION, a plugin missing from output_plugin_libraries and wal_level=replica each fail
# with the SQL that fixes them; --format json says the same.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"

start_cluster good --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE orders (id int PRIMARY KEY, note text); CREATE TABLE loose (v text); ALTER TABLE orders REPLICA IDENTITY FULL"

# check_expect STATUS [options]: runs check, expects the exit status, output in $WORK/check
check_expect() {
    local expected=$1; shift
    local status=0
    timeout 60 "$PGTRAIL" check "$@" >"$WORK/check" 2>&1 || status=$?
    cat "$WORK/check"
    [ "$status" = "$expected" ] || fail "check exited $status, expected $expected"
}
has_line() {  # has_line REGEX: a line of $WORK/check matches
    grep -qE -- "$1" "$WORK/check" || fail "no line matching [$1]"
}

echo "--- a good setup"
check_expect 0 --source "$(SOURCE_CONN)"
has_line '^ok +end-to-end decoding +a temporary pgtrail slot decoded a test message'
has_line '^ok +wal_level +logical'
has_line '^warn +replica identity +public.loose: no primary key.*fix: ALTER TABLE public.loose REPLICA IDENTITY FULL;'
has_line '^pgtrail check: ok$'
"$PGTRAIL" check --source "$(SOURCE_CONN)" --format json >"$WORK/json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is True, d; assert any(i["item"]=="end-to-end decoding" and i["status"]=="ok" for i in d["items"])' "$WORK/json" \
    || fail "json: $(cat "$WORK/json")"
expect_eq "check left no slot behind" "$(q "SELECT count(*) FROM pg_replication_slots")" 0

echo "--- a missing publication"
check_expect 1 --source "$(SOURCE_CONN)" --publication nosuchpub
has_line '^FAIL +publication +publication nosuchpub does not exist.*fix: pgtrail setup --publication nosuchpub'

echo "--- a role without REPLICATION"
run "CREATE ROLE plain LOGIN"
check_expect 1 --source "host=127.0.0.1 port=$PORT user=plain dbname=postgres"
has_line '^FAIL +replication right +the user plain may not start replication +-- fix: ALTER ROLE "plain" REPLICATION;$'
has_line '^FAIL +end-to-end decoding +skipped'
has_line '^pgtrail check: FAILED'
# The fix works (the destination is another user's: plain may not write the changes table).
run 'ALTER ROLE "plain" REPLICATION'
check_expect 1 --source "host=127.0.0.1 port=$PORT user=plain dbname=postgres"
has_line '^ok +replication right +plain has REPLICATION$'
has_line '^FAIL +changes table +changes does not exist and plain may not create it in schema public +-- fix: .*GRANT CREATE ON SCHEMA "public" TO "plain";'
has_line '^FAIL +progress +kept in table pgtrail.progress \(plain may not use replication origins\), which does not exist and plain may not create +-- fix: pgtrail setup --destination-role plain'
has_line '^ok +end-to-end decoding +a temporary pgtrail slot decoded'
check_expect 0 --source "host=127.0.0.1 port=$PORT user=plain dbname=postgres" --destination "$(SOURCE_CONN)"

echo "--- the plugin missing from output_plugin_libraries"
if [ "$(q "SELECT count(*) FROM pg_settings WHERE name = 'output_plugin_libraries'")" = 1 ]; then
    run "ALTER SYSTEM SET output_plugin_libraries = pgoutput"
    run "SELECT pg_reload_conf()"
    sleep 0.5
    # auto decodes with pgoutput there: a publication is needed (default pgtrail, what setup
    # creates), the plugin's allow-list is not checked.
    check_expect 1 --source "$(SOURCE_CONN)"
    has_line '^ok +decoding +pgoutput, PostgreSQL.s own plugin \(the sink converts its rows\): output_plugin_libraries does not list pgtrail$'
    has_line '^FAIL +publication +publication pgtrail does not exist.*fix: pgtrail setup \(or CREATE PUBLICATION "pgtrail" FOR ALL TABLES WITH \(publish_via_partition_root = true\);\)'
    grep -q "output plugin allowed" "$WORK/check" && fail "the plugin's allow-list is checked in pgoutput mode"
    run "CREATE PUBLICATION pgtrail FOR ALL TABLES WITH (publish_via_partition_root = true)"
    check_expect 0 --source "$(SOURCE_CONN)"
    has_line '^ok +end-to-end decoding +a temporary pgoutput slot decoded a test message'
    run "DROP PUBLICATION pgtrail"
    # --plugin pgtrail asks for the plugin, which the list leaves out.
    check_expect 1 --source "$(SOURCE_CONN)" --plugin pgtrail
    has_line '^FAIL +output plugin allowed .*fix: ALTER SYSTEM SET output_plugin_libraries = pgoutput, pgtrail; SELECT pg_reload_conf\(\);'
    run "ALTER SYSTEM RESET output_plugin_libraries"
    run "SELECT pg_reload_conf()"
else
    echo "this server has no output_plugin_libraries: skipped"
fi

echo "--- wal_level = replica"
run "ALTER SYSTEM SET wal_level = replica"
"$CLUSTER" restart "$WORK/good" fast
check_expect 1 --source "$(SOURCE_CONN)"
has_line '^FAIL +wal_level +replica: logical decoding needs wal_level = logical +-- fix: ALTER SYSTEM SET wal_level = logical; then restart the server$'
"$PGTRAIL" check --source "$(SOURCE_CONN)" --format json >"$WORK/json" && fail "json check exited 0"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is False; w=[i for i in d["items"] if i["item"]=="wal_level"][0]; assert w["status"]=="fail" and "wal_level = logical" in w["fix"], w' "$WORK/json" \
    || fail "json: $(cat "$WORK/json")"

echo "--- no server"
"$CLUSTER" stop "$WORK/good" fast
check_expect 1 --source "$(SOURCE_CONN)"
has_line '^FAIL +connection +cannot connect'
echo "ok"
