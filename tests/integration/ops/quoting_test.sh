#!/usr/bin/env bash
# Names and values are quoted by libpq (PQescapeLiteral, PQescapeIdentifier), right under
# standard_conforming_strings = off, where doubling quotes by hand is wrong for a backslash. Source
# and destination databases run with it off; a schema, a table and a role carry quotes and
# backslashes; the destination's search_path puts the changes table in such a schema, whose name
# pgtrail reads back from the catalog. setup, snapshot, run and check must all work.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"
start_cluster quoting --plugin-dir "$PLUGIN_DIR"
SCHEMA='s"q\x'
TABLE="t'q\\y"
ROLE="ro'le\\z"
run "CREATE DATABASE dst"
psql -X -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
SET standard_conforming_strings = on;
CREATE SCHEMA "s""q\\x";
CREATE TABLE "s""q\\x"."t'q\\y" (id int PRIMARY KEY, v text);
INSERT INTO "s""q\\x"."t'q\\y" VALUES (1, 'one \\ one'), (2, 'two '' two');
ALTER DATABASE postgres SET standard_conforming_strings = off;
ALTER DATABASE dst SET standard_conforming_strings = off;
SQL
PGDATABASE=dst psql -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
CREATE SCHEMA "w""e\ird";
ALTER DATABASE dst SET search_path = "w""e\ird";
SQL
expect_eq "source runs with standard_conforming_strings off" "$(q "SHOW standard_conforming_strings")" off
DEST="host=127.0.0.1 port=$PORT user=postgres dbname=dst"

echo "--- setup with a destination role named $ROLE"
PGTRAIL_DESTINATION_ROLE_PASSWORD=pw "$PGTRAIL" setup --source "$(SOURCE_CONN)" --destination "$DEST" --destination-role "$ROLE" \
    >"$WORK/setup.out" 2>&1 || fail "setup failed: $(tail -5 "$WORK/setup.out")"
expect_eq "role created" "$(q "SELECT count(*) FROM pg_roles WHERE rolname = E'ro\\'le\\\\z'")" 1
expect_eq "role may insert into the changes table" \
    "$(PGDATABASE=dst q "SELECT has_table_privilege(E'ro\\'le\\\\z', format('%I.changes', E'w\"e\\\\ird'), 'INSERT')")" t
PGTRAIL_DESTINATION_ROLE_PASSWORD=pw "$PGTRAIL" setup --source "$(SOURCE_CONN)" --destination "$DEST" --destination-role "$ROLE" \
    >"$WORK/setup2.out" 2>&1 || fail "second setup failed: $(tail -5 "$WORK/setup2.out")"
grep -q "^nothing to do" "$WORK/setup2.out" || fail "second setup is not a no-op: $(cat "$WORK/setup2.out")"

echo "--- snapshot, then run"
"$PGTRAIL" teardown --source "$(SOURCE_CONN)" --destination "$DEST" >"$WORK/teardown.out" 2>&1 || fail "teardown: $(tail -5 "$WORK/teardown.out")"
"$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --destination "$DEST" --plugin pgtrail >"$WORK/snapshot.log" 2>&1 ||
    fail "snapshot failed: $(tail -5 "$WORK/snapshot.log")"
expect_eq "snapshot rows" "$(PGDATABASE=dst q "SELECT count(*) FROM \"w\"\"e\\ird\".changes WHERE \"schema\" = E's\"q\\\\x' AND \"table\" = E't\\'q\\\\y'")" 2
start_sink --destination "$DEST" --plugin pgtrail
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
PGOPTIONS="-c standard_conforming_strings=on" psql -X -q -v ON_ERROR_STOP=1 -c "INSERT INTO \"s\"\"q\\x\".\"t'q\\y\" VALUES (3, 'three \\ ''3''')" >/dev/null
caught_up
stop_sink
expect_eq "row 3 recorded with its text" \
    "$(PGDATABASE=dst q "SET standard_conforming_strings = on; SELECT after->>'v' FROM \"w\"\"e\\ird\".changes WHERE primary_key = '3'")" "three \\ '3'"

echo "--- check"
"$PGTRAIL" check --source "$(SOURCE_CONN)" --destination "$DEST" >"$WORK/check.out" 2>&1 || true
grep -E "changes table" "$WORK/check.out" | grep -qi "ok" || fail "check: $(cat "$WORK/check.out")"

echo "ok"
