#!/usr/bin/env bash
# pgtrail ui as the read-only role of `pgtrail setup --reader-role`, over changes kept in another
# database: the role reads every endpoint and can write nothing (its sessions are read-only and it
# has no write grant); a second setup plans nothing for it; with --allow-revert the revert is
# planned and checked in the destination and written to the source (--source), refused when a
# statement does not touch its row there.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE DATABASE audit"
PGDATABASE=audit run "$WORKLOAD_TABLES"
DEST="host=127.0.0.1 port=$PORT user=postgres dbname=audit"
dq() { PGDATABASE=audit q "$1"; }

# The role, printed by --dry-run, then created.
SETUP=(--no-slot --source "$(SOURCE_CONN)" --destination "$DEST" --reader-role pgtrail_reader)
run "$WORKLOAD_TABLES"
"$PGTRAIL" setup "${SETUP[@]}" --dry-run >"$WORK/dry.sql" 2>&1 || { cat "$WORK/dry.sql"; fail "setup --dry-run"; }
for line in 'CREATE ROLE "pgtrail_reader" LOGIN' 'changes TO "pgtrail_reader"' \
            'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgtrail TO "pgtrail_reader"' 'ALTER ROLE "pgtrail_reader" SET default_transaction_read_only = on'; do
    grep -qF "$line" "$WORK/dry.sql" || { cat "$WORK/dry.sql"; fail "the dry run does not print: $line"; }
done
expect_eq "the dry run created no role" "$(q "SELECT count(*) FROM pg_roles WHERE rolname = 'pgtrail_reader'")" 0
"$PGTRAIL" setup "${SETUP[@]}" >"$WORK/setup.out" 2>&1 || { cat "$WORK/setup.out"; fail "setup --reader-role"; }
grep -q "done: create role pgtrail_reader (LOGIN) for the destination" "$WORK/setup.out" || { cat "$WORK/setup.out"; fail "no role created"; }
"$PGTRAIL" setup "${SETUP[@]}" --dry-run >"$WORK/again.sql" 2>&1
grep -q "pgtrail_reader" "$WORK/again.sql" && { cat "$WORK/again.sql"; fail "a second setup plans grants for the reader again"; }

fill_workload --destination "$DEST"
READER="host=127.0.0.1 port=$PORT user=pgtrail_reader dbname=audit"

# What the role may not do, even outside the UI.
for statement in "DELETE FROM changes" "UPDATE changes SET context = '{}'" "SET default_transaction_read_only = off; INSERT INTO orders VALUES (9)"; do
    psql -X -q -d "$READER" -c "$statement" >"$WORK/denied.out" 2>&1 && fail "the reader role could: $statement"
    grep -qE "permission denied|read-only transaction" "$WORK/denied.out" || { cat "$WORK/denied.out"; fail "$statement: not refused for lack of rights"; }
done
expect_eq "the reader's sessions are read-only" "$(psql -X -At -d "$READER" -c "SHOW default_transaction_read_only")" on

# Every reading endpoint answers as the reader, as the superuser's UI does.
UI_LOG=$WORK/ui-super.log start_ui --destination "$DEST" --allow-revert
SUPER_URL=$UI_URL
SUPER_PID=$UI_PID
UI_PID=""
trap 'kill "$SUPER_PID" 2>/dev/null || true; ui_cleanup' EXIT
start_ui --destination "$READER" --allow-revert
grep -q "reverts allowed (run in the source)" "$WORK/ui.log" || fail "ui does not say reverts run in the source"
XID=$(dq "SELECT DISTINCT transaction_id FROM changes WHERE context->>'request_id' = 'abc'")
CHANGE=$(dq "SELECT id FROM changes WHERE \"table\" = 'orders' AND operation = 'UPDATE' ORDER BY commit_lsn LIMIT 1")
AT=$(jq -rn --arg t "$(dq "SELECT now()")" '$t|@uri')
for path in "/api/feed" "/api/feed?ctx.user_id=7&table=public.orders" "/api/timeline?table=public.orders&key=1" "/api/row?table=orders&key=3&at=$AT" \
            "/api/transaction?id=$XID" "/api/activity?bucket=day" "/api/tables" "/api/revert-sql?transaction=$XID" "/api/revert-sql?change=$CHANGE" \
            "/api/export.ndjson?table=orders" "/api/export.csv"; do
    code=$(curl -sS -o "$WORK/reader.body" -w '%{http_code}' "$UI_URL$path")
    expect_eq "reader: $path" "$code" 200
    curl -sS -o "$WORK/super.body" "$SUPER_URL$path"
    cmp -s "$WORK/reader.body" "$WORK/super.body" || fail "reader: $path differs from the superuser's answer"
done
[ "$(jq '.changes | length' <(curl -sS "$UI_URL/api/timeline?table=public.orders&key=1"))" = 2 ] || fail "reader: timeline of orders 1"
kill "$SUPER_PID"

# A revert: checked in the destination, written to the source in one transaction.
REQ=$(jq -rn '{"request_id":"abc"}|tostring|@uri')
code=$(curl -sS -o "$WORK/revert.body" -w '%{http_code}' -X POST -H 'X-Pgtrail-Csrf: 1' "$UI_URL/api/revert?context=$REQ")
expect_eq "revert of request abc" "$code $(jq '.statements | length' "$WORK/revert.body")" "200 2"
expect_eq "the row restored in the source" "$(q "SELECT status, amount, (SELECT count(*) FROM lines) FROM orders WHERE id = 1")" "new|10|0"
expect_eq "the destination's tables untouched" "$(dq "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM lines)")" 0
caught_up
expect_eq "the revert's changes carry its context" \
    "$(dq "SELECT string_agg(operation || ' ' || \"table\", ',' ORDER BY ordinal) FROM changes WHERE context @> '{\"pgtrail_revert\": {\"context\": {\"request_id\": \"abc\"}}}'")" \
    "DELETE lines,UPDATE orders"
code=$(curl -sS -o "$WORK/twice.body" -w '%{http_code}' -X POST -H 'X-Pgtrail-Csrf: 1' "$UI_URL/api/revert?context=$REQ")
expect_eq "reverting twice: refused with the conflict" "$code" 409
grep -q "cannot revert" "$WORK/twice.body" || fail "conflict message: $(cat "$WORK/twice.body")"

# The source holds a change the destination has not received: the statement touches no row, nothing is written.
stop_sink
run "DELETE FROM orders WHERE id = 2"
REQ=$(jq -rn '{"request_id":"ghi"}|tostring|@uri')
code=$(curl -sS -o "$WORK/stale.body" -w '%{http_code}' -X POST -H 'X-Pgtrail-Csrf: 1' "$UI_URL/api/revert?context=$REQ")
expect_eq "revert onto a row gone from the source" "$code" 409
grep -q "changed 0 rows instead of 1" "$WORK/stale.body" || fail "row count message: $(cat "$WORK/stale.body")"
expect_eq "nothing written to the source" "$(q "SELECT count(*) FROM orders WHERE id = 2")" 0
stop_ui
echo "PASS ui reader_test"
